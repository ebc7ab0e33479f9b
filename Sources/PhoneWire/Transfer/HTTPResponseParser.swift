/// An incremental HTTP/1.1 response parser for the phone's file fetches (port 6970):
/// status line, bounded headers, a body by Content-Length, chunked, or until close.
public struct HTTPResponseParser {
    public enum ParseError: WireFault, Equatable, Sendable {
        case malformedStatusLine
        case headersTooLarge(limit: Int)
        case malformedHeader(offset: Int)
        case malformedChunk(offset: Int)
        case bodyTooLarge(limit: Int)
        /// The connection closed before the announced body arrived.
        case truncatedBody(received: Int, expected: Int?)
        case conflictingLengths

        public var code: String {
            switch self {
            case .malformedStatusLine: return "malformedStatusLine"
            case .headersTooLarge: return "headersTooLarge"
            case .malformedHeader: return "malformedHeader"
            case .malformedChunk: return "malformedChunk"
            case .bodyTooLarge: return "bodyTooLarge"
            case .truncatedBody: return "truncatedBody"
            case .conflictingLengths: return "conflictingLengths"
            }
        }

        /// From the start of the response.
        public var offset: Int? {
            switch self {
            case .malformedHeader(let offset), .malformedChunk(let offset): return offset
            default: return nil
            }
        }

        public var problem: String {
            switch self {
            case .malformedStatusLine: return "HTTP: malformed status line"
            case .headersTooLarge(let limit): return "HTTP: headers over " + String(limit) + " bytes"
            case .malformedHeader: return "HTTP: malformed header"
            case .malformedChunk: return "HTTP: malformed chunk"
            case .bodyTooLarge(let limit): return "HTTP: body over the " + String(limit) + "-byte cap"
            case .truncatedBody(let received, let expected):
                return "HTTP: connection closed after " + String(received) + " body bytes"
                    + (expected.map { " of " + String($0) } ?? "")
            case .conflictingLengths: return "HTTP: conflicting Content-Length and Transfer-Encoding"
            }
        }
    }

    public struct Response {
        public let status: Int
        public let body: [UInt8]
    }

    public static let headerLimit = 16 * 1024
    let bodyLimit: Int

    private enum Phase {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var phase: Phase = .head
    private var pending: [UInt8] = []
    private var consumed = 0
    public private(set) var status = 0
    /// The body so far, when the parser keeps it.
    private var body: [UInt8] = []
    /// The body bytes since the last `takeBody`, when the parser streams it.
    private var streamed: [UInt8] = []
    /// Body bytes received, kept or streamed: what the limit counts.
    private var bodyCount = 0
    private let keepsBody: Bool
    private var expectedLength: Int?

    /// `keepsBody` false: the body is never held whole; the caller takes what arrived after
    /// each `feed` (`takeBody`), and the response's `body` is empty.
    public init(bodyLimit: Int, keepsBody: Bool = true) {
        self.bodyLimit = bodyLimit
        self.keepsBody = keepsBody
    }

    /// The body bytes that arrived since the last call (a streaming parser's).
    public mutating func takeBody() -> [UInt8] {
        defer { streamed = [] }
        return streamed
    }

    public var isComplete: Bool {
        if case .done = phase { return true }
        return false
    }

