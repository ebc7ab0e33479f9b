/// Why a byte stream operation failed. Data only; `PhoneApp` words it.
public enum StreamError: Error, Equatable, Sendable {
    case timedOut
    /// The peer closed the connection (or reset it).
    case closed
    case refused
    /// Any other failure of the platform's socket layer, by its errno.
    case system(errno: Int32)
}

/// A connected byte stream (TCP), the platform's half of a TLS connection: the core runs
/// TLS (mbedTLS, sans-IO) over it.
public protocol ByteStream {
    mutating func send(_ bytes: [UInt8], timeoutMs: Int32) -> Result<Void, StreamError>
    /// Some bytes, `.closed` when the peer closed, `.timedOut` after `timeoutMs`.
    mutating func receive(timeoutMs: Int32) -> Result<[UInt8], StreamError>
}
