/// Why a signed file, trust list or other wire structure was refused, with the byte
/// offset of the offending element (from the start of the file).
public enum WireError: Error, Equatable, Sendable {
    /// An element's head or value runs past the end of the data.
    case truncated(offset: Int)
    /// A tag this format does not define.
    case unknownTag(tag: UInt8, offset: Int)
    /// A known tag in a place it may not stand (wrong container, or out of order).
    case misplacedElement(tag: UInt8, offset: Int)
    case duplicateElement(tag: UInt8, offset: Int)
    case missingElement(tag: UInt8)
    /// A fixed-size element whose length is not that size.
    case invalidLength(tag: UInt8, offset: Int)
    /// A nested element crosses the end of its container.
    case containerOverrun(tag: UInt8, offset: Int)
    /// An element crosses the end of the header the header-length element announced.
    case headerOverrun(offset: Int)
    case headerLengthOutOfRange(headerLength: Int, fileSize: Int)
    case unterminatedString(tag: UInt8, offset: Int)
    /// A value outside the set the format allows (e.g. a signature-size index over 3).
    case invalidValue(tag: UInt8, offset: Int)
    case unsupportedHashAlgorithm(value: UInt8, offset: Int)
    case unsupportedSignatureAlgorithm(value: UInt8, offset: Int)
    case signatureLengthMismatch(announced: Int, actual: Int, offset: Int)
    /// A trust-list record whose length element is too small or runs past the end.
    case invalidRecordLength(offset: Int)
    case tooManyRecords(limit: Int)
    case emptyTrustList

    /// A short English reason naming what is wrong and where.
    public var reason: String {
        switch self {
        case .truncated(let offset):
            return "truncated at offset " + String(offset)
        case .unknownTag(let tag, let offset):
            return "unknown tag " + String(tag) + " at offset " + String(offset)
        case .misplacedElement(let tag, let offset):
            return "tag " + String(tag) + " out of place at offset " + String(offset)
        case .duplicateElement(let tag, let offset):
            return "tag " + String(tag) + " repeated at offset " + String(offset)
        case .missingElement(let tag):
            return "required tag " + String(tag) + " missing"
        case .invalidLength(let tag, let offset):
            return "tag " + String(tag) + " has an invalid length at offset " + String(offset)
        case .containerOverrun(let tag, let offset):
            return "tag " + String(tag) + " at offset " + String(offset) + " crosses the end of its container"
        case .headerOverrun(let offset):
            return "element at offset " + String(offset) + " crosses the end of the header"
        case .headerLengthOutOfRange(let headerLength, let fileSize):
            return "header length " + String(headerLength) + " does not fit a file of " + String(fileSize) + " bytes"
        case .unterminatedString(let tag, let offset):
            return "tag " + String(tag) + " at offset " + String(offset) + " is not a NUL-terminated string"
        case .invalidValue(let tag, let offset):
            return "tag " + String(tag) + " has an invalid value at offset " + String(offset)
        case .unsupportedHashAlgorithm(let value, let offset):
            return "unsupported digest algorithm " + String(value) + " at offset " + String(offset)
        case .unsupportedSignatureAlgorithm(let value, let offset):
            return "unsupported signature algorithm " + String(value) + " at offset " + String(offset)
        case .signatureLengthMismatch(let announced, let actual, let offset):
            return "signature at offset " + String(offset) + " is " + String(actual) + " bytes, header announces "
                + String(announced)
        case .invalidRecordLength(let offset):
            return "trust-list record at offset " + String(offset) + " has an invalid length"
        case .tooManyRecords(let limit):
            return "trust list holds more than " + String(limit) + " records"
        case .emptyTrustList:
            return "trust list holds no records"
        }
    }
}
