import CExternalKey
import CMbedTLS

/// A private key: RSA or EC, loaded from PEM/DER or generated, or kept outside the process
/// (`PrivateKey.external`: a token's, whose private half never reaches memory). mbedTLS
/// zeroizes the key material when the context is freed; exports come back as `SecretBytes`.
public final class PrivateKey {
    let context: UnsafeMutablePointer<mbedtls_pk_context>
    public let kind: KeyKind
    /// An external key's hook (`external_key.h`) and its public half; nil for one in memory.
    private let external: OpaquePointer?
    private let publicHalf: PublicKey?

    private init(adopting context: UnsafeMutablePointer<mbedtls_pk_context>, kind: KeyKind,
                 external: OpaquePointer? = nil, publicHalf: PublicKey? = nil) {
        self.context = context
        self.kind = kind
        self.external = external
        self.publicHalf = publicHalf
    }

    /// A key whose private operations go to `operations` (a `phone_external_key_ops`) with
    /// `key`, and whose public half is `publicKey`. `operations.release(key)` is called
    /// when the key is freed, or at once when this fails.
    public static func external(publicKey: PublicKey, operations: UnsafeRawPointer,
                                key: UnsafeMutableRawPointer) throws(CryptoError) -> PrivateKey {
        let context = makeContext()
        guard let handle = phone_external_key_setup(context, publicKey.context,
                                                    operations.assumingMemoryBound(to: phone_external_key_ops.self), key) else {
            release(context)
            throw CryptoError(.unsupportedKey)
        }
        return PrivateKey(adopting: context, kind: publicKey.kind, external: handle, publicHalf: publicKey)
    }

    /// True when the private half lives outside the process.
    public var isExternal: Bool { external != nil }

    private static func makeContext() -> UnsafeMutablePointer<mbedtls_pk_context> {
        let context = UnsafeMutablePointer<mbedtls_pk_context>.allocate(capacity: 1)
        mbedtls_pk_init(context)
        return context
    }

    private static func release(_ context: UnsafeMutablePointer<mbedtls_pk_context>) {
        mbedtls_pk_free(context)
        context.deallocate()
    }

    /// Parses a private key from PEM (the buffer may hold other PEM blocks too, such as
    /// the certificate) or from DER.
    public convenience init(encoded: ArraySlice<UInt8>) throws(CryptoError) {
        let context = Self.makeContext()
        // mbedTLS wants PEM NUL-terminated, with the NUL counted in the length.
        var terminated = [UInt8](encoded)
        if PEM.contains(terminated, "-----BEGIN") { terminated.append(0) }
        let result = terminated.withUnsafeBufferPointer {
            mbedtls_pk_parse_key(context, $0.baseAddress, $0.count, nil, 0)
        }
        zeroize(&terminated)
        guard result == 0, let kind = KeyKind.of(context) else {
            Self.release(context)
            throw CryptoError(result == 0 ? .unsupportedKey : .keyParse, code: result)
        }
        self.init(adopting: context, kind: kind)
    }

