import CMbedTLS

/// AES-128-CBC without padding: the `.enc.sgn` body is a whole number of blocks and
/// its padding is described by a separate count (formats.md §1), never PKCS#7.
public enum AES128CBC {
    public static let blockSize = 16

    /// Decrypts `range` of `bytes` in place: a megabyte's configuration needs no second
    /// megabyte (mbedTLS's CBC decryption keeps each ciphertext block before it
    /// overwrites it, so input and output may be one buffer).
    public static func decrypt(key: SecretBytes, iv: ArraySlice<UInt8>, _ bytes: inout [UInt8], in range: Range<Int>) throws(CryptoError) {
        try validate(key: key, iv: iv, count: range.count)
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { throw CryptoError(.invalidInput) }
        if range.isEmpty { return }
        let result = bytes.withUnsafeMutableBufferPointer { buffer in
            let start = buffer.baseAddress! + range.lowerBound
            return cbc(MBEDTLS_AES_DECRYPT, key: key, iv: iv, count: range.count, from: start, to: start)
        }
        try check(result, .cipher)
    }

    public static func encrypt(key: SecretBytes, iv: ArraySlice<UInt8>, _ plaintext: ArraySlice<UInt8>) throws(CryptoError) -> [UInt8] {
        try validate(key: key, iv: iv, count: plaintext.count)
        if plaintext.isEmpty { return [] }
        var result: Int32 = 0
        // mbedTLS writes every output byte: no zero-filling pass over a megabyte first.
        let output = [UInt8](unsafeUninitializedCapacity: plaintext.count) { destination, count in
            result = plaintext.withUnsafeBufferPointer { source in
                cbc(MBEDTLS_AES_ENCRYPT, key: key, iv: iv, count: source.count, from: source.baseAddress!,
                    to: destination.baseAddress!)
            }
            count = result == 0 ? plaintext.count : 0
        }
        try check(result, .cipher)
        return output
    }

    private static func validate(key: SecretBytes, iv: ArraySlice<UInt8>, count: Int) throws(CryptoError) {
        guard key.count == 16, iv.count == blockSize, count % blockSize == 0 else { throw CryptoError(.invalidInput) }
    }

    /// One CBC pass over `count` bytes; mbedTLS's status, 0 on success.
    private static func cbc(_ mode: Int32, key: SecretBytes, iv: ArraySlice<UInt8>, count: Int,
                            from input: UnsafePointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int32 {
        let context = UnsafeMutablePointer<mbedtls_aes_context>.allocate(capacity: 1)
        mbedtls_aes_init(context)
        defer {
            mbedtls_aes_free(context)  // zeroizes the expanded key
            context.deallocate()
        }
        let result = key.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return mode == MBEDTLS_AES_DECRYPT ? mbedtls_aes_setkey_dec(context, base, 128)
                                               : mbedtls_aes_setkey_enc(context, base, 128)
        }
        guard result == 0 else { return result }
        var chainingIV = [UInt8](iv)
        return chainingIV.withUnsafeMutableBufferPointer { ivBytes in
            mbedtls_aes_crypt_cbc(context, mode, count, ivBytes.baseAddress, input, output)
        }
    }
}
