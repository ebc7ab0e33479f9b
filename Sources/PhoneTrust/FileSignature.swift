import PhoneCrypto
import PhoneWire

/// The signature check every signed file shares: the whole file less the signature
/// element, hashed with the header's algorithm, RSA PKCS#1 v1.5 (formats.md §1).
enum FileSignature {
    static func digest(_ file: SignedFile) throws(TrustError) -> [UInt8] {
        let (head, tail) = file.signedRanges
        do throws(CryptoError) {
            var digest = try Digest(file.hashAlgorithm.hashAlgorithm)
            try digest.update(file[head])
            try digest.update(file[tail])
            return try digest.finalize()
        } catch {
            throw .crypto(error)
        }
    }

    static func verify(_ file: SignedFile, digest: [UInt8], with certificate: Certificate) throws(TrustError) {
        do {
            try certificate.verify(file.hashAlgorithm.hashAlgorithm, digest: digest, signature: file[file.signature])
        } catch {
            throw .badSignature(subject: file.signerNameText)
        }
    }
}
