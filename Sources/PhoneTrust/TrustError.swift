import PhoneCrypto
import PhoneWire

/// Why a signed file, trust list or encrypted configuration was not accepted.
public enum TrustError: Error, Equatable {
    /// The bytes are not a well-formed file of this format.
    case malformed(WireError)
    /// A trust-list record's certificate is not valid DER (offset of the record).
    case badCertificate(recordOffset: Int)
    /// The header's filename is not the name the file was served under.
    case filenameMismatch(served: String, inFile: String)
    /// A trust list whose own SAST records do not include the header's signer.
    case signerNotListed
    /// The signer is in none of the installed trust lists.
    case signerUnknown(subject: String)
    /// The signer is listed, but not with a role that may sign this file.
    case signerLacksRole(subject: String, role: String)
    case badSignature(subject: String)
    /// A configuration arrived but no trust list is installed to check it against.
    case noTrustList
    /// `.enc.sgn` steps on a file that carries no encryption fields.
    case notEncrypted
    case unsupportedKeyAlgorithm(UInt8)
    /// The AES key is wrapped with RSA; an EC private key cannot unwrap it.
    case privateKeyNotRSA
    /// The wrapped AES key did not decrypt to 16 bytes with the phone's private key.
    case keyUnwrapFailed
    case badCiphertextLength(Int)
    case badPaddingCount(count: Int, bodyLength: Int)
    /// The decrypted body does not hash to the plaintext digest: wrong key or tampering.
    case digestMismatch
    case crypto(CryptoError)

    public var reason: String {
        switch self {
        case .malformed(let error): return "malformed file: " + error.reason
        case .badCertificate(let offset): return "trust-list record at offset " + String(offset) + " holds a bad certificate"
        case .filenameMismatch(let served, let inFile):
            return "filename mismatch: served as " + served + ", signed as " + inFile
        case .signerNotListed: return "signer is not a SAST record of the file itself"
        case .signerUnknown(let subject): return "signer unknown: " + subject
        case .signerLacksRole(let subject, let role): return "signer lacks the role: " + subject + " is " + role
        case .badSignature(let subject): return "bad signature (signer " + subject + ")"
        case .noTrustList: return "no trust list installed"
        case .notEncrypted: return "file carries no encryption fields"
        case .unsupportedKeyAlgorithm(let value): return "unsupported key algorithm " + String(value)
        case .privateKeyNotRSA: return "key unwrap failed: the AES key is RSA-wrapped and the phone's key is EC"
        case .keyUnwrapFailed: return "key unwrap failed"
        case .badCiphertextLength(let length): return "ciphertext of " + String(length) + " bytes is not whole AES blocks"
        case .badPaddingCount(let count, let length):
            return "bad padding count " + String(count) + " for a body of " + String(length) + " bytes"
        case .digestMismatch: return "digest mismatch: wrong key or tampered file"
        case .crypto(let error): return error.reason
        }
    }
}

extension SignedFileHash {
    var hashAlgorithm: HashAlgorithm {
        switch self {
        case .sha1: return .sha1
        case .sha256: return .sha256
        case .sha512: return .sha512
        }
    }
}
