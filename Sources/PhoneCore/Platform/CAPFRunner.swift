import PhoneCrypto
import PhoneWire

/// Runs one CAPF session over the platform's TCP and the core's TLS: carries out the
/// session's actions (send, generate the key, persist or delete the LSC through the
/// platform's flash) and returns how it ended.
public struct CAPFRunner {
    public var connectTimeoutMs: Int32 = 5_000
    public var handshakeTimeoutMs: Int32 = 10_000
    /// Between two server messages. Key generation happens between messages on the
    /// phone's side, so it does not count against the server.
    public var readTimeoutMs: Int32 = 30_000

    public init() {}

    /// The server must present one of `request.pinned`, byte for byte.
    public func run<P: TCPConnector & FlashStorage & PhoneConsole & TLSKeyLog>(_ request: CAPFRequest, rng: RandomGenerator,
                                                                             on platform: inout P) -> CAPFOutcome {
        guard !request.pinned.isEmpty else { return .failed(.noPinnedCertificate) }
        var connection: P.Connection
        switch platform.connect(host: request.server.host, port: request.server.port, timeoutMs: connectTimeoutMs) {
        case .success(let opened): connection = opened
        case .failure(let error): return .failed(.connect(error))
        }
        let tls: TLSEngine
        do {
            tls = try TLSEngine(pinnedServerCertificates: request.pinned, rng: rng, exportSecrets: platform.logsTLSSecrets)
        } catch {
            return .failed(.tls(error))
        }
        do throws(CAPFProblem) {
            try handshake(tls, &connection)
            if let secrets = tls.sessionSecrets { platform.record(secrets) }
            platform.log(.tlsEstablished(host: request.server.host, port: request.server.port))
            var session = CAPFClientSession(device: request.device, authentication: request.authentication,
                                            lsc: request.lsc, mic: request.mic, rng: rng)
            while true {
                var pending: [CAPFSessionInput] = [try readPlaintext(tls, &connection).map { .received($0) } ?? .closed]
                while !pending.isEmpty {
                    let input = pending.removeFirst()
                    let step: CAPFSessionStep
                    do { step = try session.handle(input) } catch { throw .session(error) }
                    for event in step.events { platform.log(event) }
                    for action in step.actions {
                        switch action {
                        case .send(let message):
                            try send(message, tls, &connection)
                        case .generateKey(let kind):
                            do {
                                pending.append(.keyGenerated(try kind.generate(rng: rng)))
                            } catch {
                                pending.append(.keyGenerationFailed(error))
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
            return .failed(error)
        }
    }

    private func handshake<C: ByteStream>(_ tls: TLSEngine, _ connection: inout C) throws(CAPFProblem) {
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
    private func readPlaintext<C: ByteStream>(_ tls: TLSEngine, _ connection: inout C) throws(CAPFProblem) -> [UInt8]? {
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
            case .failure(.timedOut): throw .stoppedAnswering(afterMs: readTimeoutMs)
            case .failure(let error): throw .stream(error)
            }
        }
    }

    /// One message, one TLS write, one TCP send.
    private func send<C: ByteStream>(_ message: [UInt8], _ tls: TLSEngine, _ connection: inout C) throws(CAPFProblem) {
        do { try tls.write(message) } catch { throw .tls(error) }
        if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: readTimeoutMs) { throw .stream(error) }
    }
}