    /// Generates an RSA key of 512 to 4096 bits (public exponent 65537).
    public static func generateRSA(bits: Int, rng: RandomGenerator) throws(CryptoError) -> PrivateKey {
        guard bits >= 512, bits <= 4096, bits % 8 == 0 else { throw CryptoError(.unsupportedKey) }
        let context = makeContext()
        var result = mbedtls_pk_setup(context, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA))
        if result == 0 {
            result = mbedtls_rsa_gen_key(mbedtls_pk_rsa(context.pointee), mbedtls_ctr_drbg_random, rng.state,
                                         UInt32(bits), 65537)
        }
        guard result == 0 else {
            release(context)
            throw CryptoError(.keyGeneration, code: result)
        }
        return PrivateKey(adopting: context, kind: .rsa(bits: bits))
    }

    /// Generates an EC key on P-256, P-384 or P-521.
    public static func generateEC(curve: Curve, rng: RandomGenerator) throws(CryptoError) -> PrivateKey {
        let context = makeContext()
        var result = mbedtls_pk_setup(context, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))
        if result == 0 {
            result = mbedtls_ecp_gen_key(curve.groupID, mbedtls_pk_ec(context.pointee), mbedtls_ctr_drbg_random, rng.state)
        }
        guard result == 0 else {
            release(context)
            throw CryptoError(.keyGeneration, code: result)
        }
        return PrivateKey(adopting: context, kind: .ec(curve))
    }

    deinit {
        Self.release(context)
        phone_external_key_free(external)
    }

    /// Signs a digest: RSA PKCS#1 v1.5 with DigestInfo, or ECDSA with a DER signature.
    public func sign(_ algorithm: HashAlgorithm, digest: [UInt8], rng: RandomGenerator) throws(CryptoError) -> [UInt8] {
        guard digest.count == algorithm.outputLength else { throw CryptoError(.invalidInput) }
        var signature = [UInt8](repeating: 0, count: 1024)
        var length = 0
        let result = digest.withUnsafeBufferPointer { hash in
            signature.withUnsafeMutableBufferPointer { out in
                mbedtls_pk_sign(context, algorithm.mbedtlsType, hash.baseAddress, hash.count, out.baseAddress, &length,
                                mbedtls_ctr_drbg_random, rng.state)
            }
        }
        try check(result, .sign)
        signature.removeLast(signature.count - length)
        return signature
    }

    /// RSA PKCS#1 v1.5 type-1 padding of the bare hash (no DigestInfo), raised to the
    /// private exponent: the form CAPF's signed-data elements use (formats.md §3).
    public func signBareHash(_ digest: [UInt8], rng: RandomGenerator) throws(CryptoError) -> [UInt8] {
        guard case .rsa(let bits) = kind, !digest.isEmpty else { throw CryptoError(.unsupportedKey) }
        // MD_NONE with a length: mbedTLS pads the bytes as given (no DigestInfo), in memory or in a token.
        var signature = [UInt8](repeating: 0, count: (bits + 7) / 8)
        var length = 0
        let result = digest.withUnsafeBufferPointer { hash in
            signature.withUnsafeMutableBufferPointer { out in
                mbedtls_pk_sign(context, MBEDTLS_MD_NONE, hash.baseAddress, hash.count, out.baseAddress, &length,
                                mbedtls_ctr_drbg_random, rng.state)
            }
        }
        try check(result, .sign)
        guard length == (bits + 7) / 8 else { throw CryptoError(.sign) }
        return signature
    }

    /// RSA PKCS#1 v1.5 decryption (unwrapping the AES key of an `.enc.sgn`).
    public func decrypt(_ ciphertext: ArraySlice<UInt8>, rng: RandomGenerator) throws(CryptoError) -> SecretBytes {
        guard kind.isRSA else { throw CryptoError(.unsupportedKey) }
        let output = SecretBytes(count: 512)
        var length = 0
        let result = ciphertext.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBytes { out in
                mbedtls_pk_decrypt(context, input.baseAddress, input.count,
                                   out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, out.count,
                                   mbedtls_ctr_drbg_random, rng.state)
            }
        }
        try check(result, .decrypt)
        return output.withUnsafeBytes { SecretBytes(copying: $0[0..<length]) }
    }

    public func subjectPublicKeyInfo() throws(CryptoError) -> [UInt8] {
        if let publicHalf { return try publicHalf.subjectPublicKeyInfo() }
        return try PKOperations.subjectPublicKeyInfo(context)
    }

    /// True when the certificate carries this key's public half (an external key's is
    /// compared whole: its private half cannot be checked here).
    public func matches(_ certificate: Certificate) -> Bool {
        if let publicHalf {
            guard let mine = try? publicHalf.subjectPublicKeyInfo(), let theirs = try? certificate.subjectPublicKeyInfo() else { return false }
            return mine == theirs
        }
        return mbedtls_pk_check_pair(&certificate.context.pointee.pk, context) == 0
    }

    /// The key's numbers, for a token to import it (a factory step), big-endian: RSA's
    /// modulus, public exponent, private exponent, prime 1, prime 2, exponent 1, exponent 2
    /// and coefficient; EC's curve (its OID, DER) and private value.
    public func components() throws(CryptoError) -> [SecretBytes] {
        guard external == nil else { throw CryptoError(.keyExport) }
        var numbers = [mbedtls_mpi](repeating: mbedtls_mpi(), count: 8)
        for index in numbers.indices { mbedtls_mpi_init(&numbers[index]) }
        defer { for index in numbers.indices { mbedtls_mpi_free(&numbers[index]) } }
        switch kind {
        case .rsa:
            let rsa = mbedtls_pk_rsa(context.pointee)
            let result = numbers.withUnsafeMutableBufferPointer { (n: inout UnsafeMutableBufferPointer<mbedtls_mpi>) -> Int32 in
                guard let m = n.baseAddress else { return -1 }
                let exported = mbedtls_rsa_export(rsa, m, m + 3, m + 4, m + 2, m + 1)
                return exported == 0 ? mbedtls_rsa_export_crt(rsa, m + 5, m + 6, m + 7) : exported
            }
            try check(result, .keyExport)
            var parts: [SecretBytes] = []
            for index in numbers.indices { parts.append(try Self.bytes(of: &numbers[index], count: mbedtls_mpi_size(&numbers[index]))) }
            return parts
        case .ec(let curve):
            guard let keypair = mbedtls_pk_ec(context.pointee) else { throw CryptoError(.keyExport) }
            return [SecretBytes(copying: curve.parametersDER), try Self.bytes(of: &keypair.pointee.d, count: curve.coordinateBytes)]
        }
    }

    private static func bytes(of number: UnsafeMutablePointer<mbedtls_mpi>, count: Int) throws(CryptoError) -> SecretBytes {
        let out = SecretBytes(count: count)
        let result = out.withUnsafeMutableBytes { mbedtls_mpi_write_binary(number, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), count) }
        try check(result, .keyExport)
        return out
    }

    /// The key as PEM (PKCS#1 or SEC1), for the platform to store with mode 0600.
    public func exportPEM() throws(CryptoError) -> SecretBytes {
        guard external == nil else { throw CryptoError(.keyExport) }
        let buffer = SecretBytes(count: 16 * 1024)
        let result = buffer.withUnsafeMutableBytes { out in
            mbedtls_pk_write_key_pem(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count)
        }
        try check(result, .keyExport)
        return buffer.withUnsafeBytes { bytes in
            var end = 0
            while end < bytes.count && bytes[end] != 0 { end += 1 }
            return SecretBytes(copying: bytes[0..<end])
        }
    }
}
