import Foundation
import LinuxPlatform
import PhoneWire
import Synchronization

/// The lab's TFTP service (RFC 1350 with blksize, tsize and timeout options): one
/// thread per transfer, each from its own port (its transfer ID). Its stored properties
/// are set once in `init`, except `running`, an atomic (stop comes from another thread).
final class TFTPService: @unchecked Sendable {
    let lab: Lab
    let socket: UDPSocket
    let host: String
    let port: UInt16
    private let running = Atomic<Bool>(true)

    init(lab: Lab, host: String, port: UInt16) throws {
        self.lab = lab
        self.host = host
        let address = try SocketAddress.resolve(host: host, port: 0).get()
        socket = try UDPSocket(family: address.familyValue)
        self.port = try socket.bind(host: host, port: port).get()
    }

    func start() {
        Thread { [self] in
            while running.load(ordering: .relaxed) {
                guard case .success(let (datagram, client)) = socket.receive(timeoutMs: 200) else { continue }
                guard datagram.count > 2, datagram[0] == 0, datagram[1] == 1 else { continue }
                var fields: [String] = []
                var start = 2
                for index in 2..<datagram.count where datagram[index] == 0 {
                    fields.append(String(decoding: datagram[start..<index], as: UTF8.self))
                    start = index + 1
                }
                guard fields.count >= 2 else { continue }
                let request = fields
                Thread { [self] in transfer(request, to: client) }.start()
            }
        }.start()
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func transfer(_ fields: [String], to client: SocketAddress) {
        let name = fields[0]
        guard let socket = try? UDPSocket(family: client.familyValue), case .success = socket.bind(host: host, port: 0) else { return }
        if (lab.attack == .endlessTFTP && name.hasSuffix(".cnf.xml.sgn")) || (lab.attack == .loadImageEndless && name.hasSuffix(".sbn")) {
            // Full 512-byte blocks for ever (no options acknowledged): the phone's size cap
            // ends it (an image's: its header check, where no header parses).
            lab.log("ATTACK " + (lab.attack?.rawValue ?? "") + ": RRQ " + name + " → blocks without end")
            var block: UInt16 = 1
            for _ in 0..<200_000 {
                guard case .success = socket.send(TFTPPacket.data(block: block, payload: [UInt8](repeating: 0x41, count: 512)[...]).encoded(),
                                                  to: client) else { return }
                guard case .success(let (reply, _)) = socket.receive(timeoutMs: 2_000), reply.count >= 4 else { return }
                if reply[1] == 5 { return }
                block = block &+ 1
            }
            return
        }
        switch lab.serve(name) {
        case .notFound(let why):
            lab.log("TFTP: RRQ " + name + " → not found (" + why + ")")
            _ = socket.send(TFTPPacket.error(code: TFTPPacket.ErrorCode.fileNotFound, message: "File not found").encoded(), to: client)
        case .file(let bytes):
            var blockSize = 512
            var acknowledged: [TFTPOption] = []
            var index = 2
            while index + 1 < fields.count {
                let option = fields[index].lowercased()
                let value = fields[index + 1]
                if option == "blksize", let size = Int(value) {
                    blockSize = max(8, min(size, 65_464))
                    acknowledged.append(TFTPOption("blksize", String(blockSize)))
                } else if option == "tsize" {
                    acknowledged.append(TFTPOption("tsize", String(bytes.count)))
                } else if option == "timeout", let seconds = Int(value), (1...255).contains(seconds) {
                    acknowledged.append(TFTPOption("timeout", value))
                }
                index += 2
            }
            // Sends a packet until its block is acknowledged; another block's ACK (a
            // duplicate) is ignored, never answered with data (no sorcerer's apprentice).
            func deliver(_ packet: [UInt8], block: UInt16) -> Bool {
                for _ in 0..<6 {
                    _ = socket.send(packet, to: client)
                    while case .success(let (reply, from)) = socket.receive(timeoutMs: 1_000) {
                        guard from == client, reply.count >= 4 else { continue }
                        if reply[1] == 5 { return false }  // the client gave up
                        if reply[1] == 4, UInt16(reply[2]) << 8 | UInt16(reply[3]) == block { return true }
                    }
                }
                return false
            }
            if !acknowledged.isEmpty, !deliver(TFTPPacket.optionAcknowledgement(acknowledged).encoded(), block: 0) {
                lab.log("TFTP: RRQ " + name + " → client did not acknowledge the options")
                return
            }
            // Block n carries bytes [(n-1)·size, n·size); the last one is short (maybe empty).
            let blocks = bytes.count / blockSize + 1
            for index in 1...blocks {
                let start = (index - 1) * blockSize
                let end = min(start + blockSize, bytes.count)
                let number = UInt16(truncatingIfNeeded: index)  // wraps after 65535
                guard deliver(TFTPPacket.data(block: number, payload: bytes[start..<end]).encoded(), block: number) else {
                    lab.log("TFTP: RRQ " + name + " → client stopped answering at block \(index)")
                    return
                }
            }
            lab.log("TFTP: RRQ " + name + " → sent \(bytes.count) bytes")
        }
    }
}

/// The lab's HTTP file service (port 6970 on CUCM): GET only, 200 or 404.
final class HTTPService: TCPLabService, @unchecked Sendable {
    let lab: Lab
    let connections: AcceptLoop

