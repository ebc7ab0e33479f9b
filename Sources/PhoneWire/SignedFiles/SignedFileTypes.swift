/// The digest algorithm byte of tags 8 and 26: 1 SHA-1, 2 SHA-256, 3 SHA-512.
public enum SignedFileHash: UInt8, Equatable, Sendable {
    case sha1 = 1
    case sha256 = 2
    case sha512 = 3

    public var name: String {
        switch self {
        case .sha1: return "SHA1"
        case .sha256: return "SHA256"
        case .sha512: return "SHA512"
        }
    }

    public var digestLength: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        }
    }
}

/// Two bytes, major then minor: the file format (tag 1) and the signer version (tag 28).
public struct FormatVersion: Equatable, Sendable {
    public let major: UInt8
    public let minor: UInt8

    public init(_ major: UInt8, _ minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    public var text: String { String(major) + "." + String(minor) }

    public static let trustList = FormatVersion(1, 2)
    public static let signed = FormatVersion(1, 0)
    public static let encrypted = FormatVersion(2, 0)
}

/// Header tags of signed files (formats.md §1).
public enum SignedFileTag {
    public static let version: UInt8 = 1
    public static let headerLength: UInt8 = 2
    public static let signerInfo: UInt8 = 3
    public static let signerName: UInt8 = 4
    public static let serialNumber: UInt8 = 5
    public static let issuerName: UInt8 = 6
    public static let signatureInfo: UInt8 = 7
    public static let hashAlgorithm: UInt8 = 8
    public static let signatureAlgorithmInfo: UInt8 = 9
    public static let signatureAlgorithm: UInt8 = 10
    public static let signatureModulus: UInt8 = 11
    public static let signature: UInt8 = 12
    public static let padding: UInt8 = 13
    public static let filename: UInt8 = 14
    public static let timestamp: UInt8 = 15
    public static let encryptionInfo: UInt8 = 16
    public static let ivInfo: UInt8 = 17
    public static let ivReserved: UInt8 = 18
    public static let iv: UInt8 = 19
    public static let paddingCount: UInt8 = 20
    public static let keyInfo: UInt8 = 21
    public static let keyReserved: UInt8 = 22
    public static let keySize: UInt8 = 23
    public static let keyAlgorithm: UInt8 = 24
    public static let wrappedKey: UInt8 = 25
    public static let plaintextDigestAlgorithm: UInt8 = 26
    public static let plaintextDigest: UInt8 = 27
    public static let signerVersion: UInt8 = 28

    static let highest: UInt8 = 28

    /// The container each tag must stand in (0: the top level), or nil for tags the
    /// format does not define.
    static func parent(of tag: UInt8) -> UInt8? {
        switch tag {
        case version, headerLength, signerVersion, signerInfo, signatureInfo, signature, filename, timestamp,
             encryptionInfo, plaintextDigestAlgorithm, plaintextDigest:
            return 0
        case signerName, issuerName, serialNumber: return signerInfo
        case hashAlgorithm, signatureAlgorithmInfo: return signatureInfo
        case signatureAlgorithm, signatureModulus: return signatureAlgorithmInfo
        case ivInfo, keyInfo: return encryptionInfo
        case ivReserved, iv, paddingCount: return ivInfo
        case keyReserved, keySize, keyAlgorithm, wrappedKey: return keyInfo
        default: return nil
        }
    }

    static func isContainer(_ tag: UInt8) -> Bool {
        tag == signerInfo || tag == signatureInfo || tag == signatureAlgorithmInfo || tag == encryptionInfo
            || tag == ivInfo || tag == keyInfo
    }

    /// The value length of fixed-size elements, nil for variable ones.
    static func fixedLength(of tag: UInt8) -> Int? {
        switch tag {
        case version, headerLength, signerVersion, paddingCount, keySize: return 2
        case hashAlgorithm, signatureAlgorithm, signatureModulus, ivReserved, keyReserved, keyAlgorithm,
             plaintextDigestAlgorithm:
            return 1
        case timestamp: return 4
        case iv: return 16
        default: return nil
        }
    }

    /// Tag 11's index into the signature byte lengths.
    static let signatureLengths = [64, 128, 256, 512]
}
