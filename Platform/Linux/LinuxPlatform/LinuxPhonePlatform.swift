import CLinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What the Linux board puts on its console: the core's events and the board's own.
/// Data only; the program makes the text (or JSON) of each.
public enum ConsoleEntry {
    case boot(BootEvent, transition: BootTransition?)
    case capf(CAPFEvent)
    /// A TVS server was asked (by the trust decision) and this came of it.
    case tvs(DeviceConfiguration.TVSServer, TVSQueryResult)
    /// A file fetch starts.
    case fetching(LinuxPhonePlatform.Transport, name: String, from: LinuxPhonePlatform.Server)
    /// The HTTPS configuration download starts: `pinned` certificates, the client
    /// certificate's subject.
    case fetchingOverHTTPS(name: String, host: String, port: UInt16, pinned: Int, client: String)
    /// A flash write failed (the core goes on).
    case storageFailed(StoredItem, FileError)
    case reset
    /// The TLS key log is on: said once, at the start of the run.
    case keyLogOn(path: String)
}

extension ConsoleEntry {
    /// What the entry says, field by field (see `EventRecord`).
    public var record: EventRecord {
        let kind: EventKind
        switch self {
        case .boot(let event, _): return event.record
        case .capf(let event): return event.record
        case .tvs: kind = .tvsAsked
        case .fetching, .fetchingOverHTTPS: kind = .fetching
        case .storageFailed: kind = .storageFailed
        case .reset: kind = .reset
        case .keyLogOn: kind = .keyLogOn
        }
        var record = EventRecord(kind)
        switch self {
        case .boot, .capf, .reset: break
        case .tvs(let server, let result):
            record.host = server.host
            record.port = server.port
            record.tvsAnswer = result
        case .fetching(let transport, let name, let server):
            record.transport = transport == .http ? .http : .tftp
            record.file = name
            record.host = server.host
            record.port = server.port
        case .fetchingOverHTTPS(let name, let host, let port, let pinned, let client):
            record.transport = .https
            record.file = name
            record.host = host
            record.port = port
            record.pinned = pinned
            record.clientCertificate = client
        case .storageFailed(let item, let error):
            record.storedItem = item
            record.cause = .platform(error.reason)
        case .keyLogOn(let path):
            record.file = path
        }
        return record
    }

    /// The state a boot step entered; nil for every other entry.
    public var enteredState: BootStateKind? {
        if case .boot(_, let transition) = self { return transition?.to }
        return nil
    }
}

/// The Linux board: TFTP or HTTP to the configured servers, the state directory as
/// flash, CAPF, TVS and the HTTPS configuration over TCP+TLS, the terminal as prompt, a console callback.
public struct LinuxPhonePlatform: PhonePlatform, TCPConnector, TLSKeyLog, KeyStore {
    public enum Transport {
        case tftp
        case http

        public var defaultPort: UInt16 { self == .tftp ? 69 : 6970 }
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
    let console: (UInt64, ConsoleEntry) -> Void
    /// The longest a single file fetch may take, whatever the server does.
    public var fetchDeadlineMs: UInt64 = 60_000
    /// How CAPF sessions run (timeouts).
    public var capfRunner = CAPFRunner()
    /// How TVS queries run (timeouts).
    public var tvsRunner = TVSRunner()
    /// How the HTTPS configuration download runs (timeouts, size cap).
    public var httpsRunner = HTTPSConfigRunner()
    /// Where TLS session secrets are appended (NSS key log format), when asked for.
    public private(set) var keyLogPath: String?
    /// Who answers when CAPF wants an authentication string (`retry`: the last one was
    /// refused); nil: the terminal.
    public var authStringPrompt: ((Bool) -> [UInt8]?)?
    /// Who restarts the phone after a reset: this process (the host), or the board.
    public var resets = ResetKind.inProcess
    /// The board's load slots, when it has them (`--slots`): an update writes them.
    public var slots: SlotStore?

    /// `console` receives each entry with its time since start, in milliseconds.
    public init(servers: [Server], transport: Transport, storage: PhoneStorage,
                console: @escaping (UInt64, ConsoleEntry) -> Void) {
        self.servers = servers
        self.transport = transport
        self.storage = storage
        let started = clp_monotonic_ms()
        self.started = started
        self.console = console
    }

    func show(_ entry: ConsoleEntry) { console(clp_monotonic_ms() - started, entry) }

    public mutating func fetch(_ name: String, server: Int) -> FetchResult {
        let target = servers[min(server, servers.count - 1)]
        show(.fetching(transport, name: name, from: target))
        switch transport {
        case .http:
            return HTTPClient(maxSize: Self.maxFileSize, totalTimeoutMs: fetchDeadlineMs).fetch(name, host: target.host, port: target.port)
        case .tftp:
            return TFTPClient(maxSize: Self.maxFileSize, totalTimeoutMs: fetchDeadlineMs).fetch(name, host: target.host, port: target.port)
        }
    }

