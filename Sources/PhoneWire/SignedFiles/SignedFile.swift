/// A parsed signed file (`.tlv`, `.sgn`, `.enc.sgn`): the header's fields as ranges into
/// the file's own bytes, which the value keeps. Nothing is copied while parsing.
public struct SignedFile: Sendable {
    public let bytes: [UInt8]
    public let version: FormatVersion
    /// Bytes from the start of the file to the body, signature element included.
    public let headerLength: Int
    /// Tag 28, present in trust lists.
    public let signerVersion: FormatVersion?
    public let signerName: Range<Int>
    public let issuerName: Range<Int>
    public let serialNumber: Range<Int>
    public let hashAlgorithm: SignedFileHash
    public let signature: Range<Int>
    /// The signature element, 3-byte head and value: what the signature does not cover.
    public let signatureElement: Range<Int>
    public let filename: Range<Int>
    /// Unix seconds; nil when the writer left it out.
    public let timestamp: UInt32?
    public let encryption: EncryptionInfo?

    public var body: Range<Int> { headerLength..<bytes.count }

    /// The two ranges the signature covers: the whole file less the signature element.
    public var signedRanges: (Range<Int>, Range<Int>) {
        (0..<signatureElement.lowerBound, signatureElement.upperBound..<bytes.count)
    }

    public subscript(range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    public func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    public var filenameText: String { text(filename) }
    public var signerNameText: String { text(signerName) }
    public var issuerNameText: String { text(issuerName) }

    /// The fields of an `.enc.sgn` (tags 16–27).
    public struct EncryptionInfo: Sendable {
        public let iv: Range<Int>
        /// Bytes to drop from the end of the decrypted body (tag 20).
        public let paddingCount: Int
        /// Bits of the wrapped-key field: the RSA modulus size (tag 23).
        public let keySizeBits: Int
        /// 1 = AES-128-CBC (tag 24).
        public let keyAlgorithm: UInt8
        public let wrappedKey: Range<Int>
        public let digestAlgorithm: SignedFileHash
        public let digest: Range<Int>
    }

    /// AES-128-CBC, the only key algorithm tag 24 defines.
    public static let aes128CBC: UInt8 = 1

    public static func parse(_ bytes: [UInt8]) throws(WireError) -> SignedFile {
        var parser = HeaderParser(bytes)
        return try parser.parse()
    }

    fileprivate init(bytes: [UInt8], fields: HeaderParser.Fields) throws(WireError) {
        typealias T = SignedFileTag
        guard let version = fields.version else { throw .missingElement(tag: T.version) }
        guard let headerLength = fields.headerLength else { throw .missingElement(tag: T.headerLength) }
        guard let signerName = fields.signerName else { throw .missingElement(tag: T.signerName) }
        guard let issuerName = fields.issuerName else { throw .missingElement(tag: T.issuerName) }
        guard let serialNumber = fields.serialNumber else { throw .missingElement(tag: T.serialNumber) }
        guard let hashAlgorithm = fields.hashAlgorithm else { throw .missingElement(tag: T.hashAlgorithm) }
        guard let signatureModulus = fields.signatureModulus else { throw .missingElement(tag: T.signatureModulus) }
        guard fields.signatureAlgorithmPresent else { throw .missingElement(tag: T.signatureAlgorithm) }
        guard let signatureElement = fields.signatureElement else { throw .missingElement(tag: T.signature) }
        guard let filename = fields.filename else { throw .missingElement(tag: T.filename) }
        let signature = (signatureElement.lowerBound + 3)..<signatureElement.upperBound
        let announced = SignedFileTag.signatureLengths[signatureModulus.index]
        guard announced == signature.count else {
            throw .signatureLengthMismatch(announced: announced, actual: signature.count, offset: signatureElement.lowerBound)
        }
        self.bytes = bytes
        self.version = version
        self.headerLength = headerLength
        self.signerVersion = fields.signerVersion
        self.signerName = signerName
        self.issuerName = issuerName
        self.serialNumber = serialNumber
        self.hashAlgorithm = hashAlgorithm
        self.signature = signature
        self.signatureElement = signatureElement
        self.filename = filename
        self.timestamp = fields.timestamp
        self.encryption = try fields.encryptionInfo()
    }
}

/// Walks the header element by element, stepping into containers and checking that
/// every element sits inside its container, inside the header and inside the file.
private struct HeaderParser {
    struct Fields {
        var version: FormatVersion?
        var headerLength: Int?
        var signerVersion: FormatVersion?
        var signerName: Range<Int>?
        var issuerName: Range<Int>?
        var serialNumber: Range<Int>?
        var hashAlgorithm: SignedFileHash?
        var signatureAlgorithmPresent = false
        var signatureModulus: (index: Int, offset: Int)?
        var signatureElement: Range<Int>?
        var filename: Range<Int>?
        var timestamp: UInt32?
        var encryptionPresent = false
        var iv: Range<Int>?
        var paddingCount: Int?
        var keySize: Int?
        var keyAlgorithm: UInt8?
        var wrappedKey: Range<Int>?
        var digestAlgorithm: SignedFileHash?
        var digest: Range<Int>?

