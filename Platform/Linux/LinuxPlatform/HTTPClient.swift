import CLinuxPlatform
import PhoneCore
import PhoneWire

/// `GET /<file>` over HTTP/1.1 (the cluster's port 6970): Content-Length or chunked
/// bodies, 404 as not found, no redirects, a size cap, a deadline for the whole fetch.
public struct HTTPClient {
    public var connectTimeoutMs: Int32 = 5_000
    public var readTimeoutMs: Int32 = 10_000
    /// A server sending one byte a second cannot hold the phone longer than this.
    public var totalTimeoutMs: UInt64
    public let maxSize: Int

    public init(maxSize: Int, totalTimeoutMs: UInt64 = 60_000) {
        self.maxSize = maxSize
        self.totalTimeoutMs = totalTimeoutMs
    }

    /// The file, whole in memory.
    public func fetch(_ name: String, host: String, port: UInt16) -> FetchResult {
        run(name, host: host, port: port, streams: false) { _ in true }
    }

    /// The file streamed: each piece of the body handed to `sink` as it arrives (false stops
    /// the fetch: `.readerStopped`), never held whole; the result's file is empty.
    public func stream(_ name: String, host: String, port: UInt16, into sink: (ArraySlice<UInt8>) -> Bool) -> FetchResult {
        run(name, host: host, port: port, streams: true, sink)
    }

    private func run(_ name: String, host: String, port: UInt16, streams: Bool, _ sink: (ArraySlice<UInt8>) -> Bool) -> FetchResult {
        let started = clp_monotonic_ms()
        let connection: TCPConnection
        switch TCPConnection.connect(host: host, port: port, timeoutMs: connectTimeoutMs) {
        case .success(let opened): connection = opened
        case .failure(let error): return .failed(.connection(error.streamError))
        }
        if case .failure(let error) = connection.send(HTTPRequest.get(name, host: host, port: port), timeoutMs: readTimeoutMs) {
            return .failed(.connection(error.streamError))
        }
        var parser = HTTPResponseParser(bodyLimit: maxSize, keepsBody: !streams)
        var response: HTTPResponseParser.Response?
        let overDeadline = FetchResult.failed(.deadlineExceeded(ms: totalTimeoutMs))
        do throws(HTTPResponseParser.ParseError) {
            while response == nil {
                let elapsed = clp_monotonic_ms() - started
                guard elapsed < totalTimeoutMs else { return overDeadline }
                let wait = Int32(min(UInt64(readTimeoutMs), totalTimeoutMs - elapsed))
                switch connection.receive(timeoutMs: wait) {
                case .success(let bytes):
                    response = try parser.feed(bytes[...])
                    if streams, let stop = hand(parser.takeBody(), status: parser.status, to: sink) { return stop }
                case .failure(.closed):
                    response = try parser.finish()
                    if streams, let stop = hand(parser.takeBody(), status: parser.status, to: sink) { return stop }
                case .failure(let error):
                    // The last wait ends at the deadline: its timeout is the deadline's doing.
                    return clp_monotonic_ms() - started >= totalTimeoutMs ? overDeadline : .failed(.connection(error.streamError))
                }
            }
        } catch {
            return .failed(.httpMalformed(error))
        }
        guard let response else { return .failed(.httpMalformed(.malformedStatusLine)) }
        switch response.status {
        case 200: return .file(response.body)
        case 404: return .notFound
        case 300...399: return .failed(.httpRedirect(response.status))
        default: return .failed(.httpStatus(response.status))
        }
    }

    /// A streamed piece of the body: to `sink` after a 200; the body of any other status is
    /// no part of the file and is dropped (never gathered). Nil: go on.
    private func hand(_ piece: [UInt8], status: Int, to sink: (ArraySlice<UInt8>) -> Bool) -> FetchResult? {
        guard status == 200, !piece.isEmpty else { return nil }
        return sink(piece[...]) ? nil : .failed(.readerStopped)
    }
}
