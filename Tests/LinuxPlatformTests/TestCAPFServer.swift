import Foundation
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneWire
import TestSupport

/// A CAPF server on 127.0.0.1 for one session, with a script of what it does —
/// including what a hostile server does. Runs on its own thread; every wait is bounded.
final class TestCAPFServer: @unchecked Sendable {
    enum Script {
        case install(keyType: UInt8?, keySize: UInt16?, curve: UInt8?)
        case fetch
        case delete
        case nothingScheduled
        case unknownDevice
        case retryLater(UInt16)
        // Hostile servers.
        case wrongProtocol
        case lengthOverCap
        case changeSessionID
        case outOfOrder
        case endSessionMidInstall
        case stopAnswering
        case garbageCertificate
        case certificateForAnotherDevice
        case certificateForAnotherKey
    }

    let identity: Identity
    let script: Script
    /// When set, AuthRequest asks for a string (auth type 1) and anything else is refused.
    let expectedPassword: [UInt8]?
    let listener: TCPListener
    let rng = testRNG()
    private let done = DispatchSemaphore(value: 0)

    private(set) var received: [CAPFMessage] = []
    private(set) var issued: Certificate?
    private(set) var failure: String?

    init(script: Script, expectedPassword: [UInt8]? = nil) throws {
        identity = try Vectors.identity("capf/capf-server.pem")
        self.script = script
        self.expectedPassword = expectedPassword
        listener = try TCPListener(host: "127.0.0.1", port: 0)
    }

    var port: UInt16 { listener.port }

    func start() {
        Thread { [self] in
            do { try serve() } catch { failure = "\(error)" }
            done.signal()
        }.start()
    }

    /// Waits for the session to end on the server side (bounded).
    func wait() { _ = done.wait(timeout: .now() + 30) }

    // MARK: - The session

    private var tls: TLSEngine!
    private var connection: TCPConnection!
    private var framer = CAPFFramer()
    private let sessionID: UInt32 = 0x0A0B0C0D

