/// Why a signed file, trust list or other wire structure was refused, with the byte
/// offset of the offending element (from the start of the file).
public enum WireError: WireFault, Equatable, Sendable {
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
}

extension WireError {
    public var code: String {
        switch self {
        case .truncated: return "truncated"
        case .unknownTag: return "unknownTag"
        case .misplacedElement: return "misplacedElement"
        case .duplicateElement: return "duplicateElement"
        case .missingElement: return "missingElement"
        case .invalidLength: return "invalidLength"
        case .containerOverrun: return "containerOverrun"
        case .headerOverrun: return "headerOverrun"
        case .headerLengthOutOfRange: return "headerLengthOutOfRange"
        case .unterminatedString: return "unterminatedString"
        case .invalidValue: return "invalidValue"
        case .unsupportedHashAlgorithm: return "unsupportedHashAlgorithm"
        case .unsupportedSignatureAlgorithm: return "unsupportedSignatureAlgorithm"
        case .signatureLengthMismatch: return "signatureLengthMismatch"
        case .invalidRecordLength: return "invalidRecordLength"
        case .tooManyRecords: return "tooManyRecords"
        case .emptyTrustList: return "emptyTrustList"
        }
    }

    public var offset: Int? {
        switch self {
        case .truncated(let offset), .unknownTag(_, let offset), .misplacedElement(_, let offset), .duplicateElement(_, let offset),
             .invalidLength(_, let offset), .containerOverrun(_, let offset), .headerOverrun(let offset),
             .unterminatedString(_, let offset), .invalidValue(_, let offset), .unsupportedHashAlgorithm(_, let offset),
             .unsupportedSignatureAlgorithm(_, let offset), .signatureLengthMismatch(_, _, let offset),
             .invalidRecordLength(let offset):
            return offset
        case .missingElement, .headerLengthOutOfRange, .tooManyRecords, .emptyTrustList:
            return nil
        }
    }

    public var problem: String {
        switch self {
        case .truncated: return "truncated"
        case .unknownTag(let tag, _): return "unknown tag " + String(tag)
        case .misplacedElement(let tag, _): return elementFault(Int(tag), "out of place")
        case .duplicateElement(let tag, _): return elementFault(Int(tag), "repeated")
        case .missingElement(let tag): return "required tag " + String(tag) + " missing"
        case .invalidLength(let tag, _): return elementFault(Int(tag), "has an invalid length")
        case .containerOverrun(let tag, _): return elementFault(Int(tag), "crosses the end of its container")
        case .headerOverrun: return "an element crosses the end of the header"
        case .headerLengthOutOfRange(let headerLength, let fileSize):
            return "header length " + String(headerLength) + " does not fit a file of " + String(fileSize) + " bytes"
        case .unterminatedString(let tag, _): return elementFault(Int(tag), "is not a NUL-terminated string")
        case .invalidValue(let tag, _): return elementFault(Int(tag), "has an invalid value")
        case .unsupportedHashAlgorithm(let value, _): return "unsupported digest algorithm " + String(value)
        case .unsupportedSignatureAlgorithm(let value, _): return "unsupported signature algorithm " + String(value)
        case .signatureLengthMismatch(let announced, let actual, _):
            return "the signature is " + String(actual) + " bytes, the header announces " + String(announced)
        case .invalidRecordLength: return "a trust-list record has an invalid length"
        case .tooManyRecords(let limit): return "trust list holds more than " + String(limit) + " records"
        case .emptyTrustList: return "trust list holds no records"
        }
    }
}
