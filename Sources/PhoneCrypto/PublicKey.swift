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

    deinit {
        mbedtls_pk_free(context)
        context.deallocate()
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
