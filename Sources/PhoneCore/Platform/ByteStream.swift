/// Why a byte stream operation failed.
public enum StreamError: Error, Equatable {
    case timedOut
    case closed
    case failed(String)

    public var reason: String {
        switch self {
        case .timedOut: return "timed out"
        case .closed: return "connection closed by the peer"
        case .failed(let why): return why
        }
    }
}

/// A connected byte stream (TCP), the platform's half of a TLS connection: the core runs
/// TLS (mbedTLS, sans-IO) over it.
public protocol ByteStream {
    mutating func send(_ bytes: [UInt8], timeoutMs: Int32) -> Result<Void, StreamError>
    /// Some bytes, `.closed` when the peer closed, `.timedOut` after `timeoutMs`.
    mutating func receive(timeoutMs: Int32) -> Result<[UInt8], StreamError>
}
