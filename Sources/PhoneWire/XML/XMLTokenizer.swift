/// A pull tokenizer over UTF-8 bytes: elements, attributes, text, CDATA; comments,
/// processing instructions and the XML declaration are checked and skipped. DOCTYPE is
/// refused. Tokens are ranges into the input; nothing is decoded or copied until the
/// consumer asks (`XMLText.decode`).
public struct XMLTokenizer {
    public enum Token: Equatable {
        /// A start tag; its attributes are in `attributes` until the next call.
        case start(name: Range<Int>)
        case end(name: Range<Int>)
        /// Character data; `hasReferences` when it holds `&…;` to decode.
        case text(Range<Int>, hasReferences: Bool)
        case cdata(Range<Int>)
    }

    public struct Attribute: Equatable {
        public let name: Range<Int>
        public let value: Range<Int>
        public let hasReferences: Bool
    }

    public let bytes: [UInt8]
    public let limits: XMLLimits
    /// The attributes of the last `.start` token (storage reused between tags).
    public private(set) var attributes: [Attribute] = []

    private var position = 0
    private var openElements: [Range<Int>] = []
    private var elementCount = 0
    private var sawRoot = false
    private var pendingEnd: Range<Int>?
    private var validated = false

    public init(_ bytes: [UInt8], limits: XMLLimits = .configuration) {
        self.bytes = bytes
        self.limits = limits
        // A UTF-8 byte-order mark is allowed before the declaration.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        openElements.reserveCapacity(limits.maxDepth)
        attributes.reserveCapacity(limits.maxAttributesPerElement)
    }

    public var depth: Int { openElements.count }

