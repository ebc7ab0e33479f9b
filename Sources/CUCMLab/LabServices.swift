import Foundation
import LinuxPlatform
import PhoneWire
import Synchronization

/// A lab service on one TCP port (HTTP, CAPF, TVS, HTTPS): its accept loop, and what it
/// does with one connection, on that connection's own thread.
protocol TCPLabService: AnyObject, Sendable {
    var connections: AcceptLoop { get }
    func handle(_ connection: TCPConnection)
}

extension TCPLabService {
    var port: UInt16 { connections.port }
    func start() { connections.start { [self] connection in handle(connection) } }
    func stop() { connections.stop() }
}

/// Accepts TCP connections until stopped, each handled on a thread of its own.
final class AcceptLoop: @unchecked Sendable {
    let listener: TCPListener
    /// Cleared by `stop` (any thread), read by the accepting thread.
    private let running = Atomic<Bool>(true)

    init(host: String, port: UInt16) throws {
        listener = try TCPListener(host: host, port: port)
    }

    var port: UInt16 { listener.port }

    func start(_ handle: @escaping @Sendable (TCPConnection) -> Void) {
        Thread { [self] in
            while running.load(ordering: .relaxed) {
                guard case .success(let connection) = listener.accept(timeoutMs: 200) else { continue }
                let handedOver = HandedOver(connection: connection)
                Thread { handle(handedOver.connection) }.start()
            }
        }.start()
    }

    func stop() { running.store(false, ordering: .relaxed) }

    /// A connection moving to the thread that serves it: nothing else holds it afterwards.
    private struct HandedOver: @unchecked Sendable {
        let connection: TCPConnection
    }
}
