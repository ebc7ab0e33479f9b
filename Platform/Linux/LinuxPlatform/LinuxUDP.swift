import CLinuxPlatform

/// A socket address as the C library holds it (opaque bytes).
public struct SocketAddress: Sendable {
    var bytes: [UInt8]
    var family: Int32

    public static func resolve(host: String, port: UInt16) -> Result<SocketAddress, NetworkError> {
        var bytes = [UInt8](repeating: 0, count: 128)
        var length: UInt32 = 0
        var family: Int32 = 0
        let result = host.withCString { name in
            bytes.withUnsafeMutableBufferPointer { clp_resolve(name, port, $0.baseAddress, &length, &family) }
        }
        guard result == 0 else { return .failure(.from(result, "resolve " + host)) }
        bytes.removeLast(bytes.count - Int(length))
        return .success(SocketAddress(bytes: bytes, family: family))
    }

    /// AF_INET or AF_INET6, for opening a socket of the same family.
    public var familyValue: Int32 { family }

    public func sameHost(as other: SocketAddress) -> Bool {
        bytes.withUnsafeBufferPointer { a in
            other.bytes.withUnsafeBufferPointer { b in
                clp_same_host(a.baseAddress, UInt32(a.count), b.baseAddress, UInt32(b.count)) != 0
            }
        }
    }

    public static func == (left: SocketAddress, right: SocketAddress) -> Bool { left.bytes == right.bytes }
}

/// A UDP socket with a receive timeout.
public final class UDPSocket {
    private let fd: Int32

    public init(family: Int32) throws(NetworkError) {
        var fd: Int32 = -1
        let result = clp_udp_open(family, &fd)
        guard result == 0 else { throw .from(result, "open UDP socket") }
        self.fd = fd
    }

    /// Binds to host:port (0: any free port); returns the bound port.
    public func bind(host: String, port: UInt16) -> Result<UInt16, NetworkError> {
        var bound: UInt16 = 0
        let result = host.withCString { clp_udp_bind(fd, $0, port, &bound) }
        return result == 0 ? .success(bound) : .failure(.from(result, "bind " + host + ":" + String(port)))
    }

    public func send(_ bytes: [UInt8], to address: SocketAddress) -> Result<Void, NetworkError> {
        let result = address.bytes.withUnsafeBufferPointer { addressBytes in
            bytes.withUnsafeBufferPointer { clp_udp_send(fd, addressBytes.baseAddress, UInt32(addressBytes.count), $0.baseAddress, $0.count) }
        }
        return result == 0 ? .success(()) : .failure(.from(result, "send"))
    }

    /// One datagram and its sender, or `.timedOut`.
    public func receive(timeoutMs: Int32, capacity: Int = 65_536) -> Result<([UInt8], SocketAddress), NetworkError> {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var from = [UInt8](repeating: 0, count: 128)
        var received = 0
        var fromLength: UInt32 = 0
        let result = buffer.withUnsafeMutableBufferPointer { data in
            from.withUnsafeMutableBufferPointer {
                clp_udp_receive(fd, data.baseAddress, data.count, timeoutMs, &received, $0.baseAddress, &fromLength)
            }
        }
        guard result == 0 else { return .failure(.from(result, "receive")) }
        buffer.removeLast(buffer.count - received)
        from.removeLast(from.count - Int(fromLength))
        let family = from.count >= 2 ? Int32(from[0]) | Int32(from[1]) << 8 : 0
        return .success((buffer, SocketAddress(bytes: from, family: family)))
    }

    deinit { clp_close(fd) }
}