    /// The next token, or nil at the end of a complete document.
    public mutating func next() throws(XMLError) -> Token? {
        if !validated {
            try UTF8Check.validate(bytes)
            validated = true
        }
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name: name)
        }
        while position < bytes.count {
            if bytes[position] != UInt8(ascii: "<") {
                let start = position
                var hasReferences = false
                while position < bytes.count, bytes[position] != UInt8(ascii: "<") {
                    if bytes[position] == UInt8(ascii: "&") { hasReferences = true }
                    position += 1
                    if position - start > limits.maxTextLength { throw XMLError(.textTooLong(limit: limits.maxTextLength), at: start) }
                }
                if openElements.isEmpty {
                    for index in start..<position where !isWhitespace(bytes[index]) {
                        throw XMLError(.contentOutsideRoot, at: index)
                    }
                    continue
                }
                return .text(start..<position, hasReferences: hasReferences)
            }
            if matches("<?") {
                try skipProcessingInstruction()
            } else if matches("<!--") {
                try skipComment()
            } else if matches("<![CDATA[") {
                guard !openElements.isEmpty else { throw XMLError(.contentOutsideRoot, at: position) }
                let start = position + 9
                guard let end = find("]]>", from: start) else { throw XMLError(.unexpectedEnd, at: position) }
                guard end - start <= limits.maxTextLength else { throw XMLError(.textTooLong(limit: limits.maxTextLength), at: position) }
                position = end + 3
                return .cdata(start..<end)
            } else if matches("<!DOCTYPE") {
                throw XMLError(.doctypeNotAllowed, at: position)
            } else if matches("<!") {
                throw XMLError(.unexpectedCharacter, at: position)
            } else if matches("</") {
                return try endTag()
            } else {
                return try startTag()
            }
        }
        if let open = openElements.last { throw XMLError(.unexpectedEnd, at: max(position, open.upperBound)) }
        guard sawRoot else { throw XMLError(.noRootElement, at: position) }
        return nil
    }

    // MARK: - Tags

    private mutating func startTag() throws(XMLError) -> Token {
        let tagStart = position
        if sawRoot && openElements.isEmpty { throw XMLError(.contentOutsideRoot, at: tagStart) }
        position += 1
        let name = try readName()
        attributes.removeAll(keepingCapacity: true)
        while true {
            let hadSpace = skipWhitespace()
            guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
            let byte = bytes[position]
            if byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") { break }
            guard hadSpace else { throw XMLError(.unexpectedCharacter, at: position) }
            try readAttribute()
        }
        var selfClosing = false
        if bytes[position] == UInt8(ascii: "/") {
            position += 1
            guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
            guard bytes[position] == UInt8(ascii: ">") else { throw XMLError(.unexpectedCharacter, at: position) }
            selfClosing = true
        }
        position += 1
        elementCount += 1
        guard elementCount <= limits.maxElements else { throw XMLError(.tooManyElements(limit: limits.maxElements), at: tagStart) }
        guard openElements.count < limits.maxDepth else { throw XMLError(.depthExceeded(limit: limits.maxDepth), at: tagStart) }
        sawRoot = true
        if selfClosing {
            pendingEnd = name
        } else {
            openElements.append(name)
        }
        return .start(name: name)
    }

    private mutating func readAttribute() throws(XMLError) {
        let name = try readName()
        skipWhitespace()
        guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
        guard bytes[position] == UInt8(ascii: "=") else { throw XMLError(.unexpectedCharacter, at: position) }
        position += 1
        skipWhitespace()
        guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
        let quote = bytes[position]
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw XMLError(.unexpectedCharacter, at: position)
        }
        position += 1
        let start = position
        var hasReferences = false
        while position < bytes.count, bytes[position] != quote {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") { throw XMLError(.unexpectedCharacter, at: position) }
            if byte == UInt8(ascii: "&") { hasReferences = true }
            position += 1
            if position - start > limits.maxTextLength { throw XMLError(.textTooLong(limit: limits.maxTextLength), at: start) }
        }
        guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
        let value = start..<position
        position += 1
        for existing in attributes where bytes[existing.name].elementsEqual(bytes[name]) {
            throw XMLError(.duplicateAttribute, at: name.lowerBound)
        }
        guard attributes.count < limits.maxAttributesPerElement else {
            throw XMLError(.tooManyAttributes(limit: limits.maxAttributesPerElement), at: name.lowerBound)
        }
        attributes.append(Attribute(name: name, value: value, hasReferences: hasReferences))
    }

    private mutating func endTag() throws(XMLError) -> Token {
        let tagStart = position
        position += 2
        let name = try readName()
        skipWhitespace()
        guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
        guard bytes[position] == UInt8(ascii: ">") else { throw XMLError(.unexpectedCharacter, at: position) }
        position += 1
        guard let open = openElements.last, bytes[open].elementsEqual(bytes[name]) else {
            throw XMLError(.mismatchedEndTag, at: tagStart)
        }
        openElements.removeLast()
        return .end(name: name)
    }

    // MARK: - Skipped constructs

    private mutating func skipProcessingInstruction() throws(XMLError) {
        let start = position
        position += 2
        let target = try readName()
        guard let end = find("?>", from: position) else { throw XMLError(.unexpectedEnd, at: start) }
        // The XML declaration may only stand at the very start.
        let isDeclaration = target.count == 3 && (bytes[target.lowerBound] | 0x20) == UInt8(ascii: "x")
            && (bytes[target.lowerBound + 1] | 0x20) == UInt8(ascii: "m") && (bytes[target.lowerBound + 2] | 0x20) == UInt8(ascii: "l")
        if isDeclaration && start > 3 { throw XMLError(.unexpectedCharacter, at: start) }
        position = end + 2
    }

    private mutating func skipComment() throws(XMLError) {
        let start = position
        guard let end = find("--", from: position + 4) else { throw XMLError(.unexpectedEnd, at: start) }
        guard end + 2 < bytes.count else { throw XMLError(.unexpectedEnd, at: start) }
        // "--" may only close a comment.
        guard bytes[end + 2] == UInt8(ascii: ">") else { throw XMLError(.unexpectedCharacter, at: end) }
        position = end + 3
    }

    // MARK: - Lexing

    private mutating func readName() throws(XMLError) -> Range<Int> {
        let start = position
        guard position < bytes.count else { throw XMLError(.unexpectedEnd, at: position) }
        guard isNameStart(bytes[position]) else { throw XMLError(.invalidName, at: position) }
        position += 1
        while position < bytes.count, isNameByte(bytes[position]) {
            position += 1
            if position - start > limits.maxNameLength { throw XMLError(.nameTooLong(limit: limits.maxNameLength), at: start) }
        }
        return start..<position
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = position
        while position < bytes.count, isWhitespace(bytes[position]) { position += 1 }
        return position > start
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else {
            // A prefix of the literal at the end of input still identifies it.
            return false
        }
        let pattern = literal.utf8Start
        for index in 0..<count where bytes[position + index] != pattern[index] { return false }
        return true
    }

    private func find(_ literal: StaticString, from start: Int) -> Int? {
        let count = literal.utf8CodeUnitCount
        let pattern = literal.utf8Start
        var index = start
        while index + count <= bytes.count {
            if bytes[index] == pattern[0] {
                var matched = true
                for offset in 1..<count where bytes[index + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    private func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    private func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }
}