        func encryptionInfo() throws(WireError) -> SignedFile.EncryptionInfo? {
            typealias T = SignedFileTag
            guard encryptionPresent else {
                if digestAlgorithm != nil || digest != nil { throw .missingElement(tag: T.encryptionInfo) }
                return nil
            }
            guard let iv else { throw .missingElement(tag: T.iv) }
            guard let paddingCount else { throw .missingElement(tag: T.paddingCount) }
            guard let keySize else { throw .missingElement(tag: T.keySize) }
            guard let keyAlgorithm else { throw .missingElement(tag: T.keyAlgorithm) }
            guard let wrappedKey else { throw .missingElement(tag: T.wrappedKey) }
            guard let digestAlgorithm else { throw .missingElement(tag: T.plaintextDigestAlgorithm) }
            guard let digest else { throw .missingElement(tag: T.plaintextDigest) }
            guard digest.count == digestAlgorithm.digestLength else {
                throw .invalidLength(tag: T.plaintextDigest, offset: digest.lowerBound - 3)
            }
            return SignedFile.EncryptionInfo(iv: iv, paddingCount: paddingCount, keySizeBits: keySize,
                                             keyAlgorithm: keyAlgorithm, wrappedKey: wrappedKey,
                                             digestAlgorithm: digestAlgorithm, digest: digest)
        }
    }

    let bytes: [UInt8]
    var reader: ByteReader
    var fields = Fields()

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        reader = ByteReader(bytes)
    }

    mutating func parse() throws(WireError) -> SignedFile {
        typealias T = SignedFileTag
        // Until tag 2 is read the header may be as long as the file.
        var headerEnd = bytes.count
        var containerTags: [UInt8] = []
        var containerEnds: [Int] = []
        containerTags.reserveCapacity(3)
        containerEnds.reserveCapacity(3)
        var seen: UInt32 = 0
        var elementIndex = 0
        repeat {
            while let end = containerEnds.last, reader.offset == end {
                containerEnds.removeLast()
                containerTags.removeLast()
            }
            let start = reader.offset
            let tag = try reader.u8()
            if tag == T.padding {
                // Padding is a lone byte at the top level, after the first two elements.
                guard containerTags.isEmpty, elementIndex >= 2 else { throw .misplacedElement(tag: tag, offset: start) }
                continue
            }
            guard tag <= T.highest, let parent = T.parent(of: tag) else { throw .unknownTag(tag: tag, offset: start) }
            let length = Int(try reader.u16())
            // The version comes first and the header length second: nothing else can be
            // bounded before the header length is known.
            if (elementIndex == 0 && tag != T.version) || (elementIndex == 1 && tag != T.headerLength)
                || parent != (containerTags.last ?? 0) {
                throw .misplacedElement(tag: tag, offset: start)
            }
            elementIndex += 1
            let bit: UInt32 = 1 << UInt32(tag)
            guard seen & bit == 0 else { throw .duplicateElement(tag: tag, offset: start) }
            seen |= bit
            let valueEnd = reader.offset + length
            if let fixed = T.fixedLength(of: tag), fixed != length { throw .invalidLength(tag: tag, offset: start) }
            if let end = containerEnds.last, valueEnd > end { throw .containerOverrun(tag: tag, offset: start) }
            guard valueEnd <= bytes.count else { throw .truncated(offset: start) }
            guard valueEnd <= headerEnd else { throw .headerOverrun(offset: start) }
            if T.isContainer(tag) {
                if tag == T.encryptionInfo { fields.encryptionPresent = true }
                containerTags.append(tag)
                containerEnds.append(valueEnd)
                continue
            }
            let value = try reader.range(length)
            try store(tag: tag, value: value, start: start)
            if tag == T.headerLength, let headerLength = fields.headerLength {
                guard headerLength >= reader.offset, headerLength <= bytes.count else {
                    throw .headerLengthOutOfRange(headerLength: headerLength, fileSize: bytes.count)
                }
                headerEnd = headerLength
            }
        } while reader.offset < headerEnd
        return try SignedFile(bytes: bytes, fields: fields)
    }

