import PhoneCrypto
import PhoneWire

/// Runs one TVS query over the platform's TCP and the core's TLS, pinned to the TVS
/// records of the installed ITL: the request in one write, then the answer.
public struct TVSRunner {
    public var connectTimeoutMs: Int32 = 5_000
    public var handshakeTimeoutMs: Int32 = 10_000
    /// Between two pieces of the answer: TVS answers from a database lookup, at once.
    public var answerTimeoutMs: Int32 = 5_000

    public init() {}

    public func run<P: TCPConnector & TLSKeyLog>(_ query: TVSQuery, rng: RandomGenerator, on platform: inout P) -> TVSQueryResult {
        var channel: TLSChannel<P.Connection>
        do {
            channel = try TLSChannel<P.Connection>.open(host: query.server.host, port: query.server.port, pinned: query.pinned,
                                                        rng: rng, connectTimeoutMs: connectTimeoutMs,
                                                        handshakeTimeoutMs: handshakeTimeoutMs, on: &platform)
        } catch {
            return .failed(.channel(error))
        }
        defer { channel.close() }
        var session = TVSClientSession(request: query.request)
        do throws(TLSChannelProblem) {
            try channel.send(session.start(), timeoutMs: answerTimeoutMs)
            while true {
                let bytes = try channel.read(timeoutMs: answerTimeoutMs)
                do {
                    if let status = try session.receive(bytes) { return .answered(status) }
                } catch {
                    return .failed(.session(error))
                }
            }
        } catch {
            return .failed(.channel(error))
        }
    }
}
