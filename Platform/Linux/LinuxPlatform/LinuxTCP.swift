import CLinuxPlatform
import PhoneCore

/// Why a TCP operation failed.
public enum NetworkError: Error, Equatable {
    case timedOut(String)
    case refused(String)
    case closed
    case system(String, errno: Int32)

    public var reason: String {
        switch self {
        case .timedOut(let what): return what + " timed out"
        case .refused(let what): return what + ": connection refused"
        case .closed: return "connection closed by the peer"
        case .system(let what, let code): return what + ": " + errnoText(code)
        }
    }

    /// The core's view of it (the operation's name is the caller's context).
    public var streamError: StreamError {
        switch self {
        case .timedOut: return .timedOut
        case .refused: return .refused
        case .closed: return .closed
        case .system(_, let code): return .system(errno: code)
        }
    }

    static func from(_ code: Int32, _ what: String) -> NetworkError {
        switch code {
        case CLP_ETIMEDOUT: return .timedOut(what)
        case CLP_ECONNREFUSED: return .refused(what)
        case CLP_ECONNRESET, CLP_EPIPE: return .closed
        default: return .system(what, errno: code)
        }
    }
}

/// A TCP connection with per-call timeouts; closed when dropped.
public final class TCPConnection {
    private let fd: Int32
    public let peer: String

    init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
    }

    public static func connect(host: String, port: UInt16, timeoutMs: Int32) -> Result<TCPConnection, NetworkError> {
        var fd: Int32 = -1
        let result = host.withCString { clp_tcp_connect($0, port, timeoutMs, &fd) }
        let name = host + ":" + String(port)
        guard result == 0 else { return .failure(.from(result, "connect to " + name)) }
        return .success(TCPConnection(fd: fd, peer: name))
    }

    public func send(_ bytes: [UInt8], timeoutMs: Int32) -> Result<Void, NetworkError> {
        let result = bytes.withUnsafeBufferPointer { clp_tcp_send(fd, $0.baseAddress, $0.count, timeoutMs) }
        return result == 0 ? .success(()) : .failure(.from(result, "send to " + peer))
    }

    /// Up to `capacity` bytes; `.closed` when the peer has closed.
    public func receive(capacity: Int = 16 * 1024, timeoutMs: Int32) -> Result<[UInt8], NetworkError> {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var received = 0
        let result = buffer.withUnsafeMutableBufferPointer { clp_tcp_receive(fd, $0.baseAddress, $0.count, timeoutMs, &received) }
        guard result == 0 else { return .failure(.from(result, "receive from " + peer)) }
        guard received > 0 else { return .failure(.closed) }
        buffer.removeLast(buffer.count - received)
        return .success(buffer)
    }

    deinit { clp_close(fd) }
}

/// A listening TCP socket (the lab's services, test servers).
public final class TCPListener {
    private let fd: Int32
    public let port: UInt16

    public init(host: String, port: UInt16) throws(NetworkError) {
        var fd: Int32 = -1
        var bound: UInt16 = 0
        let result = host.withCString { clp_tcp_listen($0, port, &fd, &bound) }
        guard result == 0 else { throw .from(result, "listen on " + host + ":" + String(port)) }
        self.fd = fd
        self.port = bound
    }

    public func accept(timeoutMs: Int32) -> Result<TCPConnection, NetworkError> {
        var connection: Int32 = -1
        let result = clp_tcp_accept(fd, timeoutMs, &connection)
        guard result == 0 else { return .failure(.from(result, "accept")) }
        return .success(TCPConnection(fd: connection, peer: "client"))
    }

    deinit { clp_close(fd) }
}
