import CPhoneSec
@testable import CUCMLab
import Foundation
import LabSupport
import PhoneCrypto
@testable import PhoneSec
import PhoneTrust
import PhoneWire
import XCTest

/// The EC call-control rows of the acceptance table (PhoneCoreTests.ServerAcceptanceTests:
/// `tftp-ec`, listed in a role that is no call control, and `phone-lsc-ec`, listed
/// nowhere) against the secure channel, with the certificates an EC lab presents: its EC
/// TFTP certificate (listed as TFTP in its ITL) and an EC stranger, each with TVS
/// vouching, refusing and silent (the lab's TVS knows its own TFTP certificate as TFTP, as
/// a cluster's does: for it, "refusing" is vouching for roles that are not call control).
/// The phone is enrolled with an EC LSC by a boot.
final class ChannelECRowsTests: XCTestCase {
    var fixture: LabFixture!
    var evilLab: Lab!
    var evilServer: LabServer!
    private var evilLines: [String] = []
    private let evilLock = NSLock()
    var message = phonesec_message()

    enum TVS { case vouches, refuses, silent }
    /// Vouching last: it adds the certificate to the lab's TVS for good.
    static let order: [TVS] = [.refuses, .silent, .vouches]

    override func setUpWithError() throws {
        fixture = try LabFixture(ec: true)
        try fixture.add(key: "ec:P-256")
        let boot = try fixture.boot()
        XCTAssertEqual(boot.status, 0, boot.stderr)
        evilLab = try Lab(fixture.work.appendingPathComponent("lab")) { [unowned self] line in
            evilLock.lock()
            evilLines.append(line)
            evilLock.unlock()
        }
        evilServer = try LabServer(lab: evilLab, host: "127.0.0.1", tftpPort: 0, httpPort: 0, capfPort: 0)
        evilServer.start()
    }

    override func tearDownWithError() throws {
        evilServer.stop()
        fixture.close()
    }

    /// How many handshakes the evil server began under `attack`.
    private func handshakes(_ attack: Attack) -> Int {
        evilLock.lock()
        defer { evilLock.unlock() }
        return evilLines.filter { $0.hasPrefix("ATTACK " + attack.rawValue + ":") }.count
    }

    private func open(_ state: String) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let status = state.withCString { directory in
            "A4:56:30:BB:FA:40".withCString { mac in
                var options = phonesec_phone_options()
                options.state_directory = directory
                options.mac = mac
                return phonesec_phone_open(&options, &handle, &message)
            }
        }
        XCTAssertEqual(status, PHONESEC_OK, text(message.text))
        return try XCTUnwrap(handle)
    }

    /// One row: the evil server presents `attack`'s certificate, TVS does as `tvs` says; a
    /// refusing TVS's answer is `refusal`.
    private func row(_ attack: Attack, presenting certificate: Certificate, _ tvs: TVS,
                     refusal: phonesec_refusal = PHONESEC_REFUSAL_TVS_SAYS_INVALID) throws {
        let name = attack.rawValue + " × TVS " + String(describing: tvs)
        evilLab.attack = attack
        var state = fixture.state
        switch tvs {
        case .vouches:
            try fixture.lab.devices.upsertTVS(.init(subject: certificate.subject, certificate: certificate.der,
                                                    roles: [TrustRole.ccm.rawValue], ttl: 60),
                                              sha256: hexString(try Digest.hash(.sha256, certificate.der)))
        case .refuses:
            break
        case .silent:
            // Port 1 on loopback: nothing listens, so no TVS answers.
            state = fixture.work.appendingPathComponent("silent-tvs-" + UUID().uuidString).path
            try FileManager.default.copyItem(atPath: fixture.state, toPath: state)
            try "127.0.0.1 1\n".write(toFile: state + "/tvs-servers", atomically: true, encoding: .utf8)
        }
        let phone = try open(state)
        defer { phonesec_phone_close(phone) }
        let before = handshakes(attack)
        var channel: UInt32 = 7
        var server = phonesec_trust_result()
        let status = "127.0.0.1".withCString { host in
            phonesec_channel_open(phone, host, evilServer.sipTLSPort, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, &server, &message)
        }
        XCTAssertEqual(server.tvs_servers_asked, 1, name + ": TVS is asked, whatever it answers")
        switch tvs {
        case .vouches:
            XCTAssertEqual(status, PHONESEC_OK, name + ": " + text(message.text))
            XCTAssertEqual(server.source, PHONESEC_SOURCE_TVS, name)
            XCTAssertEqual(handshakes(attack) - before, 2, name + ": the refused handshake, then the one pinned to the vouched certificate")
            XCTAssertEqual(phonesec_channel_close(phone, channel, &message), PHONESEC_OK, name)
        case .refuses, .silent:
            XCTAssertEqual(status, PHONESEC_ERR_NOT_TRUSTED, name + ": " + text(message.text))
            XCTAssertEqual(channel, 0, name)
            XCTAssertEqual(server.refusal, tvs == .refuses ? refusal : PHONESEC_REFUSAL_UNANSWERED, name)
            XCTAssertEqual(handshakes(attack) - before, 1, name + ": never a second connection")
        }
    }

    /// `phone-lsc-ec`'s rows: an EC certificate no list holds.
    func testAnUnlistedECServerIsConnectedOnlyWhenTVSVouches() throws {
        for tvs in Self.order { try row(.sipUntrustedECCertificate, presenting: evilLab.strangerEC.certificate, tvs) }
    }

    /// `tftp-ec`'s rows: the cluster's EC TFTP certificate is listed, but TFTP is no
    /// call-control role, so the lists do not pin it and TVS decides: it knows the
    /// certificate as TFTP (refused, the roles do not fit) or does not answer. (A TVS that
    /// vouched for it as call control would contradict its own cluster's ITL; the policy
    /// table's row for that runs against the policy alone.)
    func testAListedECServerInAnotherRoleIsRefusedWhenTVSKnowsItsRole() throws {
        let tftpEC = try XCTUnwrap(fixture.lab.tftpEC).certificate
        for tvs in [TVS.refuses, .silent] { try row(.sipTFTPCertificate, presenting: tftpEC, tvs, refusal: PHONESEC_REFUSAL_ROLES_DO_NOT_FIT) }
    }
}
