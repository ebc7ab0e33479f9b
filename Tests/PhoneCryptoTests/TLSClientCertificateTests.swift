import PhoneCrypto
import TestSupport
import XCTest

/// A server that asks for any client certificate (the lab's SIP-TLS, where the service
/// judges the certificate): it learns the one the client proves it holds, and a client
/// without one still connects (the service then refuses it).
final class TLSClientCertificateTests: XCTestCase {
    private func connect(client: TLSEngine, server: TLSEngine) throws {
        var clientDone = false
        var serverDone = false
        for _ in 0..<20 where !(clientDone && serverDone) {
            clientDone = try client.handshake()
            if client.hasOutgoing { server.receive(client.takeOutgoing()[...]) }
            serverDone = try server.handshake()
            if server.hasOutgoing { client.receive(server.takeOutgoing()[...]) }
        }
        XCTAssertTrue(clientDone && serverDone, "the handshake completes")
    }

    func testTheServerLearnsTheCertificateTheClientPresents() throws {
        let serverIdentity = try Vectors.identity("interop/pki/ccm-tftp.pem")
        let phone = try Vectors.identity("interop/pki/phone-mic.pem")
        let server = try TLSEngine(serverIdentity: serverIdentity, asksAnyClientCertificate: true, rng: testRNG())
        let client = try TLSEngine(pinnedServerCertificates: [serverIdentity.certificate], clientIdentity: phone, rng: testRNG())
        try connect(client: client, server: server)
        XCTAssertEqual(server.peerCertificate?.der, phone.certificate.der)
    }

    func testAClientWithoutACertificateConnectsAndPresentsNone() throws {
        let serverIdentity = try Vectors.identity("interop/pki/ccm-tftp.pem")
        let server = try TLSEngine(serverIdentity: serverIdentity, asksAnyClientCertificate: true, rng: testRNG())
        let client = try TLSEngine(pinnedServerCertificates: [serverIdentity.certificate], rng: testRNG())
        try connect(client: client, server: server)
        XCTAssertNil(server.peerCertificate)
    }

    func testAServerThatAsksNothingLearnsNothing() throws {
        let serverIdentity = try Vectors.identity("interop/pki/ccm-tftp.pem")
        let phone = try Vectors.identity("interop/pki/phone-mic.pem")
        let server = try TLSEngine(serverIdentity: serverIdentity, rng: testRNG())
        let client = try TLSEngine(pinnedServerCertificates: [serverIdentity.certificate], clientIdentity: phone, rng: testRNG())
        try connect(client: client, server: server)
        XCTAssertNil(server.peerCertificate)
    }
}
