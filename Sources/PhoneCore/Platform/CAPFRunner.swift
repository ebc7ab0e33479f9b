import PhoneCrypto
import PhoneWire

/// Runs one CAPF session over the platform's TCP and the core's TLS: carries out the
/// session's actions (send, generate the key, persist or delete the LSC through the
/// platform's storage) and returns how it ended.
public struct CAPFRunner {
    public var connectTimeoutMs: Int32 = 5_000
    public var handshakeTimeoutMs: Int32 = 10_000
    /// Between two server messages. Key generation happens between messages on the
    /// phone's side, so it does not count against the server.
    public var readTimeoutMs: Int32 = 30_000

    public init() {}

    /// `pinned`: the CAPF certificates of the installed trust lists; the server must
    /// present one of them, byte for byte.
    public func run<P: PhonePlatform>(_ request: CAPFRequest, pinned: [Certificate], lsc: Identity?, mic: Identity?,
                                      rng: RandomGenerator, on platform: inout P) -> CAPFOutcome {
        guard !pinned.isEmpty else { return .failed("no CAPF certificate in the installed trust lists") }
        var connection: P.Connection
        switch platform.connect(host: request.server.host, port: request.server.port, timeoutMs: connectTimeoutMs) {
        case .success(let opened): connection = opened
        case .failure(let error):
            return .unreachable("connect to " + request.server.host + ":" + String(request.server.port) + ": " + error.reason)
        }
        let tls: TLSEngine
        do { tls = try TLSEngine(pinnedServerCertificates: pinned, rng: rng) } catch { return .failed(error.reason) }
        do throws(RunError) {
            try handshake(tls, &connection)
            platform.log(line: "CAPF: TLS 1.2 established with " + request.server.host + ":" + String(request.server.port)
                         + ", server certificate matches the trust list")
            var session = CAPFClientSession(device: request.device, authentication: request.authentication,
                                            lsc: lsc, mic: mic, rng: rng)
            while true {
                var pending: [CAPFSessionInput] = [try readPlaintext(tls, &connection).map { .received($0) } ?? .closed]
                while !pending.isEmpty {
                    let input = pending.removeFirst()
                    let step: CAPFSessionStep
                    do { step = try session.handle(input) } catch { throw .session(error) }
                    for line in step.log { platform.log(line: line) }
                    for action in step.actions {
                        switch action {
                        case .send(let message):
                            try send(message, tls, &connection)
                        case .generateKey(let kind):
                            do {
                                pending.append(.keyGenerated(try kind.generate(rng: rng)))
                            } catch {
                                pending.append(.keyGenerationFailed(error.reason))
                            }
                        case .storeLSC(let identity):
                            pending.append(.stored(platform.saveLSC(identity)))
                        case .deleteLSC:
                            pending.append(.deleted(platform.deleteLSC()))
                        case .finish(let outcome):
                            tls.close()
                            _ = connection.send(tls.takeOutgoing(), timeoutMs: 1_000)
                            return outcome
                        }
                    }
                }
            }
        } catch {
            switch error {
            case .stream(let streamError):
                return .unreachable(streamError.reason)
            case .tls(let tlsError):
                return .failed(tlsError.reason)
            case .session(let sessionError):
                return .failed(sessionError.reason)
            case .stoppedAnswering:
                return .failed("the CAPF server stopped answering (no message in " + String(readTimeoutMs / 1000) + " s)")
            }
        }
    }

    enum RunError: Error {
        case stream(StreamError)
        case tls(TLSError)
        case session(CAPFSessionError)
        case stoppedAnswering
    }

    private func handshake<C: ByteStream>(_ tls: TLSEngine, _ connection: inout C) throws(RunError) {
        while true {
            let done: Bool
            do { done = try tls.handshake() } catch { throw .tls(error) }
            if tls.hasOutgoing {
                if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: handshakeTimeoutMs) {
                    throw .stream(error)
                }
            }
            if done { return }
            switch connection.receive(timeoutMs: handshakeTimeoutMs) {
            case .success(let bytes): tls.receive(bytes[...])
            case .failure(let error): throw .stream(error)
            }
        }
    }

    /// Plaintext, or nil when the server closed the connection.
    private func readPlaintext<C: ByteStream>(_ tls: TLSEngine, _ connection: inout C) throws(RunError) -> [UInt8]? {
        while true {
            do {
                if let plaintext = try tls.read() { return plaintext }
            } catch {
                if error == .closed { return nil }
                throw .tls(error)
            }
            switch connection.receive(timeoutMs: readTimeoutMs) {
            case .success(let bytes): tls.receive(bytes[...])
            case .failure(.closed): return nil
            case .failure(.timedOut): throw .stoppedAnswering
            case .failure(let error): throw .stream(error)
            }
        }
    }

    /// One message, one TLS write, one TCP send.
    private func send<C: ByteStream>(_ message: [UInt8], _ tls: TLSEngine, _ connection: inout C) throws(RunError) {
        do { try tls.write(message) } catch { throw .tls(error) }
        if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: readTimeoutMs) { throw .stream(error) }
    }
}