    public mutating func saveTrustList(_ kind: TrustListKind, _ bytes: [UInt8]) -> Bool {
        report(storage.saveTrustList(kind, bytes), .trustList(kind))
    }

    public mutating func saveEncryptedFlag(_ value: Bool) -> Bool {
        report(storage.saveLastConfigEncrypted(value), .encryptedFlag)
    }

    public mutating func saveTVSServers(_ servers: [DeviceConfiguration.TVSServer]) -> Bool {
        report(storage.saveTVSServers(servers), .tvsServers)
    }

    private func report(_ result: Result<Void, FileError>, _ item: StoredItem) -> Bool {
        if case .failure(let error) = result {
            show(.storageFailed(item, error))
            return false
        }
        return true
    }

    public mutating func connect(host: String, port: UInt16, timeoutMs: Int32) -> Result<TCPStream, StreamError> {
        switch TCPConnection.connect(host: host, port: port, timeoutMs: timeoutMs) {
        case .success(let connection): return .success(TCPStream(connection: connection))
        case .failure(let error): return .failure(error.streamError)
        }
    }

    public mutating func saveLSC(_ identity: Identity) -> Bool {
        report(storage.saveLSC(identity), .lsc)
    }

    public mutating func deleteLSC() -> Bool {
        report(storage.deleteLSC(), .lscRemoval)
    }

    public mutating func log(_ event: CAPFEvent) {
        show(.capf(event))
    }

    public mutating func enroll(_ request: CAPFRequest, rng: RandomGenerator) -> CAPFOutcome<Identity> {
        let runner = capfRunner
        return runner.run(request, rng: rng, on: &self)
    }

    public mutating func ask(_ query: TVSQuery, rng: RandomGenerator) -> TVSQueryResult {
        let runner = tvsRunner
        let result = runner.run(query, rng: rng, on: &self)
        show(.tvs(query.server, result))
        return result
    }

    public mutating func fetchOverHTTPS(_ request: HTTPSConfigRequest, rng: RandomGenerator) -> HTTPSConfigResult {
        let host = servers[min(request.server, servers.count - 1)].host
        show(.fetchingOverHTTPS(name: request.name, host: host, port: request.port, pinned: request.pinned.count,
                                client: request.clientIdentity.certificate.subject))
        let runner = httpsRunner
        return runner.run(request, host: host, rng: rng, on: &self)
    }

    public mutating func askForAuthString(retry: Bool) -> [UInt8]? {
        if let authStringPrompt { return authStringPrompt(retry) }
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

    public mutating func generateKey(_ kind: KeyKind, rng: RandomGenerator) throws(CryptoError) -> PrivateKey {
        try storage.generateKey(kind, rng: rng)
    }

    public mutating func reset(count: Int) -> ResetKind {
        // A board's reboot loses the process: the count goes on the flash first, so that
        // the next power-on still counts toward the bound. A count the flash does not take
        // would be lost with a reboot, so the phone starts over in this process instead,
        // where the machine still counts.
        let kind = resets == .board && !report(storage.saveBoardResets(count), .resetCount) ? .inProcess : resets
        show(.reset)
        return kind
    }

    /// Whether this build can keep a TLS key log at all: a debug build (the tests, Wireshark)
    /// can; a release build — the firmware, the C library — cannot, so no shipped phone
    /// holds code that writes its sessions' secrets to a file.
    #if PHONE_KEY_LOG
    public static let keepsKeyLog = true
    #else
    public static let keepsKeyLog = false
    #endif

    public var logsTLSSecrets: Bool { Self.keepsKeyLog && keyLogPath != nil }

    /// Turns the key log on (off unless asked) and says so on the console. The caller has
    /// refused `--keylog` where the build keeps none (`PhoneFailure.refuseKeyLog`).
    public mutating func logTLSSecrets(to path: String) {
        guard Self.keepsKeyLog else { return }
        keyLogPath = path
        show(.keyLogOn(path: path))
    }

    public mutating func record(_ secrets: TLSSessionSecrets) {
        guard Self.keepsKeyLog, let keyLogPath else { return }
        _ = report(KeyLogFile.append(secrets, to: keyLogPath), .keyLog)
    }


    public mutating func log(_ event: BootEvent, transition: BootTransition?) {
        show(.boot(event, transition: transition))
    }
}

/// A TCP connection as the core's `ByteStream`.
public struct TCPStream: ByteStream {
    let connection: TCPConnection

    public mutating func send(_ bytes: [UInt8], timeoutMs: Int32) -> Result<Void, StreamError> {
        connection.send(bytes, timeoutMs: timeoutMs).mapError { $0.streamError }
    }

    public mutating func receive(timeoutMs: Int32) -> Result<[UInt8], StreamError> {
        connection.receive(timeoutMs: timeoutMs).mapError { $0.streamError }
    }
}