    private mutating func store(tag: UInt8, value: Range<Int>, start: Int) throws(WireError) {
        typealias T = SignedFileTag
        switch tag {
        case T.version:
            fields.version = FormatVersion(bytes[value.lowerBound], bytes[value.lowerBound + 1])
        case T.headerLength:
            fields.headerLength = Int(bytes.bigEndianValue(value))
        case T.signerVersion:
            fields.signerVersion = FormatVersion(bytes[value.lowerBound], bytes[value.lowerBound + 1])
        case T.signerName:
            fields.signerName = try text(tag, value, start)
        case T.issuerName:
            fields.issuerName = try text(tag, value, start)
        case T.serialNumber:
            guard value.count >= 1, value.count <= 32 else { throw .invalidLength(tag: tag, offset: start) }
            fields.serialNumber = value
        case T.hashAlgorithm:
            guard let algorithm = SignedFileHash(rawValue: bytes[value.lowerBound]) else {
                throw .unsupportedHashAlgorithm(value: bytes[value.lowerBound], offset: start)
            }
            fields.hashAlgorithm = algorithm
        case T.signatureAlgorithm:
            // 0 is RSA PKCS#1 v1.5, the only algorithm the format defines.
            guard bytes[value.lowerBound] == 0 else {
                throw .unsupportedSignatureAlgorithm(value: bytes[value.lowerBound], offset: start)
            }
            fields.signatureAlgorithmPresent = true
        case T.signatureModulus:
            let index = Int(bytes[value.lowerBound])
            guard index < T.signatureLengths.count else { throw .invalidValue(tag: tag, offset: start) }
            fields.signatureModulus = (index, start)
        case T.signature:
            fields.signatureElement = start..<value.upperBound
        case T.filename:
            fields.filename = try text(tag, value, start)
        case T.timestamp:
            fields.timestamp = bytes.bigEndianValue(value)
        case T.iv:
            fields.iv = value
        case T.paddingCount:
            fields.paddingCount = Int(bytes.bigEndianValue(value))
        case T.keySize:
            fields.keySize = Int(bytes.bigEndianValue(value))
        case T.keyAlgorithm:
            fields.keyAlgorithm = bytes[value.lowerBound]
        case T.wrappedKey:
            guard !value.isEmpty else { throw .invalidLength(tag: tag, offset: start) }
            fields.wrappedKey = value
        case T.plaintextDigestAlgorithm:
            guard let algorithm = SignedFileHash(rawValue: bytes[value.lowerBound]) else {
                throw .unsupportedHashAlgorithm(value: bytes[value.lowerBound], offset: start)
            }
            fields.digestAlgorithm = algorithm
        case T.plaintextDigest:
            fields.digest = value
        default:
            break  // tags 18 and 22: a reserved byte with no known meaning
        }
    }

    private func text(_ tag: UInt8, _ value: Range<Int>, _ start: Int) throws(WireError) -> Range<Int> {
        guard let text = bytes.nulTerminatedText(value) else { throw .unterminatedString(tag: tag, offset: start) }
        return text
    }
}
