import CLinuxPlatform
import PhoneCore
import PhoneWire

/// Reads one file over TFTP: a `TFTPReadSession` driven over a UDP socket. The first
/// answer fixes the server's transfer ID; datagrams from any other port get error 5
/// and are otherwise ignored (RFC 1350).
public struct TFTPClient {
    public var options = TFTPReadSession.Options()
    /// A server sending one block per retransmission window cannot hold the phone longer
    /// than this (the HTTP client's bound, the same role).
    public var totalTimeoutMs: UInt64

    public init(maxSize: Int, totalTimeoutMs: UInt64 = 60_000) {
        options.maxSize = maxSize
        self.totalTimeoutMs = totalTimeoutMs
    }

    /// The file, whole in memory.
    public func fetch(_ name: String, host: String, port: UInt16) -> FetchResult {
        run(name, host: host, port: port, streams: false) { _ in true }
    }

    /// The file streamed: each block handed to `sink` as it arrives, before its ACK (false
    /// stops the fetch: `.readerStopped`, an error to the server), never held whole; the
    /// result's file is empty.
    public func stream(_ name: String, host: String, port: UInt16, into sink: (ArraySlice<UInt8>) -> Bool) -> FetchResult {
        run(name, host: host, port: port, streams: true, sink)
    }

    private func run(_ name: String, host: String, port: UInt16, streams: Bool, _ sink: (ArraySlice<UInt8>) -> Bool) -> FetchResult {
        let server: SocketAddress
        switch SocketAddress.resolve(host: host, port: port) {
        case .success(let address): server = address
        case .failure: return .failed(.nameNotResolved)
        }
        let socket: UDPSocket
        do { socket = try UDPSocket(family: server.family) } catch { return .failed(.connection(error.streamError)) }
        var options = options
        options.keepsData = !streams
        var session = TFTPReadSession(filename: name, options: options)
        var transferPeer: SocketAddress?
        var deadline: UInt64 = 0
        let started = clp_monotonic_ms()
        var actions = session.start(now: started)
        while true {
            for action in actions {
                switch action {
                case .send(let datagram):
                    _ = socket.send(datagram, to: transferPeer ?? server)
                case .setTimer(let time):
                    deadline = time
                case .deliver(let piece):
                    // Before the block's ACK goes out: a refused block is never acknowledged.
                    guard sink(piece) else {
                        let stop = TFTPPacket.error(code: TFTPPacket.ErrorCode.notDefined, message: "transfer stopped by the phone")
                        _ = socket.send(stop.encoded(), to: transferPeer ?? server)
                        return .failed(.readerStopped)
                    }
                case .done(let bytes):
                    return .file(bytes)
                case .failed(.notFound):
                    return .notFound
                case .failed(let error):
                    return .failed(.tftp(error))
                }
            }
            let now = clp_monotonic_ms()
            guard now - started < totalTimeoutMs else { return .failed(.deadlineExceeded(ms: totalTimeoutMs)) }
            let wait = deadline > now ? Int32(min(deadline - now, 60_000, totalTimeoutMs - (now - started))) : 0
            switch socket.receive(timeoutMs: wait) {
            case .success(let (datagram, sender)):
                if let transferPeer {
                    guard sender == transferPeer else {
                        let stray = TFTPPacket.error(code: TFTPPacket.ErrorCode.unknownTransferID, message: "unknown transfer ID")
                        _ = socket.send(stray.encoded(), to: sender)
                        actions = []
                        continue
                    }
                } else {
                    // The answer must come from the server's host (any port: its TID).
                    guard sender.sameHost(as: server) else {
                        actions = []
                        continue
                    }
                    transferPeer = sender
                }
                actions = session.received(datagram, now: clp_monotonic_ms())
            case .failure(.timedOut):
                actions = session.timerFired(now: clp_monotonic_ms())
            case .failure(let error):
                return .failed(.connection(error.streamError))
            }
        }
    }
}