    /// Feeds bytes; returns the response once it is complete.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> Response? {
        pending += bytes
        while true {
            switch phase {
            case .head:
                guard let end = find([13, 10, 13, 10]) else {
                    if pending.count > Self.headerLimit { throw .headersTooLarge(limit: Self.headerLimit) }
                    return nil
                }
                guard end + 4 <= Self.headerLimit else { throw .headersTooLarge(limit: Self.headerLimit) }
                try parseHead(Array(pending[0..<end]))
                take(end + 4)
            case .fixed(let remaining):
                let count = min(remaining, pending.count)
                try append(count)
                if remaining - count == 0 {
                    phase = .done
                } else {
                    phase = .fixed(remaining: remaining - count)
                    return nil
                }
            case .chunkSize:
                guard let end = find([13, 10]) else {
                    if pending.count > 64 { throw .malformedChunk(offset: consumed) }
                    return nil
                }
                var size = 0
                var digits = 0
                for byte in pending[0..<end] {
                    if byte == UInt8(ascii: ";") { break }  // chunk extensions are ignored
                    guard let value = hexNibble(byte), digits < 8 else { throw .malformedChunk(offset: consumed) }
                    size = size * 16 + value
                    digits += 1
                }
                guard digits > 0 else { throw .malformedChunk(offset: consumed) }
                take(end + 2)
                phase = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let count = min(remaining, pending.count)
                try append(count)
                if remaining - count > 0 {
                    phase = .chunkData(remaining: remaining - count)
                    return nil
                }
                phase = .chunkDataEnd
            case .chunkDataEnd:
                guard pending.count >= 2 else { return nil }
                guard pending[0] == 13, pending[1] == 10 else { throw .malformedChunk(offset: consumed) }
                take(2)
                phase = .chunkSize
            case .trailers:
                guard let end = find([13, 10]) else {
                    if pending.count > Self.headerLimit { throw .headersTooLarge(limit: Self.headerLimit) }
                    return nil
                }
                take(end + 2)
                if end == 0 { phase = .done }
            case .untilClose:
                try append(pending.count)
                return nil
            case .done:
                return Response(status: status, body: body)
            }
        }
    }

    /// The connection closed: completes a body read until close, else reports truncation.
    public mutating func finish() throws(ParseError) -> Response {
        switch phase {
        case .done, .untilClose:
            phase = .done
            return Response(status: status, body: body)
        default:
            throw .truncatedBody(received: bodyCount, expected: expectedLength)
        }
    }

    private mutating func parseHead(_ head: [UInt8]) throws(ParseError) {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < head.count {
            if head[index] == 13, head[index + 1] == 10 {
                lines.append(head[start..<index])
                start = index + 2
                index += 2
                continue
            }
            index += 1
        }
        lines.append(head[start..<head.count])
        guard let statusLine = lines.first else { throw .malformedStatusLine }
        // "HTTP/1.x NNN reason"
        let words = statusLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count >= 2, words[0].starts(with: "HTTP/1.".utf8), words[1].count == 3,
              let code = DecimalNumber.parse(words[1], maxDigits: 3) else {
            throw .malformedStatusLine
        }
        status = code
        var contentLength: Int?
        var chunked = false
        var offset = statusLine.count + 2
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedHeader(offset: offset) }
            let name = line[line.startIndex..<colon].map { $0 | 0x20 }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
            while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
            if name.elementsEqual("content-length".utf8) {
                guard let length = DecimalNumber.parse(value, maxDigits: 12) else { throw .malformedHeader(offset: offset) }
                if let contentLength, contentLength != length { throw .conflictingLengths }
                contentLength = length
            } else if name.elementsEqual("transfer-encoding".utf8) {
                chunked = value.map({ $0 | 0x20 }).elementsEqual("chunked".utf8)
                guard chunked else { throw .malformedHeader(offset: offset) }
            }
            offset += line.count + 2
        }
        if chunked && contentLength != nil { throw .conflictingLengths }
        expectedLength = contentLength
        if status == 204 || status == 304 || (100...199).contains(status) {
            phase = .done
        } else if chunked {
            phase = .chunkSize
        } else if let contentLength {
            // A hostile 2 GB Content-Length is refused before a byte of body is kept.
            guard contentLength <= bodyLimit else { throw .bodyTooLarge(limit: bodyLimit) }
            if keepsBody { body.reserveCapacity(contentLength) }
            phase = contentLength == 0 ? .done : .fixed(remaining: contentLength)
        } else {
            phase = .untilClose
        }
    }

    private mutating func append(_ count: Int) throws(ParseError) {
        guard bodyCount + count <= bodyLimit else { throw .bodyTooLarge(limit: bodyLimit) }
        if keepsBody { body += pending[0..<count] } else { streamed += pending[0..<count] }
        bodyCount += count
        take(count)
    }

    private mutating func take(_ count: Int) {
        pending.removeFirst(count)
        consumed += count
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard pending.count >= pattern.count else { return nil }
        var index = 0
        while index + pattern.count <= pending.count {
            if pending[index] == pattern[0] && Array(pending[index..<(index + pattern.count)]) == pattern { return index }
            index += 1
        }
        return nil
    }
}
