import PhoneCrypto
import PhoneWire

/// Runs one HTTPS configuration download over the platform's TCP and the core's TLS:
/// the request in one write, the response through `HTTPResponseParser`, bounded in size
/// and in time.
public struct HTTPSConfigRunner {
    /// Its `totalMs` is the download's deadline.
    public var timeouts = TLSTimeouts.httpsConfiguration
    /// A full configuration is tens of kilobytes.
    public var maxBody = 1024 * 1024

    public init() {}

    public func run<P: TCPConnector & TLSKeyLog & ClockAndReset>(_ request: HTTPSConfigRequest, host: String, rng: RandomGenerator,
                                                                 on platform: inout P) -> HTTPSConfigResult {
        let started = platform.now()
        var channel: TLSChannel<P.Connection>
        do {
            channel = try TLSChannel<P.Connection>.open(host: host, port: request.port, pinned: request.pinned,
                                                        clientIdentity: request.clientIdentity, rng: rng,
                                                        timeouts: timeouts, on: &platform)
        } catch {
            return .failed(.channel(error))
        }
        defer { channel.close() }
        let get = HTTPRequest.get(request.name, host: host, port: request.port)
        let response: HTTPResponseParser.Response
        do { response = try exchange(get, over: &channel, started: started, on: &platform) } catch {
            return .failed(error)
        }
        guard response.status == 200 else { return .failed(.status(response.status)) }
        return .configuration(response.body, server: channel.tls.peerCertificate?.der ?? [])
    }

    private func exchange<P: TCPConnector & TLSKeyLog & ClockAndReset>(_ get: [UInt8], over channel: inout TLSChannel<P.Connection>,
                                                                       started: UInt64, on platform: inout P)
        throws(HTTPSConfigProblem) -> HTTPResponseParser.Response {
        var parser = HTTPResponseParser(bodyLimit: maxBody)
        do { try channel.send(get, timeoutMs: timeouts.readMs) } catch { throw .channel(error) }
        let deadlineMs = timeouts.totalMs ?? UInt64.max
        while platform.now() - started < deadlineMs {
            let bytes: [UInt8]?
            do { bytes = try channel.read(timeoutMs: timeouts.readMs) } catch { throw .channel(error) }
            do {
                guard let bytes else { return try parser.finish() }
                if let response = try parser.feed(bytes[...]) { return response }
            } catch {
                throw .malformed(error)
            }
        }
        throw .deadlineExceeded(ms: deadlineMs)
    }
}
