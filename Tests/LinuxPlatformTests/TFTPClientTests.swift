import Foundation
import LinuxPlatform
import PhoneCore
import TestSupport
import XCTest

final class TFTPClientTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tftp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func client(blockSize: Int) -> TFTPClient {
        var client = TFTPClient(maxSize: 64 * 1024 * 1024)
        client.options.blockSize = blockSize
        client.options.initialTimeoutMs = 200
        return client
    }

    func testSizesAndBlockSizesAgainstTftpdHpa() throws {
        let server = try TFTPServerProcess(directory: directory)
        let sizes = [0, 511, 512, 513, 1_000_000]
        var files: [String: [UInt8]] = [:]
        for size in sizes {
            files["f\(size).bin"] = randomBytes(size)
            try server.add("f\(size).bin", files["f\(size).bin"]!)
        }
        for blockSize in [512, 1428] {
            for size in sizes {
                guard case .file(let bytes) = client(blockSize: blockSize).fetch("f\(size).bin", host: "127.0.0.1", port: server.port) else {
                    return XCTFail("size \(size), blksize \(blockSize)")
                }
                XCTAssertEqual(bytes, files["f\(size).bin"], "size \(size), blksize \(blockSize)")
            }
        }
        guard case .notFound = client(blockSize: 512).fetch("missing.bin", host: "127.0.0.1", port: server.port) else {
            return XCTFail("a missing file is not found")
        }
    }

    /// 40 MB at 512-byte blocks is 81 920 blocks: the block number wraps past 65535.
    func testFortyMegabytesWrapTheBlockNumber() throws {
        let server = try TFTPServerProcess(directory: directory)
        let file = randomBytes(40 * 1024 * 1024)
        try server.add("big.bin", file)
        guard case .file(let bytes) = client(blockSize: 512).fetch("big.bin", host: "127.0.0.1", port: server.port) else {
            return XCTFail()
        }
        XCTAssertEqual(bytes.count, file.count)
        XCTAssertTrue(bytes == file)
    }

    func testThroughARelayDroppingEverySeventhPacket() throws {
        let server = try TFTPServerProcess(directory: directory)
        let file = randomBytes(100_000)
        try server.add("lossy.bin", file)
        // One relay per transfer: it follows a single server transfer ID, as a client does.
        for blockSize in [512, 1428] {
            let relay = try LossyUDPRelay(serverPort: server.port, dropEvery: 7)
            defer { relay.stop() }
            var lossy = client(blockSize: blockSize)
            lossy.options.initialTimeoutMs = 100
            lossy.options.maxRetries = 8
            let result = lossy.fetch("lossy.bin", host: "127.0.0.1", port: relay.port)
            guard case .file(let bytes) = result else { return XCTFail("blksize \(blockSize): \(result)") }
            XCTAssertTrue(bytes == file, "blksize \(blockSize)")
            XCTAssertGreaterThan(relay.dropped, 5, "blksize \(blockSize)")
        }
    }

    func testSizeCapRefusesLargeFiles() throws {
        let server = try TFTPServerProcess(directory: directory)
        try server.add("large.bin", randomBytes(100_000))
        var small = TFTPClient(maxSize: 10_000)
        small.options.initialTimeoutMs = 200
        guard case .failed(let reason) = small.fetch("large.bin", host: "127.0.0.1", port: server.port) else { return XCTFail() }
        XCTAssertEqual(reason, .tftp(.tooLarge(limit: 10_000)))
        // Without tsize the cap still holds, counted block by block.
        small.options.askForSize = false
        guard case .failed(let again) = small.fetch("large.bin", host: "127.0.0.1", port: server.port) else { return XCTFail() }
        XCTAssertEqual(again, .tftp(.tooLarge(limit: 10_000)))
    }

    func testNobodyListeningTimesOutWithBackOff() throws {
        let silent = try UDPSocket(family: AF_INET)
        let port = try silent.bind(host: "127.0.0.1", port: 0).get()
        var client = TFTPClient(maxSize: 1000)
        client.options.initialTimeoutMs = 50
        client.options.maxRetries = 3
        guard case .failed(let reason) = client.fetch("x", host: "127.0.0.1", port: port) else { return XCTFail() }
        XCTAssertEqual(reason, .tftp(.timedOut(retries: 3)))
    }
}
