import Foundation
import LinuxPlatform
import PhoneCore
import TestSupport
import XCTest

final class HTTPClientTests: XCTestCase {
    func testSizesAnd404AgainstPythonHttpServer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String: [UInt8]] = [:]
        for size in [0, 511, 512, 513, 1_000_000, 40 * 1024 * 1024] {
            files["f\(size).bin"] = randomBytes(size)
            try Data(files["f\(size).bin"]!).write(to: directory.appendingPathComponent("f\(size).bin"))
        }
        let server = try HTTPServerProcess(directory: directory)
        let client = HTTPClient(maxSize: 64 * 1024 * 1024)
        for (name, content) in files {
            guard case .file(let bytes) = client.fetch(name, host: "127.0.0.1", port: server.port) else { return XCTFail(name) }
            XCTAssertTrue(bytes == content, name)
        }
        guard case .notFound = client.fetch("missing.bin", host: "127.0.0.1", port: server.port) else { return XCTFail() }
        // The cap, with the size announced.
        guard case .failed(let reason) = HTTPClient(maxSize: 1000).fetch("f1000000.bin", host: "127.0.0.1", port: server.port) else {
            return XCTFail()
        }
        XCTAssertEqual(reason, .httpMalformed(.bodyTooLarge(limit: 1000)))
    }

    private func fetch(_ response: String, maxSize: Int = 1_000_000) throws -> FetchResult {
        let server = try CannedHTTPServer(response: Array(response.utf8))
        return HTTPClient(maxSize: maxSize).fetch("x", host: "127.0.0.1", port: server.port)
    }

    func testChunkedBody() throws {
        guard case .file(let bytes) = try fetch("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n") else {
            return XCTFail()
        }
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "hello world")
    }

    func testServerDyingMidBody() throws {
        guard case .failed(let reason) = try fetch("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "x", count: 100)) else {
            return XCTFail()
        }
        XCTAssertEqual(reason, .httpMalformed(.truncatedBody(received: 100, expected: 1000)))
    }

    func testHostileHeaders() throws {
        guard case .failed(let huge) = try fetch("HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\nxx") else { return XCTFail() }
        XCTAssertEqual(huge, .httpMalformed(.bodyTooLarge(limit: 1_000_000)))
        guard case .failed(let redirect) = try fetch("HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/x\r\nContent-Length: 0\r\n\r\n") else {
            return XCTFail()
        }
        XCTAssertEqual(redirect, .httpRedirect(302))
        guard case .failed(let garbage) = try fetch("SSH-2.0-OpenSSH\r\n\r\n") else { return XCTFail() }
        XCTAssertEqual(garbage, .httpMalformed(.malformedStatusLine))
        guard case .failed(let conflicting) = try fetch("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello") else {
            return XCTFail()
        }
        XCTAssertEqual(conflicting, .httpMalformed(.conflictingLengths))
        guard case .failed(let chunk) = try fetch("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") else { return XCTFail() }
        guard case .httpMalformed(.malformedChunk) = chunk else { return XCTFail("\(chunk)") }
    }

    func testSlowServerHitsTheDeadline() throws {
        let server = try CannedHTTPServer(response: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".utf8), pauseMs: 3_000)
        var client = HTTPClient(maxSize: 1000)
        client.readTimeoutMs = 300
        guard case .failed(let reason) = client.fetch("x", host: "127.0.0.1", port: server.port) else { return XCTFail() }
        XCTAssertEqual(reason, .connection(.timedOut))
    }
}
