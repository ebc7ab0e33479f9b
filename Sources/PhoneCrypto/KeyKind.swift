import CMbedTLS

/// The elliptic curves a CAPF server may ask for.
public enum Curve: Equatable, Sendable {
    case p256
    case p384
    case p521

    public var name: String {
        switch self {
        case .p256: return "P-256"
        case .p384: return "P-384"
        case .p521: return "P-521"
        }
    }

    /// The bytes of one coordinate (and of the private value).
    public var coordinateBytes: Int {
        switch self {
        case .p256: return 32
        case .p384: return 48
        case .p521: return 66
        }
    }

    /// The curve's OID, DER (what PKCS#11's CKA_EC_PARAMS holds).
    public var parametersDER: [UInt8] {
        switch self {
        case .p256: return [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        case .p384: return [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
        case .p521: return [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23]
        }
    }

    var groupID: mbedtls_ecp_group_id {
        switch self {
        case .p256: return MBEDTLS_ECP_DP_SECP256R1
        case .p384: return MBEDTLS_ECP_DP_SECP384R1
        case .p521: return MBEDTLS_ECP_DP_SECP521R1
        }
    }

    init?(groupID: mbedtls_ecp_group_id) {
        switch groupID {
        case MBEDTLS_ECP_DP_SECP256R1: self = .p256
        case MBEDTLS_ECP_DP_SECP384R1: self = .p384
        case MBEDTLS_ECP_DP_SECP521R1: self = .p521
        default: return nil
        }
    }
}

/// What a key is: RSA with its modulus size, or EC on one of the supported curves.
public enum KeyKind: Equatable, Sendable {
    case rsa(bits: Int)
    case ec(Curve)

    public var name: String {
        switch self {
        case .rsa(let bits): return "RSA-" + String(bits)
        case .ec(let curve): return "EC " + curve.name
        }
    }

    public var isRSA: Bool {
        if case .rsa = self { return true }
        return false
    }

    static func of(_ pk: UnsafePointer<mbedtls_pk_context>) -> KeyKind? {
        switch mbedtls_pk_get_type(pk) {
        case MBEDTLS_PK_RSA:
            return .rsa(bits: Int(mbedtls_pk_get_bitlen(pk)))
        case MBEDTLS_PK_ECKEY, MBEDTLS_PK_ECDSA:
            guard let keypair = mbedtls_pk_ec(pk.pointee), let curve = Curve(groupID: keypair.pointee.grp.id) else {
                return nil
            }
            return .ec(curve)
        default:
            return nil
        }
    }
}

/// Operations shared by every holder of an mbedTLS `pk` context (public keys,
/// certificates, private keys).
enum PKOperations {
    static func verify(_ pk: UnsafeMutablePointer<mbedtls_pk_context>, _ algorithm: HashAlgorithm,
                       digest: [UInt8], signature: ArraySlice<UInt8>) throws(CryptoError) {
        guard digest.count == algorithm.outputLength else { throw CryptoError(.invalidInput) }
        let result = digest.withUnsafeBufferPointer { hash in
            signature.withUnsafeBufferPointer { sig in
                mbedtls_pk_verify(pk, algorithm.mbedtlsType, hash.baseAddress, hash.count, sig.baseAddress, sig.count)
            }
        }
        try check(result, .verify)
    }

    /// Verifies PKCS#1 v1.5 type-1 padding around the bare hash, no DigestInfo: the
    /// CAPF signed-data form (formats.md §3).
    static func verifyBareHash(_ pk: UnsafeMutablePointer<mbedtls_pk_context>, digest: [UInt8],
                               signature: ArraySlice<UInt8>) throws(CryptoError) {
        guard mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA else { throw CryptoError(.unsupportedKey) }
        let rsa = mbedtls_pk_rsa(pk.pointee)
        guard signature.count == mbedtls_rsa_get_len(rsa) else { throw CryptoError(.verify) }
        let result = digest.withUnsafeBufferPointer { hash in
            signature.withUnsafeBufferPointer { sig in
                mbedtls_rsa_pkcs1_verify(rsa, nil, nil, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_NONE, UInt32(hash.count),
                                         hash.baseAddress, sig.baseAddress)
            }
        }
        try check(result, .verify)
    }

    static func encrypt(_ pk: UnsafeMutablePointer<mbedtls_pk_context>, _ plaintext: ArraySlice<UInt8>,
                        rng: RandomGenerator) throws(CryptoError) -> [UInt8] {
        guard mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA else { throw CryptoError(.unsupportedKey) }
        var output = [UInt8](repeating: 0, count: 512)
        var length = 0
        let result = plaintext.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                mbedtls_pk_encrypt(pk, input.baseAddress, input.count, out.baseAddress, &length, out.count,
                                   mbedtls_ctr_drbg_random, rng.state)
            }
        }
        try check(result, .encrypt)
        output.removeLast(output.count - length)
        return output
    }

    /// SubjectPublicKeyInfo DER.
    static func subjectPublicKeyInfo(_ pk: UnsafeMutablePointer<mbedtls_pk_context>) throws(CryptoError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2200)
        let written = buffer.withUnsafeMutableBufferPointer { mbedtls_pk_write_pubkey_der(pk, $0.baseAddress, $0.count) }
        guard written > 0 else { throw CryptoError(.keyExport, code: written) }
        // mbedTLS writes DER backwards, at the end of the buffer.
        return Array(buffer[(buffer.count - Int(written))...])
    }

    /// The bare public key as a trust-list record carries it (tag 7): PKCS#1
    /// RSAPublicKey DER for RSA, the X9.62 uncompressed point for EC.
    static func bareKey(_ pk: UnsafeMutablePointer<mbedtls_pk_context>) throws(CryptoError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2200)
        let written: Int32 = buffer.withUnsafeMutableBufferPointer { out in
            guard let start = out.baseAddress else { return -1 }
            var cursor: UnsafeMutablePointer<UInt8>? = start + out.count
            return mbedtls_pk_write_pubkey(&cursor, start, pk)
        }
        guard written > 0 else { throw CryptoError(.keyExport, code: written) }
        return Array(buffer[(buffer.count - Int(written))...])
    }
}
