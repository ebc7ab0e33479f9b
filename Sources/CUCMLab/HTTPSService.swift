import Foundation
import LinuxPlatform
import PhoneCrypto
import PhoneWire

/// The lab's HTTPS configuration service (port 6971 on CUCM, formats.md §5): TLS with the
/// EC TFTP certificate, a client certificate issued by the lab's CAPF required; it serves
/// the full configuration, unsigned, of the device the client certificate names — and
/// only that device's (another device's file: 403).
final class HTTPSService: TCPLabService, @unchecked Sendable {
    let lab: Lab
    let identity: Identity
    let connections: AcceptLoop

    init(lab: Lab, identity: Identity, host: String, port: UInt16) throws {
        self.lab = lab
        self.identity = identity
        connections = try AcceptLoop(host: host, port: port)
    }

    func handle(_ connection: TCPConnection) {
        var serverIdentity = identity
        var issuer = lab.capf.certificate
        switch lab.attack {
        case .httpsNotInITL:
            lab.log("ATTACK https-not-in-itl: 6971 presents an EC certificate no list holds")
            serverIdentity = lab.strangerEC
        case .httpsRSACertificate:
            lab.log("ATTACK https-rsa-certificate: 6971 presents the RSA CallManager certificate")
            serverIdentity = lab.tftp
        case .httpsRefusesClientCertificate:
            lab.log("ATTACK https-refuses-client-certificate: only client certificates of a stranger CA are accepted")
            issuer = lab.stranger.certificate
        default:
            break
        }
        let channel = LabTLSConnection(lab: lab, connection: connection, identity: serverIdentity, clientCertificateIssuer: issuer)
        defer { channel.close() }
        guard let client = channel.acceptClient(lab: lab, service: "HTTPS") else { return }
        let name: String
        switch HTTPGet.read({ (try? channel.read(timeoutMs: 5_000)) ?? nil }) {
        case .gone: return
        case .badRequest:
            respond(channel, status: "400 Bad Request", body: [])
            return
        case .file(let file): name = file
        }
        if lab.attack == .httpsHangs {
            lab.log("ATTACK https-hangs: GET /" + name + " → no answer")
            Thread.sleep(forTimeInterval: 15)
            return
        }
        let (status, body, why) = lab.serveOverHTTPS(name, to: client)
        lab.log("HTTPS: GET /" + name + " from " + client.subject + " → " + status + (why.isEmpty ? "" : " (" + why + ")"))
        respond(channel, status: status, body: body)
    }

    private func respond(_ channel: LabTLSConnection, status: String, body: [UInt8]) {
        let head = "HTTP/1.1 " + status + "\r\nContent-Type: text/xml\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        try? channel.tls.write(Array(head.utf8) + body)
        try? channel.flush()
    }
}

extension Lab {
    /// What 6971 answers: the full configuration of the device the client certificate
    /// names (`CN=SEP<MAC>`), for that device's own file only.
    func serveOverHTTPS(_ name: String, to client: Certificate) -> (status: String, body: [UInt8], why: String) {
        let named = client.subject.split(separator: ",").first { $0.hasPrefix("CN=") }.map { String($0.dropFirst(3)) } ?? ""
        guard name == named + ".cnf.xml.sgn" else {
            return ("403 Forbidden", [], "the client certificate names " + (named.isEmpty ? "no device" : named))
        }
        guard let device = try? devices.device(named) else { return ("404 Not Found", [], "unknown device " + named) }
        if attack == .httpsConfigForAnotherDevice {
            var other = device
            other.md5hash = hexString(try! Digest.hash(.md5, Array("another device".utf8)))
            log("ATTACK https-config-for-another-device: the configuration of another certificate")
            return ("200 OK", fullConfig(other), "")
        }
        return ("200 OK", fullConfig(device), "")
    }

    /// A throwaway EC identity nobody trusts (the HTTPS server no list holds), made once.
    var strangerEC: Identity {
        stranger("ec") {
            let rng = rng
            let key = try! PrivateKey.generateEC(curve: .p256, rng: rng)
            let certificate = try! CertificateIssuer.selfSigned(.init(subject: "CN=stranger-ec,O=Elsewhere", serialNumber: [0x5A, 2]),
                                                                key: key, rng: rng)
            return try! Identity(certificate: certificate, privateKey: key)
        }
    }
}
