import Foundation
import LinuxPlatform
import PhoneCrypto
import PhoneWire

/// The lab playing call control: SIP over TLS (the call manager's `securedSipPort`). TLS
/// with the CallManager certificate, a client certificate required (whichever the phone
/// presents: its LSC or its MIC). A REGISTER gets 200 OK when the client certificate is
/// the LSC the lab's CAPF issued to the device the request names, 403 otherwise (a MIC,
/// another device's LSC). The device is named as Cisco phones name it, in the Contact's
/// `+u.sip!devicename.ccm.cisco.com="SEP…"` parameter (CUCM finds the device by it).
final class SIPService: TCPLabService, @unchecked Sendable {
    let lab: Lab
    let connections: AcceptLoop

    init(lab: Lab, host: String, port: UInt16) throws {
        self.lab = lab
        connections = try AcceptLoop(host: host, port: port)
    }

    func handle(_ connection: TCPConnection) {
        var identity = lab.tftp
        switch lab.attack {
        case .sipUntrustedCertificate:
            lab.log("ATTACK sip-untrusted-certificate: SIP-TLS presents a certificate no list holds")
            identity = lab.stranger
        case .sipUntrustedECCertificate:
            lab.log("ATTACK sip-untrusted-ec-certificate: SIP-TLS presents an EC certificate no list holds")
            identity = lab.strangerEC
        case .sipTFTPCertificate:
            guard let tftpEC = lab.tftpEC else { return lab.log("ATTACK sip-tftp-certificate needs a lab made with init --ec") }
            lab.log("ATTACK sip-tftp-certificate: SIP-TLS presents the EC TFTP certificate")
            identity = tftpEC
        default:
            break
        }
        let channel = LabTLSConnection(lab: lab, connection: connection, identity: identity, asksAnyClientCertificate: true)
        defer { channel.close() }
        guard let client = channel.acceptClient(lab: lab, service: "SIP-TLS") else { return }
        // One request at a time until the phone closes (a phone keeps its registration's connection).
        while let request = SIPRequest.read({ (try? channel.read(timeoutMs: 10_000)) ?? nil }) {
            let (status, why) = lab.register(request, from: client)
            lab.log("SIP-TLS: " + request.method + " for " + (request.deviceName ?? "no device") + " from " + client.subject
                    + " → " + status + (why.isEmpty ? "" : " (" + why + ")"))
            var response = "SIP/2.0 " + status + "\r\n"
            for header in request.echoedHeaders { response += header + "\r\n" }
            response += "Content-Length: 0\r\n\r\n"
            try? channel.tls.write(Array(response.utf8))
            try? channel.flush()
        }
    }
}

/// The head of one SIP request: what the lab needs of it.
struct SIPRequest {
    let method: String
    let deviceName: String?
    /// Via, From, To, Call-ID, CSeq: a response repeats them (RFC 3261 §8.2.6.2).
    let echoedHeaders: [String]

    /// nil when the connection ended, or the head is over 8 KB or not a request.
    static func read(_ receive: () -> [UInt8]?) -> SIPRequest? {
        var bytes: [UInt8] = []
        while !bytes.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard bytes.count < 8192, let more = receive() else { return nil }
            bytes += more
        }
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        guard let method = lines.first?.split(separator: " ").first.map(String.init), !method.isEmpty else { return nil }
        let echoed = lines.dropFirst().filter { line in
            ["via:", "from:", "to:", "call-id:", "cseq:"].contains { line.lowercased().hasPrefix($0) }
        }
        var device: String?
        let marker = "+u.sip!devicename.ccm.cisco.com=\""
        if let contact = lines.first(where: { $0.lowercased().hasPrefix("contact:") }), let start = contact.range(of: marker) {
            device = String(contact[start.upperBound...].prefix { $0 != "\"" })
        }
        return SIPRequest(method: method, deviceName: device, echoedHeaders: echoed)
    }
}

extension Lab {
    /// 200 OK for a REGISTER over the LSC the lab issued to the device it names; 403 otherwise.
    func register(_ request: SIPRequest, from client: Certificate) -> (status: String, why: String) {
        guard request.method == "REGISTER" else { return ("405 Method Not Allowed", "only REGISTER") }
        guard let name = request.deviceName else { return ("403 Forbidden", "the Contact names no device") }
        guard let device = try? devices.device(name) else { return ("403 Forbidden", "unknown device " + name) }
        guard let issued = device.certificate else { return ("403 Forbidden", "no LSC was issued to " + name) }
        guard issued == client.der else {
            return ("403 Forbidden", "the client certificate is not the LSC issued to " + name)
        }
        return ("200 OK", "")
    }
}
