import CLinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The Linux board: TFTP or HTTP to the configured servers, the state directory as
/// flash, CAPF over TCP+TLS, the terminal as prompt, stderr as console.
public struct LinuxPhonePlatform: PhonePlatform {
    public enum Transport {
        case tftp
        case http

        public var defaultPort: UInt16 { self == .tftp ? 69 : 6970 }
        public var name: String { self == .tftp ? "TFTP" : "HTTP" }
    }

    public struct Server {
        public let host: String
        public let port: UInt16
        public init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }
    }

    /// Largest file accepted from a server: far above a real config, far below memory.
    public static let maxFileSize = 8 * 1024 * 1024

    let servers: [Server]
    let transport: Transport
    let storage: PhoneStorage
    let started: UInt64
    let console: (UInt64, String) -> Void
    /// The longest a single file fetch may take, whatever the server does.
    public var fetchDeadlineMs: UInt64 = 60_000

    /// `console` receives each line with its time since start, in milliseconds.
    public init(servers: [Server], transport: Transport, storage: PhoneStorage,
                console: @escaping (UInt64, String) -> Void) {
        self.servers = servers
        self.transport = transport
        self.storage = storage
        let started = clp_monotonic_ms()
        self.started = started
        self.console = console
    }

    func line(_ text: String) { console(clp_monotonic_ms() - started, text) }

    public mutating func fetch(_ name: String, server: Int) -> FetchResult {
        let target = servers[min(server, servers.count - 1)]
        let where_ = target.host + ":" + String(target.port)
        switch transport {
        case .http:
            line("HTTP: GET /" + name + " from " + where_)
            var client = HTTPClient(maxSize: Self.maxFileSize)
            client.totalTimeoutMs = fetchDeadlineMs
            return client.fetch(name, host: target.host, port: target.port)
        case .tftp:
            line("TFTP: RRQ " + name + " from " + where_)
            return TFTPClient(maxSize: Self.maxFileSize).fetch(name, host: target.host, port: target.port)
        }
    }

    public mutating func saveTrustList(_ kind: TrustListKind, _ bytes: [UInt8]) -> Bool {
        report(storage.saveTrustList(kind, bytes), "store " + kind.name)
    }

    public mutating func saveEncryptedFlag(_ value: Bool) -> Bool {
        report(storage.saveLastConfigEncrypted(value), "store the encrypted-config flag")
    }

    private func report(_ result: Result<Void, FileError>, _ what: String) -> Bool {
        if case .failure(let error) = result {
            line("FLASH: could not " + what + ": " + error.reason)
            return false
        }
        return true
    }

    public mutating func connect(host: String, port: UInt16, timeoutMs: Int32) -> Result<TCPStream, StreamError> {
        switch TCPConnection.connect(host: host, port: port, timeoutMs: timeoutMs) {
        case .success(let connection): return .success(TCPStream(connection: connection))
        case .failure(let error): return .failure(TCPStream.map(error))
        }
    }

    public mutating func saveLSC(_ identity: Identity) -> Bool {
        report(storage.saveLSC(identity), "store the LSC")
    }

    public mutating func deleteLSC() -> Bool {
        report(storage.deleteLSC(), "delete the LSC")
    }

    public mutating func log(line text: String) {
        line(text)
    }

    public mutating func askForAuthString(retry: Bool) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        LinuxConsole.write(Array((retry ? "Authentication string refused. Enter it again: " : "Authentication string: ").utf8),
                           toErrorStream: true)
        let length = buffer.withUnsafeMutableBufferPointer { clp_read_terminal_line($0.baseAddress, $0.count) }
        guard length >= 0 else { return nil }
        buffer.removeLast(buffer.count - Int(length))
        return buffer
    }

    public func now() -> UInt64 { clp_monotonic_ms() }

    public mutating func sleep(until time: UInt64) {
        let now = clp_monotonic_ms()
        if time > now { clp_sleep_ms(time - now) }
    }

    public mutating func reset() {
        line("BOOT: reset")
    }

    public mutating func log(_ event: BootEvent) {
        line(event.consoleLine)
    }
}

/// A TCP connection as the core's `ByteStream`.
public struct TCPStream: ByteStream {
    let connection: TCPConnection

    public mutating func send(_ bytes: [UInt8], timeoutMs: Int32) -> Result<Void, StreamError> {
        connection.send(bytes, timeoutMs: timeoutMs).mapError { Self.map($0) }
    }

    public mutating func receive(timeoutMs: Int32) -> Result<[UInt8], StreamError> {
        connection.receive(timeoutMs: timeoutMs).mapError { Self.map($0) }
    }

    static func map(_ error: NetworkError) -> StreamError {
        switch error {
        case .timedOut: return .timedOut
        case .closed: return .closed
        default: return .failed(error.reason)
        }
    }
}
