import CMbedTLS

/// An X.509 certificate parsed from DER by mbedTLS. The DER is kept as given: trust
/// decisions compare certificates byte for byte, and the cluster's certificate hash is
/// the MD5 of exactly these bytes.
public final class Certificate {
    let context: UnsafeMutablePointer<mbedtls_x509_crt>
    public let der: [UInt8]
    public let keyKind: KeyKind

    public init(der: ArraySlice<UInt8>) throws(CryptoError) {
        let context = UnsafeMutablePointer<mbedtls_x509_crt>.allocate(capacity: 1)
        mbedtls_x509_crt_init(context)
        let bytes = [UInt8](der)
        let result = bytes.withUnsafeBufferPointer { mbedtls_x509_crt_parse_der(context, $0.baseAddress, $0.count) }
        guard result == 0, let kind = KeyKind.of(&context.pointee.pk) else {
            mbedtls_x509_crt_free(context)
            context.deallocate()
            throw CryptoError(result == 0 ? .unsupportedKey : .certificateParse, code: result)
        }
        self.context = context
        self.der = bytes
        keyKind = kind
    }

    /// The first CERTIFICATE block of a PEM buffer (which may also hold a private key).
    public convenience init(pem: [UInt8]) throws(CryptoError) {
        let chain = UnsafeMutablePointer<mbedtls_x509_crt>.allocate(capacity: 1)
        mbedtls_x509_crt_init(chain)
        defer {
            mbedtls_x509_crt_free(chain)
            chain.deallocate()
        }
        var terminated = pem
        terminated.append(0)  // mbedTLS wants PEM NUL-terminated, the NUL counted
        let result = terminated.withUnsafeBufferPointer { mbedtls_x509_crt_parse(chain, $0.baseAddress, $0.count) }
        guard result == 0, let raw = chain.pointee.raw.p else { throw CryptoError(.certificateParse, code: result) }
        try self.init(der: [UInt8](UnsafeBufferPointer(start: raw, count: chain.pointee.raw.len))[...])
    }

    deinit {
        mbedtls_x509_crt_free(context)
        context.deallocate()
    }

    /// Subject in the form signed files and trust lists carry: attributes in
    /// certificate order, `SHORT=value`, comma separated with no spaces
    /// (e.g. `CN=SAST-A45630BBFA40,O=Lab,OU=Security`).
    public var subject: String { Self.format(&context.pointee.subject) }
    public var issuer: String { Self.format(&context.pointee.issuer) }

    /// The subject of a certificate given as DER, or "(unparsable)".
    public static func subject(of der: [UInt8]) -> String {
        (try? Certificate(der: der[...]))?.subject ?? "(unparsable)"
    }

    /// Serial number as big-endian bytes without leading zero bytes.
    public var serialNumber: [UInt8] {
        let serial = context.pointee.serial
        var bytes = [UInt8](UnsafeBufferPointer(start: serial.p, count: serial.len))
        while bytes.count > 1 && bytes[0] == 0 { bytes.removeFirst() }
        return bytes
    }

    /// The certificate's own signature bytes (trust-list record tag 8).
    public var signature: [UInt8] {
        let sig = context.pointee.sig
        return [UInt8](UnsafeBufferPointer(start: sig.p, count: sig.len))
    }

    public func md5() throws(CryptoError) -> [UInt8] { try Digest.hash(.md5, der) }
    public func sha1() throws(CryptoError) -> [UInt8] { try Digest.hash(.sha1, der) }

    public func subjectPublicKeyInfo() throws(CryptoError) -> [UInt8] {
        try PKOperations.subjectPublicKeyInfo(&context.pointee.pk)
    }

    public func publicKey() throws(CryptoError) -> PublicKey {
        try PublicKey(subjectPublicKeyInfo: subjectPublicKeyInfo()[...])
    }

    /// The public key as a trust-list record carries it (tag 7).
    public func bareKey() throws(CryptoError) -> [UInt8] {
        try PKOperations.bareKey(&context.pointee.pk)
    }

    /// Verifies a signature made by this certificate's key over a digest.
    public func verify(_ algorithm: HashAlgorithm, digest: [UInt8], signature: ArraySlice<UInt8>) throws(CryptoError) {
        try PKOperations.verify(&context.pointee.pk, algorithm, digest: digest, signature: signature)
    }

    /// Verifies a CAPF-style signature: type-1 padding of the bare hash.
    public func verifyBareHash(_ digest: [UInt8], signature: ArraySlice<UInt8>) throws(CryptoError) {
        try PKOperations.verifyBareHash(&context.pointee.pk, digest: digest, signature: signature)
    }

    /// RSA PKCS#1 v1.5 encryption to this certificate's key.
    public func encrypt(_ plaintext: ArraySlice<UInt8>, rng: RandomGenerator) throws(CryptoError) -> [UInt8] {
        try PKOperations.encrypt(&context.pointee.pk, plaintext, rng: rng)
    }

    /// True when `issuer` issued this certificate (its signature verifies under the
    /// issuer's key); self-signed certificates pass with themselves.
    public func isSigned(by issuer: Certificate) -> Bool {
        var flags: UInt32 = 0
        let result = mbedtls_x509_crt_verify(context, issuer.context, nil, nil, &flags, nil, nil)
        // Expiry is not the phone's business here: the cluster's clock decides validity.
        let ignorable = UInt32(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return result == 0 || (flags & ~ignorable) == 0
    }

    private static func format(_ name: UnsafeMutablePointer<mbedtls_x509_name>) -> String {
        var text = [UInt8]()
        var node: UnsafeMutablePointer<mbedtls_x509_name>? = name
        var previousMerged = false
        while let current = node {
            if current.pointee.oid.p != nil {
                if !text.isEmpty { text.append(previousMerged ? 0x2B : 0x2C) }  // '+' or ','
                var short: UnsafePointer<CChar>? = nil
                if mbedtls_oid_get_attr_short_name(&current.pointee.oid, &short) == 0, let short {
                    var cursor = short
                    while cursor.pointee != 0 {
                        text.append(UInt8(bitPattern: cursor.pointee))
                        cursor += 1
                    }
                } else {
                    text.append(contentsOf: dottedOID(current.pointee.oid))
                }
                text.append(0x3D)  // '='
                let value = current.pointee.val
                if let bytes = value.p {
                    text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: value.len))
                }
            }
            previousMerged = current.pointee.next_merged != 0
            node = current.pointee.next
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func dottedOID(_ oid: mbedtls_asn1_buf) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 128)
        var copy = oid
        let written = buffer.withUnsafeMutableBufferPointer { out in
            out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: out.count) {
                mbedtls_oid_get_numeric_string($0, out.count, &copy)
            }
        }
        guard written > 0 else { return [0x3F] }  // '?'
        return Array(buffer[0..<Int(written)])
    }
}

/// A certificate with its private key, as a PEM file holding both carries them
/// (the MIC, an LSC, a lab server's identity).
public struct Identity {
    public let certificate: Certificate
    public let privateKey: PrivateKey

    public init(certificate: Certificate, privateKey: PrivateKey) throws(CryptoError) {
        guard privateKey.matches(certificate) else { throw CryptoError(.keyParse) }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    public init(pem: [UInt8]) throws(CryptoError) {
        try self.init(certificate: Certificate(pem: pem), privateKey: PrivateKey(encoded: pem[...]))
    }
}
