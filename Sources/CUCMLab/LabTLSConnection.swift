import Foundation
import LinuxPlatform
import PhoneCrypto

/// The server side of one of the lab's TLS connections (CAPF, TVS, HTTPS): the handshake, the
/// session's secrets to the key log when one is asked for, and moving TLS records.
final class LabTLSConnection {
    let connection: TCPConnection
    let tls: TLSEngine

    /// `clientCertificateIssuer`: require a client certificate that issuer signed;
    /// `asksAnyClientCertificate`: ask for one and let the service judge it.
    init(lab: Lab, connection: TCPConnection, identity: Identity, clientCertificateIssuer: Certificate? = nil,
         asksAnyClientCertificate: Bool = false) {
        self.connection = connection
        tls = try! TLSEngine(serverIdentity: identity, clientCertificateIssuer: clientCertificateIssuer,
                             asksAnyClientCertificate: asksAnyClientCertificate, rng: lab.rng, exportSecrets: lab.keyLogPath != nil)
    }

    /// Runs the handshake; `service` names the key-log failure in the lab's log.
    func handshake(lab: Lab, service: String) throws {
        while try !tls.handshake() {
            try flush()
            try receive(timeoutMs: 10_000)
        }
        try flush()
        if let path = lab.keyLogPath, let secrets = tls.sessionSecrets, case .failure(let error) = KeyLogFile.append(secrets, to: path) {
            lab.log(service + ": could not append to the key log: " + error.reason)
        }
    }

    /// The handshake of a service that requires a client certificate: the certificate the
    /// client presented, or nil once the reason there is none is logged.
    func acceptClient(lab: Lab, service: String) -> Certificate? {
        do {
            try handshake(lab: lab, service: service)
        } catch {
            lab.log(service + ": handshake failed: " + ((error as? TLSError)?.reason ?? "\(error)"))
            return nil
        }
        guard let client = tls.peerCertificate else {
            lab.log(service + ": no client certificate, closing")
            return nil
        }
        return client
    }

    /// Sends whatever TLS has to send.
    func flush() throws {
        if tls.hasOutgoing { try connection.send(tls.takeOutgoing(), timeoutMs: 5_000).get() }
    }

    /// Feeds TLS the next bytes from the phone.
    func receive(timeoutMs: Int32) throws {
        tls.receive(try connection.receive(timeoutMs: timeoutMs).get()[...])
    }

    /// The next plaintext from the phone; nil when it closed.
    func read(timeoutMs: Int32) throws -> [UInt8]? {
        while true {
            let plaintext: [UInt8]?
            do { plaintext = try tls.read() } catch {
                if error == .closed { return nil }
                throw error
            }
            if let plaintext { return plaintext }
            try receive(timeoutMs: timeoutMs)
        }
    }

    /// close_notify, best effort.
    func close() {
        tls.close()
        try? flush()
    }
}
