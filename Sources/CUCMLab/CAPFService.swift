import Foundation
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneWire

/// The lab's CAPF: TLS on its port, the device's scheduled operation, LSCs signed by the
/// CAPF key (CN = device name, client and server auth), the table updated and the
/// operation reset to none. A misbehaving phone ends its own session, never the service.
final class CAPFService: TCPLabService, @unchecked Sendable {
    let lab: Lab
    let connections: AcceptLoop

    init(lab: Lab, host: String, port: UInt16) throws {
        self.lab = lab
        connections = try AcceptLoop(host: host, port: port)
    }

    func handle(_ connection: TCPConnection) {
        do { try Session(lab: lab, connection: connection).run() } catch { lab.log("CAPF: session ended with an error: \(error)") }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// One phone's session.
    final class Session {
        let lab: Lab
        let channel: LabTLSConnection
        var tls: TLSEngine { channel.tls }
        var framer = CAPFFramer()
        let sessionID = UInt32.random(in: 1...UInt32.max)

        init(lab: Lab, connection: TCPConnection) {
            self.lab = lab
            // capf-not-in-itl: present a certificate the ITL does not list.
            channel = LabTLSConnection(lab: lab, connection: connection, identity: lab.attack == .capfNotInITL ? lab.stranger : lab.capf)
        }

        func run() throws {
            try channel.handshake(lab: lab, service: "CAPF")
            if lab.attack == .capfLengthOverCap {
                lab.log("ATTACK capf-length-over-cap: a header announcing 65535 bytes")
                try tls.write([0x55, 1, 0, 0, 0, 1, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64))
                return try channel.flush()
            }
            if lab.attack == .capfRetryLaterForever {
                lab.log("ATTACK capf-retry-later-forever: RetryLater 1 s")
                return try send(.retryLater, [.init(CAPFTag.retryDelay, [0, 1])])
            }
            if lab.attack == .capfWrongProtocol {
                lab.log("ATTACK capf-wrong-protocol: a header with protocol 23")
                try tls.write([0x17, 1, 0, 0, 0, 1, 0, 0])
                return try channel.flush()
            }
            // The first AuthRequest asks for the auth type of the device, which is not
            // known yet: ask for a string whenever the phone may have one (mode 1 below).
            try send(.authRequest, [.init(CAPFTag.version, [3]), .init(CAPFTag.authType, [UInt8(CAPFAuthMode.automatic.value)])])
            let auth = try receive()
            guard auth.command == .authResponse else { throw Failure("expected AuthResponse, got \(auth.command.name)") }
            let name = String(decoding: CAPFElements.parseText(auth.value(CAPFTag.deviceName) ?? []) ?? [], as: UTF8.self)
            guard var device = try lab.devices.device(name) else {
                lab.log("CAPF: " + name + ": unknown device, EndSession reason 9")
                return try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.unknownDevice])])
            }
            if let expected = device.authString {
                let given = CAPFElements.parseText(auth.value(CAPFTag.password) ?? []) ?? []
                guard given == Array(expected.utf8) else {
                    lab.log("CAPF: " + name + ": wrong or missing authentication string, EndSession reason 7")
                    return try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.invalidElement])])
                }
            }
            if lab.attack == .capfOutOfOrder {
                lab.log("ATTACK capf-out-of-order: StoreCertificateRequest before any key")
                return try send(.storeCertificateRequest, [.init(CAPFTag.certificateType, [CAPFCertificateType.lsc])])
            }
            switch device.operation {
            case "install":
                try install(&device)
            case "fetch":
                try send(.fetchCertificateRequest, [])
                let answer = try receive()
                if let certificate = CAPFElements.parseCertificate(answer.value(CAPFTag.certificate) ?? []) {
                    let parsed = try Certificate(der: certificate.der[...])
                    device.certificate = certificate.der
                    device.md5hash = try hexString(parsed.md5())
                    device.publicKey = try parsed.subjectPublicKeyInfo()
                    lab.log("CAPF: " + name + ": fetched its certificate, md5hash " + device.md5hash + " stored")
                } else {
                    lab.log("CAPF: " + name + ": fetch answered reason \(answer.byte(CAPFTag.reason) ?? 0) (no certificate)")
                }
                device.operation = "none"
                try lab.devices.upsert(device)
                try send(.endSession, [.init(CAPFTag.reason, [1])])
            case "delete":
                try send(.deleteCertificateRequest, [])
                let answer = try receive()
                device.certificate = nil
                device.publicKey = nil
                device.md5hash = ""
                device.operation = "none"
                try lab.devices.upsert(device)
                lab.log("CAPF: " + name + ": delete answered reason \(answer.byte(CAPFTag.reason) ?? 0), certificate removed")
                try send(.endSession, [.init(CAPFTag.reason, [1])])
            default:
                lab.log("CAPF: " + name + ": no operation scheduled, EndSession reason 0")
                try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.noAction])])
            }
        }

        private func install(_ device: inout DeviceTable.Device) throws {
            let name = device.name
            // CUCM's key order: "ec:P-256,rsa:2048" is "EC preferred, RSA backup" — the
            // backup is asked for once a phone broke off a session on the preferred key.
            let choices = device.key.split(separator: ",").map(String.init)
            let key = lab.refusedPreferredKey(name) && choices.count > 1 ? choices[1] : choices[0]
            var elements: [CAPFMessage.Element] = []
            if key.hasPrefix("ec:") {
                let curves = ["ec:P-256": CAPFCurve.p256, "ec:P-384": CAPFCurve.p384, "ec:P-521": CAPFCurve.p521]
                elements = [.init(CAPFTag.keyType, [CAPFKeyType.ec]), .init(CAPFTag.curve, [curves[key] ?? CAPFCurve.p256])]
            } else {
                let bits = UInt16(key.dropFirst("rsa:".count)) ?? 2048
                elements = [.init(CAPFTag.keySize, [UInt8(bits >> 8), UInt8(bits & 0xFF)]), .init(CAPFTag.keyType, [CAPFKeyType.rsa])]
            }
            lab.log("CAPF: " + name + ": install scheduled, KeyGenerateRequest " + key
                    + (choices.count > 1 ? " (key order " + device.key + ")" : ""))
            if lab.attack == .capfSessionIDChanges {
                lab.log("ATTACK capf-session-id-changes: KeyGenerateRequest under another session id")
                try tls.write(CAPFMessage(.keyGenerateRequest, sessionID: sessionID &+ 1, elements).encoded())
                try channel.flush()
                _ = try? receive()
                return
            }
            try send(.keyGenerateRequest, elements)
            var response: CAPFMessage
            do {
                response = try receive()
                while response.command == .requestInProgress { response = try receive() }
            } catch {
                if choices.count > 1, key == choices[0] {
                    lab.recordRefusedPreferredKey(name)
                    lab.log("CAPF: " + name + ": no " + key + " key from the phone; its next session is asked for " + choices[1])
                }
                throw error
            }
            guard response.command == .keyGenerateResponse, let spki = response.value(CAPFTag.publicKey) else {
                throw Failure("expected KeyGenerateResponse, got \(response.command.name)")
            }
            if lab.attack == .capfEndSessionMidInstall {
                lab.log("ATTACK capf-end-session-mid-install: EndSession success after the key, no certificate")
                return try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.success])])
            }
            if lab.attack == .capfStopsAnswering {
                // Silent for longer than a phone's shortened read timeout, then gone.
                lab.log("ATTACK capf-stops-answering: silent for 2 s after the key, then the connection closes")
                Thread.sleep(forTimeInterval: 2)
                return
            }
            var publicKey = try PublicKey(subjectPublicKeyInfo: spki[...])
            var subject = "CN=" + name + ",O=Lab,OU=Phones"
            if lab.attack == .capfCertificateForAnotherKey {
                publicKey = try PublicKey(subjectPublicKeyInfo: try lab.stranger.privateKey.subjectPublicKeyInfo()[...])
            }
            if lab.attack == .capfCertificateForAnotherDevice { subject = "CN=SEP000000000001,O=Lab,OU=Phones" }
            var profile = CertificateIssuer.Profile(subject: subject, serialNumber: try lab.rng.bytes(16).map { $0 & 0x7F })
            profile.clientAndServerAuth = true
            let certificate = try CertificateIssuer.issue(profile, publicKey: publicKey, issuer: lab.capf, rng: lab.rng)
            var der = certificate.der
            if lab.attack == .capfGarbageCertificate { der = [0x30, 0x82, 0x01, 0x00] + [UInt8](repeating: 0x5A, count: 80) }
            if let attack = lab.attack, attack.isCAPF { lab.log("ATTACK " + attack.rawValue + ": StoreCertificateRequest") }
            try send(.storeCertificateRequest, [.init(CAPFTag.certificateType, [CAPFCertificateType.lsc]),
                                                .init(CAPFTag.certificate, CAPFElements.certificate(der, type: CAPFCertificateType.lsc))])
            let stored = try receive()
            guard stored.command == .storeCertificateResponse, stored.byte(CAPFTag.reason) == CAPFReasonCode.success else {
                lab.log("CAPF: " + name + ": the phone did not store the LSC (reason \(stored.byte(CAPFTag.reason) ?? 0)), table unchanged")
                return try send(.endSession, [.init(CAPFTag.reason, [CAPFReasonCode.invalidElement])])
            }
            device.certificate = certificate.der
            device.md5hash = try hexString(certificate.md5())
            device.publicKey = spki
            device.operation = "none"
            try lab.devices.upsert(device)
            lab.log("CAPF: " + name + ": LSC issued (" + publicKey.kind.name + ", serial " + hexString(certificate.serialNumber)
                    + "), md5hash " + device.md5hash + " stored")
            try send(.endSession, [.init(CAPFTag.reason, [1])])
        }

        private func send(_ command: CAPFCommand, _ elements: [CAPFMessage.Element]) throws {
            try tls.write(CAPFMessage(command, sessionID: sessionID, elements).encoded())
            try channel.flush()
        }

        private func receive() throws -> CAPFMessage {
            while true {
                if let message = try framer.next() {
                    guard message.sessionID == sessionID else { throw Failure("the phone changed the session id") }
                    return message
                }
                if let more = try tls.read() {
                    framer.append(more)
                    continue
                }
                // Key generation on a slow phone takes seconds: a generous timeout.
                try channel.receive(timeoutMs: 60_000)
            }
        }
    }
}