    init(lab: Lab, host: String, port: UInt16) throws {
        self.lab = lab
        connections = try AcceptLoop(host: host, port: port)
    }

    func handle(_ connection: TCPConnection) {
        let name: String
        switch HTTPGet.read({ try? connection.receive(timeoutMs: 5_000).get() }) {
        case .gone: return
        case .badRequest:
            lab.log("HTTP: bad request refused")
            _ = connection.send(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8), timeoutMs: 5_000)
            return
        case .file(let file): name = file
        }
        if name.hasSuffix(".sbn"), lab.attack == .loadImageEndless {
            lab.log("ATTACK load-image-endless: GET /" + name + " → 200 with Content-Length 2147483648")
            _ = connection.send(Array("HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\nxxxx".utf8), timeoutMs: 5_000)
            return
        }
        if name.hasSuffix(".cnf.xml.sgn"), let attack = lab.attack {
            if attack == .contentLength2GB {
                lab.log("ATTACK content-length-2gb: GET /" + name + " → 200 with Content-Length 2147483648")
                _ = connection.send(Array("HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\nxxxx".utf8), timeoutMs: 5_000)
                return
            }
            if attack == .oneByteASecond {
                lab.log("ATTACK one-byte-a-second: GET /" + name + " → dripping")
                _ = connection.send(Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8), timeoutMs: 5_000)
                for _ in 0..<120 {
                    guard case .success = connection.send([0x3C], timeoutMs: 1_000) else { return }
                    Thread.sleep(forTimeInterval: 1)
                }
                return
            }
        }
        switch lab.serve(name) {
        case .file(let bytes):
            lab.log("HTTP: GET /" + name + " → 200 (\(bytes.count) bytes)")
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
            _ = connection.send(Array(head.utf8) + bytes, timeoutMs: 10_000)
        case .notFound(let why):
            lab.log("HTTP: GET /" + name + " → 404 (" + why + ")")
            _ = connection.send(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8), timeoutMs: 5_000)
        }
    }
}

/// What a client asks for in an HTTP request head (8 KiB at most), read piece by piece.
enum HTTPGet {
    case file(String)
    case badRequest
    /// The client went away or stopped sending before a whole head.
    case gone

    /// `receive`: the next bytes, nil when the connection ended or timed out.
    static func read(_ receive: () -> [UInt8]?) -> HTTPGet {
        var request: [UInt8] = []
        while request.count < 8192, !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard let bytes = receive() else { return .gone }
            request += bytes
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        guard line.count >= 2, line[0] == "GET", line[1].hasPrefix("/") else { return .badRequest }
        return .file(String(line[1].dropFirst()).removingPercentEncoding ?? "")
    }
}
