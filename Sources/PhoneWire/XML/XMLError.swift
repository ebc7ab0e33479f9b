/// Why an XML document was refused, with the byte offset where the problem starts.
public struct XMLError: WireFault, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case invalidUTF8
        /// DOCTYPE (and with it every entity declaration) is refused outright.
        case doctypeNotAllowed
        case unexpectedEnd
        case unexpectedCharacter
        case invalidName
        case mismatchedEndTag
        case duplicateAttribute
        /// An entity other than the five predefined ones, or a bad numeric reference.
        case invalidReference
        case contentOutsideRoot
        case noRootElement
        case depthExceeded(limit: Int)
        case tooManyElements(limit: Int)
        case tooManyAttributes(limit: Int)
        case textTooLong(limit: Int)
        case nameTooLong(limit: Int)
    }

    public let kind: Kind
    public let at: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.at = offset
    }

    public var offset: Int? { at }

    public var code: String {
        switch kind {
        case .invalidUTF8: return "invalidUTF8"
        case .doctypeNotAllowed: return "doctypeNotAllowed"
        case .unexpectedEnd: return "unexpectedEnd"
        case .unexpectedCharacter: return "unexpectedCharacter"
        case .invalidName: return "invalidName"
        case .mismatchedEndTag: return "mismatchedEndTag"
        case .duplicateAttribute: return "duplicateAttribute"
        case .invalidReference: return "invalidReference"
        case .contentOutsideRoot: return "contentOutsideRoot"
        case .noRootElement: return "noRootElement"
        case .depthExceeded: return "depthExceeded"
        case .tooManyElements: return "tooManyElements"
        case .tooManyAttributes: return "tooManyAttributes"
        case .textTooLong: return "textTooLong"
        case .nameTooLong: return "nameTooLong"
        }
    }

    public var problem: String {
        let what: String
        switch kind {
        case .invalidUTF8: what = "invalid UTF-8"
        case .doctypeNotAllowed: what = "DOCTYPE not allowed"
        case .unexpectedEnd: what = "document ends early"
        case .unexpectedCharacter: what = "unexpected character"
        case .invalidName: what = "invalid name"
        case .mismatchedEndTag: what = "end tag does not match"
        case .duplicateAttribute: what = "attribute repeated"
        case .invalidReference: what = "invalid entity or character reference"
        case .contentOutsideRoot: what = "content outside the root element"
        case .noRootElement: what = "no root element"
        case .depthExceeded(let limit): what = "nesting deeper than " + String(limit)
        case .tooManyElements(let limit): what = "more than " + String(limit) + " elements"
        case .tooManyAttributes(let limit): what = "more than " + String(limit) + " attributes on one element"
        case .textTooLong(let limit): what = "text longer than " + String(limit) + " bytes"
        case .nameTooLong(let limit): what = "name longer than " + String(limit) + " bytes"
        }
        return "XML: " + what
    }
}

/// Bounds on a document: what a phone configuration needs, with room, and no more.
public struct XMLLimits: Sendable {
    public var maxDepth: Int
    public var maxElements: Int
    public var maxAttributesPerElement: Int
    public var maxTextLength: Int
    public var maxNameLength: Int

    public init(maxDepth: Int, maxElements: Int, maxAttributesPerElement: Int, maxTextLength: Int, maxNameLength: Int) {
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxAttributesPerElement = maxAttributesPerElement
        self.maxTextLength = maxTextLength
        self.maxNameLength = maxNameLength
    }

    /// A CUCM 14 configuration nests about 8 deep and holds a few hundred elements; a
    /// 1 MB benchmark config some tens of thousands.
    public static let configuration = XMLLimits(maxDepth: 32, maxElements: 100_000, maxAttributesPerElement: 16,
                                                maxTextLength: 64 * 1024, maxNameLength: 128)
}
