import PhoneCrypto
import PhoneWire

/// Runs one CAPF session over the platform's TCP and the core's TLS: carries out the
/// session's actions (send, generate the key where the keys live, persist or delete the
/// LSC through the platform's flash) and returns how it ended.
public struct CAPFRunner {
    public var timeouts = TLSTimeouts.capf

    public init() {}

    /// The server must present one of `request.pinned`, byte for byte.
    public func run<P: TCPConnector & FlashStorage & KeyStore & PhoneConsole & TLSKeyLog>(_ request: CAPFRequest, rng: RandomGenerator,
                                                                             on platform: inout P) -> CAPFOutcome<Identity> {
        guard !request.pinned.isEmpty else { return .failed(.noPinnedCertificate) }
        var channel: TLSChannel<P.Connection>
        do {
            channel = try TLSChannel<P.Connection>.open(host: request.server.host, port: request.server.port, pinned: request.pinned,
                                                        rng: rng, timeouts: timeouts, on: &platform)
        } catch {
            return .failed(.channel(error))
        }
        do throws(CAPFProblem) {
            platform.log(.tlsEstablished(host: request.server.host, port: request.server.port))
            var session = CAPFClientSession(device: request.device, mode: request.mode, authString: request.authString,
                                            lsc: request.lsc, mic: request.mic, rng: rng)
            while true {
                let plaintext: [UInt8]?
                do { plaintext = try channel.read(timeoutMs: timeouts.readMs) } catch { throw .channel(error) }
                var pending: [CAPFSessionInput] = [plaintext.map { .received($0) } ?? .closed]
                while !pending.isEmpty {
                    let input = pending.removeFirst()
                    let step: CAPFSessionStep
                    do { step = try session.handle(input) } catch { throw .session(error) }
                    for event in step.events { platform.log(event) }
                    for action in step.actions {
                        switch action {
                        case .send(let message):
                            do { try channel.send(message, timeoutMs: timeouts.readMs) } catch { throw .channel(error) }
                        case .generateKey(let kind):
                            do {
                                pending.append(.keyGenerated(try platform.generateKey(kind, rng: rng)))
                            } catch {
                                pending.append(.keyGenerationFailed(error))
                            }
                        case .storeLSC(let identity):
                            pending.append(.stored(platform.saveLSC(identity)))
                        case .deleteLSC:
                            pending.append(.deleted(platform.deleteLSC()))
                        case .finish(let outcome):
                            channel.close()
                            return outcome
                        }
                    }
                }
            }
        } catch {
            return .failed(error)
        }
    }
}
