import PhoneCrypto

/// Why a TLS channel to a cluster service (CAPF, TVS, HTTPS configuration) failed. Data only.
public enum TLSChannelProblem: Error, Equatable {
    case connect(StreamError)
    /// The connection broke after it was open.
    case stream(StreamError)
    case tls(TLSError)
    /// No bytes from the server within the read timeout.
    case stoppedAnswering(afterMs: Int32)
}

/// How long the phone's TLS connections wait, for every service in one place.
public struct TLSTimeouts: Sendable {
    public var connectMs: Int32
    public var handshakeMs: Int32
    /// For one send, and between two pieces of what the server sends.
    public var readMs: Int32
    /// The whole download, from the connect on, where the service has a deadline of its own
    /// (a server dripping one byte a read would otherwise hold the phone for ever): the
    /// HTTPS configuration's. CAPF and TVS are one exchange each, bounded by `readMs`.
    public var totalMs: UInt64?
    /// Sending close_notify at the end: best effort, so short.
    public var closeMs: Int32 = 1_000

    public init(connectMs: Int32 = 5_000, handshakeMs: Int32 = 10_000, readMs: Int32, totalMs: UInt64? = nil) {
        self.connectMs = connectMs
        self.handshakeMs = handshakeMs
        self.readMs = readMs
        self.totalMs = totalMs
    }

    /// CAPF: the phone generates its key between two server messages, so that time does
    /// not count against the server; a server may take a while to issue the certificate.
    public static let capf = TLSTimeouts(readMs: 30_000)
    /// TVS answers from a database lookup, at once.
    public static let tvs = TLSTimeouts(readMs: 5_000)
    /// The configuration over HTTPS 6971: a full configuration is tens of kilobytes.
    public static let httpsConfiguration = TLSTimeouts(readMs: 10_000, totalMs: 30_000)
    /// A secure channel of the C API: a caller's timeout bounds its open (connect and
    /// handshake) and each read; 0 means `readMs`, which also bounds each write.
    public static let channel = TLSTimeouts(connectMs: 10_000, handshakeMs: 10_000, readMs: 10_000)
}

/// A client TLS connection over the platform's TCP, the server pinned: the handshake,
/// one TCP send per message, plaintext reads. What CAPF and TVS sessions and the HTTPS
/// configuration download run over.
struct TLSChannel<Connection: ByteStream> {
    let tls: TLSEngine
    var connection: Connection
    let closeMs: Int32

    /// Connects, runs the handshake and hands the session's secrets to the key log
    /// when it is on.
    static func open<P: TCPConnector & TLSKeyLog>(host: String, port: UInt16, pinned: [Certificate], clientIdentity: Identity? = nil,
                                                 rng: RandomGenerator, timeouts: TLSTimeouts,
                                                 on platform: inout P) throws(TLSChannelProblem) -> TLSChannel<P.Connection> {
        let connection: P.Connection
        switch platform.connect(host: host, port: port, timeoutMs: timeouts.connectMs) {
        case .success(let opened): connection = opened
        case .failure(let error): throw .connect(error)
        }
        let tls: TLSEngine
        do {
            tls = try TLSEngine(pinnedServerCertificates: pinned, clientIdentity: clientIdentity, rng: rng,
                                exportSecrets: platform.logsTLSSecrets)
        } catch {
            throw .tls(error)
        }
        var channel = TLSChannel<P.Connection>(tls: tls, connection: connection, closeMs: timeouts.closeMs)
        try channel.handshake(timeoutMs: timeouts.handshakeMs)
        if let secrets = tls.sessionSecrets { platform.record(secrets) }
        return channel
    }

    private mutating func handshake(timeoutMs: Int32) throws(TLSChannelProblem) {
        while true {
            let done: Bool
            do { done = try tls.handshake() } catch { throw .tls(error) }
            if tls.hasOutgoing {
                if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: timeoutMs) { throw .stream(error) }
            }
            if done { return }
            switch connection.receive(timeoutMs: timeoutMs) {
            case .success(let bytes): tls.receive(bytes[...])
            case .failure(let error): throw .stream(error)
            }
        }
    }

    /// Plaintext, or nil when the server closed the connection.
    mutating func read(timeoutMs: Int32) throws(TLSChannelProblem) -> [UInt8]? {
        while true {
            do {
                if let plaintext = try tls.read() { return plaintext }
            } catch {
                if error == .closed { return nil }
                throw .tls(error)
            }
            switch connection.receive(timeoutMs: timeoutMs) {
            case .success(let bytes): tls.receive(bytes[...])
            case .failure(.closed): return nil
            case .failure(.timedOut): throw .stoppedAnswering(afterMs: timeoutMs)
            case .failure(let error): throw .stream(error)
            }
        }
    }

    /// One message, one TLS write, one TCP send.
    mutating func send(_ message: [UInt8], timeoutMs: Int32) throws(TLSChannelProblem) {
        do { try tls.write(message) } catch { throw .tls(error) }
        if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: timeoutMs) { throw .stream(error) }
    }

    /// Sends close_notify, best effort.
    mutating func close() {
        tls.close()
        _ = connection.send(tls.takeOutgoing(), timeoutMs: closeMs)
    }
}