    private func serve() throws {
        connection = try listener.accept(timeoutMs: 10_000).get()
        tls = try TLSEngine(serverIdentity: identity, rng: rng)
        while try !tls.handshake() {
            try flush()
            tls.receive(try connection.receive(timeoutMs: 10_000).get()[...])
        }
        try flush()
        switch script {
        case .wrongProtocol:
            return try sendRaw([0x17, 1, 0, 0, 0, 1, 0, 0])
        case .lengthOverCap:
            return try sendRaw([0x55, 1, 0, 0, 0, 1, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64))
        default:
            break
        }
        let authType: UInt8 = expectedPassword == nil ? 0 : 1
        try send(.authRequest, [.init(CAPFTag.version, [3]), .init(CAPFTag.authType, [authType])])
        let auth = try receive()
        guard auth.command == .authResponse else { throw ServerError("expected AuthResponse") }
        if let expectedPassword, CAPFElements.parseText(auth.value(CAPFTag.password) ?? []) != expectedPassword {
            return try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.invalidElement])])
        }
        let device = String(decoding: CAPFElements.parseText(auth.value(CAPFTag.deviceName) ?? []) ?? [], as: UTF8.self)
        switch script {
        case .install(let keyType, let keySize, let curve):
            try install(device: device, keyType: keyType, keySize: keySize, curve: curve)
        case .fetch:
            try send(.fetchCertificateRequest, [])
            _ = try receive()
            try send(.endSession, [.init(CAPFTag.reason, [1])])
        case .delete:
            try send(.deleteCertificateRequest, [])
            _ = try receive()
            try send(.endSession, [.init(CAPFTag.reason, [1])])
        case .nothingScheduled:
            try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.noAction])])
        case .unknownDevice:
            try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.unknownDevice])])
        case .retryLater(let seconds):
            try send(.retryLater, [.init(CAPFTag.retryDelay, [UInt8(seconds >> 8), UInt8(seconds & 0xFF)])])
        case .changeSessionID:
            try sendRaw(CAPFMessage(.keyGenerateRequest, sessionID: sessionID + 1, [.init(CAPFTag.keySize, [8, 0])]).encoded())
        case .outOfOrder:
            try send(.storeCertificateRequest, [.init(CAPFTag.certificateType, [1])])
        case .endSessionMidInstall:
            try send(.keyGenerateRequest, [.init(CAPFTag.keySize, [4, 0]), .init(CAPFTag.keyType, [0])])
            _ = try receiveUntil(.keyGenerateResponse)
            try send(.endSession, [.init(CAPFTag.reason, [1])])
        case .stopAnswering:
            try send(.keyGenerateRequest, [.init(CAPFTag.keySize, [4, 0]), .init(CAPFTag.keyType, [0])])
            _ = try receiveUntil(.keyGenerateResponse)
            Thread.sleep(forTimeInterval: 3)  // the phone's read timeout is shorter in this test
        case .garbageCertificate, .certificateForAnotherDevice, .certificateForAnotherKey:
            try install(device: device, keyType: 0, keySize: 1024, curve: nil)
        case .wrongProtocol, .lengthOverCap:
            break
        }
    }

    private func install(device: String, keyType: UInt8?, keySize: UInt16?, curve: UInt8?) throws {
        var elements: [CAPFMessage.Element] = []
        if let keySize { elements.append(.init(CAPFTag.keySize, [UInt8(keySize >> 8), UInt8(keySize & 0xFF)])) }
        if let keyType { elements.append(.init(CAPFTag.keyType, [keyType])) }
        if let curve { elements.append(.init(CAPFTag.curve, [curve])) }
        try send(.keyGenerateRequest, elements)
        let response = try receiveUntil(.keyGenerateResponse)
        let spki = response.value(CAPFTag.publicKey) ?? []
        var publicKey = try PublicKey(subjectPublicKeyInfo: spki[...])
        var subject = "CN=" + device + ",O=Lab,OU=Phones"
        switch script {
        case .certificateForAnotherDevice: subject = "CN=SEP000000000001,O=Lab"
        case .certificateForAnotherKey:
            let other = try PrivateKey.generateRSA(bits: 1024, rng: rng)
            publicKey = try PublicKey(subjectPublicKeyInfo: try other.subjectPublicKeyInfo()[...])
        default: break
        }
        let certificate = try CertificateIssuer.issue(.init(subject: subject, serialNumber: try rng.bytes(8)),
                                                      publicKey: publicKey, issuer: identity, rng: rng)
        var der = certificate.der
        if case .garbageCertificate = script { der = [0x30, 0x82, 0x01, 0x00] + [UInt8](repeating: 0x5A, count: 60) }
        issued = certificate
        try send(.storeCertificateRequest, [.init(CAPFTag.certificateType, [1]),
                                            .init(CAPFTag.certificate, CAPFElements.certificate(der, type: 1))])
        _ = try receive()
        try send(.endSession, [.init(CAPFTag.reason, [1])])
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func flush() throws {
        if tls.hasOutgoing { try connection.send(tls.takeOutgoing(), timeoutMs: 5_000).get() }
    }

    private func send(_ command: CAPFCommand, _ elements: [CAPFMessage.Element]) throws {
        try sendRaw(CAPFMessage(command, sessionID: sessionID, elements).encoded())
    }

    private func sendRaw(_ bytes: [UInt8]) throws {
        try tls.write(bytes)
        try flush()
    }

    private func receiveUntil(_ command: CAPFCommand) throws -> CAPFMessage {
        while true {
            let message = try receive()
            if message.command == command { return message }
        }
    }

    private func receive() throws -> CAPFMessage {
        while true {
            if let message = try framer.next() {
                received.append(message)
                return message
            }
            if let more = try tls.read() {
                framer.append(more)
                continue
            }
            tls.receive(try connection.receive(timeoutMs: 10_000).get()[...])
        }
    }
}
