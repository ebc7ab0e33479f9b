import CMbedTLS

/// AES-128-CBC without padding: the `.enc.sgn` body is a whole number of blocks and
/// its padding is described by a separate count (formats.md §1), never PKCS#7.
public enum AES128CBC {
    public static let blockSize = 16

    public static func decrypt(key: SecretBytes, iv: ArraySlice<UInt8>, _ ciphertext: ArraySlice<UInt8>) throws(CryptoError) -> [UInt8] {
        try crypt(MBEDTLS_AES_DECRYPT, key: key, iv: iv, ciphertext)
    }

    public static func encrypt(key: SecretBytes, iv: ArraySlice<UInt8>, _ plaintext: ArraySlice<UInt8>) throws(CryptoError) -> [UInt8] {
        try crypt(MBEDTLS_AES_ENCRYPT, key: key, iv: iv, plaintext)
    }

    private static func crypt(_ mode: Int32, key: SecretBytes, iv: ArraySlice<UInt8>, _ input: ArraySlice<UInt8>) throws(CryptoError) -> [UInt8] {
        guard key.count == 16, iv.count == blockSize, input.count % blockSize == 0 else {
            throw CryptoError(.invalidInput)
        }
        let context = UnsafeMutablePointer<mbedtls_aes_context>.allocate(capacity: 1)
        mbedtls_aes_init(context)
        defer {
            mbedtls_aes_free(context)  // zeroizes the expanded key
            context.deallocate()
        }
        var result = key.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return mode == MBEDTLS_AES_DECRYPT ? mbedtls_aes_setkey_dec(context, base, 128)
                                               : mbedtls_aes_setkey_enc(context, base, 128)
        }
        try check(result, .cipher)
        var chainingIV = [UInt8](iv)
        if input.isEmpty { return [] }
        // mbedTLS writes every output byte: no zero-filling pass over a megabyte first.
        let output = [UInt8](unsafeUninitializedCapacity: input.count) { destination, count in
            result = input.withUnsafeBufferPointer { source in
                chainingIV.withUnsafeMutableBufferPointer { ivBytes in
                    mbedtls_aes_crypt_cbc(context, mode, source.count, ivBytes.baseAddress, source.baseAddress,
                                          destination.baseAddress)
                }
            }
            count = result == 0 ? input.count : 0
        }
        try check(result, .cipher)
        return output
    }
}
