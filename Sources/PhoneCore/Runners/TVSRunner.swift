import PhoneCrypto
import PhoneWire

/// Runs one TVS query over the platform's TCP and the core's TLS, pinned to the TVS
/// records of the installed ITL: the request in one write, then the answer.
public struct TVSRunner {
    public var timeouts = TLSTimeouts.tvs

    public init() {}

    public func run<P: TCPConnector & TLSKeyLog>(_ query: TVSQuery, rng: RandomGenerator, on platform: inout P) -> TVSQueryResult {
        var channel: TLSChannel<P.Connection>
        do {
            channel = try TLSChannel<P.Connection>.open(host: query.server.host, port: query.server.port, pinned: query.pinned,
                                                        rng: rng, timeouts: timeouts, on: &platform)
        } catch {
            return .failed(.channel(error))
        }
        defer { channel.close() }
        var session = TVSClientSession(request: query.request)
        do throws(TLSChannelProblem) {
            try channel.send(session.start(), timeoutMs: timeouts.readMs)
            while true {
                let bytes = try channel.read(timeoutMs: timeouts.readMs)
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
