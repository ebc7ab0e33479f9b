import PhoneCrypto
import PhoneWire

/// Steps 2–4 of `.enc.sgn` decryption (formats.md §1), on a file whose signature has
/// already been verified by the trust store.
public enum EncryptedConfig {
    /// Decrypts in the file's own buffer and returns it holding the plaintext alone: the
    /// file is consumed, so a megabyte's configuration needs no second megabyte (a caller
    /// that still holds the file's bytes gets a copy instead, by Array's copy-on-write).
    public static func decrypt(_ verified: consuming VerifiedFile, privateKey: PrivateKey,
                               rng: RandomGenerator) throws(TrustError) -> [UInt8] {
        try decrypt(verified.file, privateKey: privateKey, rng: rng)
    }

    /// Decrypts without a signature check: for tests and tools that verified by other
    /// means. The boot flow goes through `decrypt(_ verified:…)`.
    public static func decrypt(_ file: consuming SignedFile, privateKey: PrivateKey,
                               rng: RandomGenerator) throws(TrustError) -> [UInt8] {
        guard let info = file.encryption else { throw .notEncrypted }
        guard info.keyAlgorithm == SignedFile.aes128CBC else { throw .unsupportedKeyAlgorithm(info.keyAlgorithm) }
        let body = file.body
        guard !body.isEmpty, body.count % AES128CBC.blockSize == 0 else { throw .badCiphertextLength(body.count) }
        // The reference pads with 1 to 16 bytes; 0 is accepted from writers that pad
        // only when needed. More than a block, or more than the body, is hostile.
        guard info.paddingCount <= AES128CBC.blockSize, info.paddingCount <= body.count else {
            throw .badPaddingCount(count: info.paddingCount, bodyLength: body.count)
        }
        guard privateKey.kind.isRSA else { throw .privateKeyNotRSA }
        let key: SecretBytes
        do { key = try privateKey.decrypt(file[info.wrappedKey], rng: rng) } catch {
            // The key's store failing is not the cluster's wrong key: kept, for the boot to stop on.
            throw error.keyStoreCode == nil ? .keyUnwrapFailed : .crypto(error)
        }
        guard key.count == 16 else { throw .keyUnwrapFailed }
        // Copies, not slices: a slice would share the buffer and make decryption copy it.
        let iv = [UInt8](file[info.iv])
        let expectedDigest = [UInt8](file[info.digest])
        let plaintext = body.lowerBound..<(body.upperBound - info.paddingCount)
        var bytes = file.bytes
        _ = consume file

        do { try AES128CBC.decrypt(key: key, iv: iv[...], &bytes, in: body) } catch {
            zeroize(&bytes)
            throw .crypto(error)
        }
        let digest: [UInt8]
        do { digest = try Digest.hash(info.digestAlgorithm.hashAlgorithm, bytes[plaintext]) } catch {
            zeroize(&bytes)
            throw .crypto(error)
        }
        guard constantTimeEqual(digest[...], expectedDigest[...]) else {
            zeroize(&bytes)
            throw .digestMismatch
        }
        keepOnly(plaintext, of: &bytes)
        return bytes
    }

    private static func constantTimeEqual(_ left: ArraySlice<UInt8>, _ right: ArraySlice<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
