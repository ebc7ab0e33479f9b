import PhoneCrypto
import PhoneWire

/// Why a writer could not produce a file.
public enum WriterError: Error, Equatable {
    case build(SignedFileBuilder.BuildError)
    case crypto(CryptoError)
    /// Signed files carry RSA PKCS#1 v1.5 signatures, and `.enc.sgn` wraps its key with RSA.
    case keyNotRSA
    /// The file to sign again does not parse.
    case notASignedFile(WireError)
}

/// Writes ITL/CTL, `.sgn` and `.enc.sgn` files the way the reference tool does, for
/// the lab server and tests.
public enum SignedFileWriter {
    /// An ITL or CTL signed by `signer`, listing each certificate with its role.
    public static func trustList(entries: [(certificate: Certificate, role: TrustRole)], signer: Identity,
                                 filename: String, timestamp: UInt32, hash: SignedFileHash = .sha1,
                                 signerVersion: FormatVersion = FormatVersion(1, 0),
                                 rng: RandomGenerator) throws(WriterError) -> [UInt8] {
        var body: [UInt8] = []
        for entry in entries {
            let certificate = entry.certificate
            let publicKey: [UInt8]
            do { publicKey = try certificate.bareKey() } catch { throw .crypto(error) }
            do {
                body.append(contentsOf: try SignedFileBuilder.trustRecord(
                    subject: Array(certificate.subject.utf8), issuer: Array(certificate.issuer.utf8),
                    serialNumber: certificate.serialNumber, role: entry.role, publicKey: publicKey,
                    certificateSignature: certificate.signature, certificate: certificate.der))
            } catch {
                throw .build(error)
            }
        }
        return try write(version: .trustList, signerVersion: signerVersion, body: body, filename: filename,
                         signer: signer, timestamp: timestamp, hash: hash, encryption: nil, rng: rng)
    }

    /// A `.sgn`: the body in clear, signed.
    public static func signedConfig(_ body: [UInt8], filename: String, signer: Identity, timestamp: UInt32,
                                    hash: SignedFileHash = .sha1, rng: RandomGenerator) throws(WriterError) -> [UInt8] {
        try write(version: .signed, signerVersion: nil, body: body, filename: filename, signer: signer,
                  timestamp: timestamp, hash: hash, encryption: nil, rng: rng)
    }

    /// A `.enc.sgn`: the plaintext padded with `\r` to whole AES blocks (1 to 16 bytes,
    /// as the reference server pads), AES-128-CBC under a fresh key and IV, the key
    /// wrapped to `recipient`'s RSA key, the plaintext digest, the whole signed.
    public static func encryptedConfig(_ plaintext: [UInt8], filename: String, recipient: Certificate,
                                       signer: Identity, timestamp: UInt32, hash: SignedFileHash = .sha1,
                                       rng: RandomGenerator) throws(WriterError) -> [UInt8] {
        guard case .rsa(let recipientBits) = recipient.keyKind else { throw .keyNotRSA }
        let encryption: SignedFileBuilder.Encryption
        let ciphertext: [UInt8]
        do throws(CryptoError) {
            let key = SecretBytes(copying: try rng.bytes(16))
            let iv = try rng.bytes(16)
            let paddingCount = AES128CBC.blockSize - plaintext.count % AES128CBC.blockSize
            var padded = plaintext
            padded.append(contentsOf: [UInt8](repeating: 0x0D, count: paddingCount))
            ciphertext = try AES128CBC.encrypt(key: key, iv: iv[...], padded[...])
            zeroize(&padded)
            let wrappedKey = try key.withUnsafeBytes { (bytes) throws(CryptoError) in
                try recipient.encrypt([UInt8](bytes)[...], rng: rng)
            }
            let digest = try Digest.hash(hash.hashAlgorithm, plaintext)
            encryption = SignedFileBuilder.Encryption(iv: iv, paddingCount: paddingCount, keySizeBits: recipientBits,
                                                      wrappedKey: wrappedKey, digestAlgorithm: hash, digest: digest)
        } catch {
            throw .crypto(error)
        }
        return try write(version: .encrypted, signerVersion: nil, body: ciphertext, filename: filename,
                         signer: signer, timestamp: timestamp, hash: hash, encryption: encryption, rng: rng)
    }

    /// Signs an existing file again after its header was edited (the lab's attack mode
    /// uses it to make hostile fields that still carry a valid signature).
    public static func resign(_ bytes: [UInt8], signer: Identity, rng: RandomGenerator) throws(WriterError) -> [UInt8] {
        let file: SignedFile
        do { file = try SignedFile.parse(bytes) } catch { throw .notASignedFile(error) }
        do throws(CryptoError) {
            let (head, tail) = file.signedRanges
            var digest = try Digest(file.hashAlgorithm.hashAlgorithm)
            try digest.update(bytes[head])
            try digest.update(bytes[tail])
            let signature = try signer.privateKey.sign(file.hashAlgorithm.hashAlgorithm, digest: try digest.finalize(), rng: rng)
            guard signature.count == file.signature.count else { throw CryptoError(.sign) }
            var signed = bytes
            signed.replaceSubrange(file.signature, with: signature)
            return signed
        } catch {
            throw .crypto(error)
        }
    }

    private static func write(version: FormatVersion, signerVersion: FormatVersion?, body: [UInt8], filename: String,
                              signer: Identity, timestamp: UInt32, hash: SignedFileHash,
                              encryption: SignedFileBuilder.Encryption?, rng: RandomGenerator) throws(WriterError) -> [UInt8] {
        let certificate = signer.certificate
        guard case .rsa(let bits) = certificate.keyKind else { throw .keyNotRSA }
        let fields = SignedFileBuilder.Signer(name: Array(certificate.subject.utf8), issuer: Array(certificate.issuer.utf8),
                                              serialNumber: certificate.serialNumber, hashAlgorithm: hash,
                                              signatureLength: bits / 8)
        let builder = SignedFileBuilder(version: version, signerVersion: signerVersion, signer: fields,
                                        filename: Array(filename.utf8), timestamp: timestamp, encryption: encryption)
        let unsigned: SignedFileBuilder.Unsigned
        do { unsigned = try builder.build(body: body[...]) } catch { throw .build(error) }
        do throws(CryptoError) {
            let (head, tail) = unsigned.signedRanges
            var digest = try Digest(hash.hashAlgorithm)
            try digest.update(unsigned.bytes[head])
            try digest.update(unsigned.bytes[tail])
            let signature = try signer.privateKey.sign(hash.hashAlgorithm, digest: try digest.finalize(), rng: rng)
            guard let file = unsigned.signed(with: signature) else { throw CryptoError(.sign) }
            return file
        } catch {
            throw .crypto(error)
        }
    }
}
