import Foundation
import LinuxPlatform
import XCTest

/// Debian's tftpd-hpa, started by a test on a free loopback port, serving a directory.
final class TFTPServerProcess {
    let process = Process()
    let port: UInt16
    let directory: URL

    init(directory: URL) throws {
        guard getuid() == 0 else { throw XCTSkip("tftpd-hpa needs root to chroot (CI runs as root)") }
        let binary = "/usr/sbin/in.tftpd"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("tftpd-hpa is not installed: run toolchain/install-deps.sh")
        }
        self.directory = directory
        // Any free UDP port: bind, read it, release it for the server.
        let probe = try UDPSocket(family: AF_INET)
        port = try probe.bind(host: "127.0.0.1", port: 0).get()
        _ = consume probe
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-L", "-4", "-a", "127.0.0.1:\(port)", "-s", directory.path, "-u", "nobody"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.3)
        guard process.isRunning else { throw TestFailure("in.tftpd did not start on port \(port)") }
    }

    func add(_ name: String, _ bytes: [UInt8]) throws {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Python's http.server on a free loopback port, serving a directory.
final class HTTPServerProcess {
    let process = Process()
    let port: UInt16

    init(directory: URL) throws {
        let probe = try TCPListener(host: "127.0.0.1", port: 0)
        port = probe.port
        _ = consume probe
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if case .success = TCPConnection.connect(host: "127.0.0.1", port: port, timeoutMs: 100) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("python3 http.server did not start")
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// A TCP server that answers one connection with canned bytes, then closes.
final class CannedHTTPServer: @unchecked Sendable {
    let listener: TCPListener
    let response: [UInt8]
    let pauseMs: Int

    init(response: [UInt8], pauseMs: Int = 0) throws {
        listener = try TCPListener(host: "127.0.0.1", port: 0)
        self.response = response
        self.pauseMs = pauseMs
        Thread { [self] in
            guard case .success(let connection) = listener.accept(timeoutMs: 10_000) else { return }
            _ = connection.receive(timeoutMs: 5_000)
            _ = connection.send(response, timeoutMs: 5_000)
            if pauseMs > 0 { Thread.sleep(forTimeInterval: Double(pauseMs) / 1000) }
        }.start()
    }

    var port: UInt16 { listener.port }
}

/// A UDP relay for one TFTP transfer that drops every `n`th datagram, in either direction.
final class LossyUDPRelay: @unchecked Sendable {
    let clientSide: UDPSocket
    let serverSide: UDPSocket
    let port: UInt16
    private(set) var dropped = 0
    private var running = true

    init(serverPort: UInt16, dropEvery n: Int) throws {
        clientSide = try UDPSocket(family: AF_INET)
        serverSide = try UDPSocket(family: AF_INET)
        port = try clientSide.bind(host: "127.0.0.1", port: 0).get()
        _ = try serverSide.bind(host: "127.0.0.1", port: 0).get()
        let listen = try SocketAddress.resolve(host: "127.0.0.1", port: serverPort).get()
        Thread { [self] in
            var client: SocketAddress?
            var transfer: SocketAddress?

            var count = 0
            while running {
                if case .success(let (datagram, from)) = clientSide.receive(timeoutMs: 20) {
                    client = from
                    count += 1
                    if count % n == 0 { dropped += 1 } else { _ = serverSide.send(datagram, to: transfer ?? listen) }
                }
                if case .success(let (datagram, from)) = serverSide.receive(timeoutMs: 20), let client {
                    // Like the client, the relay keeps to the first server port that answers.
                    if let transfer, !(transfer == from) { continue }
                    transfer = from
                    count += 1
                    if count % n == 0 { dropped += 1 } else { _ = clientSide.send(datagram, to: client) }
                }
            }
        }.start()
    }

    func stop() { running = false }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    var index = 0
    while index < count {
        var word = generator.next()
        for _ in 0..<8 where index < count {
            bytes[index] = UInt8(truncatingIfNeeded: word)
            word >>= 8
            index += 1
        }
    }
    return bytes
}
