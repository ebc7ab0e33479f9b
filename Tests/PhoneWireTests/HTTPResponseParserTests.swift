import PhoneWire
import XCTest

/// The response parser keeping the body, and streaming it: the same bytes either way,
/// whatever the framing and however the bytes arrive; the cap counts streamed bytes too.
final class HTTPResponseParserTests: XCTestCase {
    static let body = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 13) }

    static func responses() -> [(String, [UInt8])] {
        var chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for start in stride(from: 0, to: body.count, by: 1500) {
            let piece = body[start..<min(start + 1500, body.count)]
            chunked += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + [13, 10]
        }
        chunked += Array("0\r\n\r\n".utf8)
        return [("Content-Length", Array("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".utf8) + body),
                ("chunked", chunked),
                ("until close", Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + body)]
    }

    func testTheStreamedBodyIsTheKeptBody() throws {
        for (framing, response) in Self.responses() {
            for piece in [1, 97, 4096, response.count] {
                var kept = HTTPResponseParser(bodyLimit: 10_000)
                var streaming = HTTPResponseParser(bodyLimit: 10_000, keepsBody: false)
                var streamed: [UInt8] = []
                var whole: HTTPResponseParser.Response?
                for start in stride(from: 0, to: response.count, by: piece) {
                    let bytes = response[start..<min(start + piece, response.count)]
                    whole = try kept.feed(bytes) ?? whole
                    let done = try streaming.feed(bytes)
                    streamed += streaming.takeBody()
                    if let done { XCTAssertEqual(done.body, [], "a streaming parser keeps nothing") }
                }
                if whole == nil { whole = try kept.finish() }
                if !streaming.isComplete { XCTAssertEqual(try streaming.finish().body, []) }
                streamed += streaming.takeBody()
                XCTAssertEqual(whole?.body, Self.body, framing + " kept, pieces of \(piece)")
                XCTAssertEqual(streamed, Self.body, framing + " streamed, pieces of \(piece)")
            }
        }
    }

    func testTheCapCountsStreamedBytes() throws {
        var streaming = HTTPResponseParser(bodyLimit: 4000, keepsBody: false)
        let response = Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + Self.body
        XCTAssertThrowsError(try streaming.feed(response[...])) { error in
            XCTAssertEqual(error as? HTTPResponseParser.ParseError, .bodyTooLarge(limit: 4000))
        }
    }
}
