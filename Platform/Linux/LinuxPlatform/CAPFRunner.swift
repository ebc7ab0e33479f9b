import PhoneCore
import PhoneCrypto
import PhoneWire

/// Runs one CAPF session over TCP and TLS: carries out the session's actions (send,
/// generate the key, persist or delete the LSC) and returns how it ended. No policy
/// here: what to do with the outcome is the boot machine's business.
public struct CAPFRunner {
    public var connectTimeoutMs: Int32 = 5_000
    public var handshakeTimeoutMs: Int32 = 10_000
    /// Between two server messages. Key generation happens between messages on the
    /// phone's side, so it does not count against the server.
    public var readTimeoutMs: Int32 = 30_000

    let storage: PhoneStorage
    let rng: RandomGenerator
    let log: (String) -> Void

    public init(storage: PhoneStorage, rng: RandomGenerator, log: @escaping (String) -> Void) {
        self.storage = storage
        self.rng = rng
        self.log = log
    }

    /// `pinned`: the CAPF certificates of the installed trust lists; the server must
    /// present one of them, byte for byte.
    public func run(_ request: CAPFRequest, pinned: [Certificate], lsc: Identity?, mic: Identity?) -> CAPFOutcome {
        guard !pinned.isEmpty else { return .failed("no CAPF certificate in the installed trust lists") }
        let connection: TCPConnection
        switch TCPConnection.connect(host: request.server.host, port: request.server.port, timeoutMs: connectTimeoutMs) {
        case .success(let opened): connection = opened
        case .failure(let error): return .unreachable(error.reason)
        }
        let tls: TLSEngine
        do { tls = try TLSEngine(pinnedServerCertificates: pinned, rng: rng) } catch { return .failed(error.reason) }
        do throws(RunError) {
            try handshake(tls, connection)
            log("CAPF: TLS 1.2 established with " + connection.peer + ", server certificate matches the trust list")
            var session = CAPFClientSession(device: request.device, authentication: request.authentication,
                                            lsc: lsc, mic: mic, rng: rng)
            while true {
                var pending: [CAPFSessionInput] = [try readPlaintext(tls, connection).map { .received($0) } ?? .closed]
                while !pending.isEmpty {
                    let input = pending.removeFirst()
                    let step: CAPFSessionStep
                    do { step = try session.handle(input) } catch { throw .session(error) }
                    for line in step.log { log(line) }
                    for action in step.actions {
                        switch action {
                        case .send(let message):
                            try send(message, tls, connection)
                        case .generateKey(let keyRequest):
                            do {
                                pending.append(.keyGenerated(try keyRequest.generate(rng: rng)))
                            } catch {
                                pending.append(.keyGenerationFailed(error.reason))
                            }
                        case .storeLSC(let identity):
                            let saved = storage.saveLSC(identity)
                            if case .failure(let error) = saved { log("CAPF: could not store the LSC: " + error.reason) }
                            pending.append(.stored(saved.isSuccess))
                        case .deleteLSC:
                            pending.append(.deleted(storage.deleteLSC().isSuccess))
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
            case .network(let network):
                return .unreachable(network.reason)
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
        case network(NetworkError)
        case tls(TLSError)
        case session(CAPFSessionError)
        case stoppedAnswering
    }

    private func handshake(_ tls: TLSEngine, _ connection: TCPConnection) throws(RunError) {
        while true {
            let done: Bool
            do { done = try tls.handshake() } catch { throw .tls(error) }
            if tls.hasOutgoing {
                if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: handshakeTimeoutMs) {
                    throw .network(error)
                }
            }
            if done { return }
            switch connection.receive(timeoutMs: handshakeTimeoutMs) {
            case .success(let bytes): tls.receive(bytes[...])
            case .failure(let error): throw .network(error)
            }
        }
    }

    /// Plaintext, or nil when the server closed the connection.
    private func readPlaintext(_ tls: TLSEngine, _ connection: TCPConnection) throws(RunError) -> [UInt8]? {
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
            case .failure(let error): throw .network(error)
            }
        }
    }

    /// One message, one TLS write, one TCP send.
    private func send(_ message: [UInt8], _ tls: TLSEngine, _ connection: TCPConnection) throws(RunError) {
        do { try tls.write(message) } catch { throw .tls(error) }
        if case .failure(let error) = connection.send(tls.takeOutgoing(), timeoutMs: readTimeoutMs) { throw .network(error) }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
