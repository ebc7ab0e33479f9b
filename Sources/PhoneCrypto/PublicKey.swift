import CMbedTLS

/// A public key parsed from SubjectPublicKeyInfo DER (what a CAPF KeyGenerateResponse carries).
public final class PublicKey {
    let context: UnsafeMutablePointer<mbedtls_pk_context>
    public let kind: KeyKind

    public init(subjectPublicKeyInfo der: ArraySlice<UInt8>) throws(CryptoError) {
        let context = UnsafeMutablePointer<mbedtls_pk_context>.allocate(capacity: 1)
        mbedtls_pk_init(context)
        let result = der.withUnsafeBufferPointer { mbedtls_pk_parse_public_key(context, $0.baseAddress, $0.count) }
        guard result == 0, let kind = KeyKind.of(context) else {
            mbedtls_pk_free(context)
            context.deallocate()
            throw CryptoError(result == 0 ? .unsupportedKey : .keyParse, code: result)
        }
        self.context = context
        self.kind = kind
    }

    private init(adopting context: UnsafeMutablePointer<mbedtls_pk_context>, kind: KeyKind) {
        self.context = context
        self.kind = kind
    }

    /// An RSA public key from its modulus and exponent (big-endian), as a token gives them.
    public static func rsa(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) -> PublicKey {
        let context = UnsafeMutablePointer<mbedtls_pk_context>.allocate(capacity: 1)
        mbedtls_pk_init(context)
        var result = mbedtls_pk_setup(context, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA))
        if result == 0 {
            let rsa = mbedtls_pk_rsa(context.pointee)
            result = mbedtls_rsa_import_raw(rsa, modulus, modulus.count, nil, 0, nil, 0, nil, 0, exponent, exponent.count)
            if result == 0 { result = mbedtls_rsa_complete(rsa) }
            if result == 0 { result = mbedtls_rsa_check_pubkey(rsa) }
        }
        return try adopt(context, result)
    }

    /// An EC public key on `curve` from its X9.62 point, as a token gives it.
    public static func ec(curve: Curve, point: [UInt8]) throws(CryptoError) -> PublicKey {
        let context = UnsafeMutablePointer<mbedtls_pk_context>.allocate(capacity: 1)
        mbedtls_pk_init(context)
        var result = mbedtls_pk_setup(context, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))
        if result == 0, let keypair = mbedtls_pk_ec(context.pointee) {
            result = mbedtls_ecp_group_load(&keypair.pointee.grp, curve.groupID)
            if result == 0 { result = mbedtls_ecp_point_read_binary(&keypair.pointee.grp, &keypair.pointee.Q, point, point.count) }
            if result == 0 { result = mbedtls_ecp_check_pubkey(&keypair.pointee.grp, &keypair.pointee.Q) }
        }
        return try adopt(context, result)
    }

    private static func adopt(_ context: UnsafeMutablePointer<mbedtls_pk_context>, _ result: Int32) throws(CryptoError) -> PublicKey {
        guard result == 0, let kind = KeyKind.of(context) else {
            mbedtls_pk_free(context)
            context.deallocate()
            throw CryptoError(result == 0 ? .unsupportedKey : .keyParse, code: result)
        }
        return PublicKey(adopting: context, kind: kind)
    }

    deinit {
        mbedtls_pk_free(context)
        context.deallocate()
    }

    /// The bare public key (RSAPublicKey DER, or the EC point): the subjectPublicKey bits.
    public func bareKey() throws(CryptoError) -> [UInt8] {
        try PKOperations.bareKey(context)
    }

    /// Verifies a PKCS#1 v1.5 (RSA) or ECDSA (DER) signature over a digest.
    public func verify(_ algorithm: HashAlgorithm, digest: [UInt8], signature: ArraySlice<UInt8>) throws(CryptoError) {
        try PKOperations.verify(context, algorithm, digest: digest, signature: signature)
    }

    /// Verifies a CAPF-style signature: type-1 padding of the bare hash.
    public func verifyBareHash(_ digest: [UInt8], signature: ArraySlice<UInt8>) throws(CryptoError) {
        try PKOperations.verifyBareHash(context, digest: digest, signature: signature)
    }

    /// RSA PKCS#1 v1.5 encryption (the key wrap of `.enc.sgn`).
    public func encrypt(_ plaintext: ArraySlice<UInt8>, rng: RandomGenerator) throws(CryptoError) -> [UInt8] {
        try PKOperations.encrypt(context, plaintext, rng: rng)
    }

    public func subjectPublicKeyInfo() throws(CryptoError) -> [UInt8] {
        try PKOperations.subjectPublicKeyInfo(context)
    }
}
