import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The lab's TVS and the cluster's certificate change, against the real `phone`.
final class TVSLabTests: XCTestCase {
    var fixture: LabFixture!

    override func setUpWithError() throws {
        fixture = try LabFixture()
        try fixture.add(profile: .authenticated, operation: "none")
    }

    override func tearDownWithError() throws { fixture.close() }

    func trust(_ pem: String, _ purpose: String, _ extra: [String] = []) throws -> ProgramRun {
        try fixture.phone(["trust", pem, "--purpose", purpose, "--state", fixture.state] + extra)
    }

    /// A boot before the change, one after the new-key step (TVS vouches for the new
    /// signer), one after the recovery step (the SAST signs again).
    func testTheRotateScenarioThePhoneFollowsBothSteps() throws {
        let before = try fixture.boot()
        XCTAssertEqual(before.status, 0, before.stderr)
        XCTAssertEqual(try String(contentsOfFile: fixture.state + "/tvs-servers", encoding: .utf8), "127.0.0.1 \(fixture.server.tvsPort)\n")
        let oldITL = try Data(contentsOf: URL(fileURLWithPath: fixture.state + "/itl.tlv"))

        try fixture.lab.rotateCallManager(.newKey)
        let afterNewKey = try fixture.boot()
        XCTAssertEqual(afterNewKey.status, 0, afterNewKey.stderr)
        XCTAssertTrue(afterNewKey.stderr.contains("asking TVS about CN=cucm-lab,O=Lab,OU=CallManager (1 server)"), afterNewKey.stderr)
        XCTAssertTrue(afterNewKey.stderr.contains("TVS: 127.0.0.1:\(fixture.server.tvsPort): valid, roles SAST, CCM+TFTP, TTL 3600 s"),
                      afterNewKey.stderr)
        XCTAssertTrue(afterNewKey.stderr.contains("SECD: Trust List updated (new signer vouched for by TVS): ITLFile.tlv signed by CN=cucm-lab"),
                      afterNewKey.stderr)
        XCTAssertTrue(afterNewKey.stderr.contains("full configuration applied"), afterNewKey.stderr)
        let newKeyITL = try Data(contentsOf: URL(fileURLWithPath: fixture.state + "/itl.tlv"))
        XCTAssertNotEqual(newKeyITL, oldITL)
        XCTAssertEqual([UInt8](newKeyITL), fixture.lab.itl)

        try fixture.lab.rotateCallManager(.recovery)
        let afterRecovery = try fixture.boot()
        XCTAssertEqual(afterRecovery.status, 0, afterRecovery.stderr)
        XCTAssertTrue(afterRecovery.stderr.contains("SECD: Trust List updated: ITLFile.tlv signed by CN=SAST-lab"), afterRecovery.stderr)
        XCTAssertFalse(afterRecovery.stderr.contains("asking TVS"), "the installed ITL lists the recovery SAST")
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture.state + "/itl.tlv"))), fixture.lab.itl)
    }

    /// Without TVS the change strands the phone: the classic "Trust List update failed".
    func testWithoutTVSThePhoneStaysOnTheOldITL() throws {
        XCTAssertEqual(try fixture.boot().status, 0)
        try FileManager.default.removeItem(atPath: fixture.state + "/tvs-servers")
        try fixture.lab.rotateCallManager(.newKey)
        let run = try fixture.boot()
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("SECD: Trust List update failed: ITLFile.tlv: signer unknown: CN=cucm-lab"), run.stderr)
        XCTAssertTrue(run.stderr.contains("the last configuration names no TVS"), run.stderr)
    }

    func testPhoneTrustAgainstTheLabsTVS() throws {
        XCTAssertEqual(try fixture.boot().status, 0)
        let pki = fixture.work.appendingPathComponent("lab/pki").path
        // Listed: no TVS asked.
        let listed = try trust(pki + "/ccm-tftp.pem", "config")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("verdict:     trusted by the installed ITL (record 2, CN=cucm-lab,O=Lab,OU=CallManager, role CCM+TFTP)"),
                      listed.stdout)
        XCTAssertFalse(listed.stdout.contains("asked:"))
        // Not a SAST of the ITL: TVS vouches with its ITL role.
        let signer = try trust(pki + "/ccm-tftp.pem", "itl-signer")
        XCTAssertEqual(signer.status, 0, signer.stderr)
        XCTAssertTrue(signer.stdout.contains("trusted by TVS 127.0.0.1:\(fixture.server.tvsPort) (roles CCM+TFTP, valid for 3600 s)"),
                      signer.stdout)
        // Unknown to the cluster: invalid, exit 1.
        let ec = Vectors.url("interop/pki/tftp-ec.pem").path
        let unknown = try trust(ec, "https")
        XCTAssertEqual(unknown.status, 1, unknown.stderr)
        XCTAssertTrue(unknown.stdout.contains("not trusted: TVS 127.0.0.1:\(fixture.server.tvsPort) says invalid"), unknown.stdout)
        // Told about it: valid with those roles, for that long.
        let add = try ProgramRun.run(ProgramRun.builtProgram("cucm-lab"), ["tvs", "add", ec, "--dir", fixture.work.appendingPathComponent("lab").path,
                                                                            "--roles", "tftp,app-server", "--ttl", "86400"])
        XCTAssertEqual(add.status, 0, add.stderr)
        let list = try ProgramRun.run(ProgramRun.builtProgram("cucm-lab"), ["tvs", "list", "--dir", fixture.work.appendingPathComponent("lab").path])
        XCTAssertEqual(list.stdout, "CN=tftp-ec,O=Lab,OU=Voice  roles TFTP,APP-SERVER  ttl 86400\n")
        let https = try trust(ec, "https")
        XCTAssertEqual(https.status, 0, https.stderr)
        XCTAssertTrue(https.stdout.contains("(roles TFTP, APP-SERVER, valid for 86400 s)"), https.stdout)
        let callControl = try trust(ec, "call-control")
        XCTAssertEqual(callControl.status, 1, callControl.stderr)
        XCTAssertTrue(callControl.stdout.contains("vouches only for roles TFTP, APP-SERVER"), callControl.stdout)
        // Nobody at that port: exit 3.
        let nobody = try trust(ec, "https", ["--tvs", "127.0.0.1:1"])
        XCTAssertEqual(nobody.status, 3, nobody.stderr)
        XCTAssertTrue(nobody.stdout.contains("no TVS answered: 127.0.0.1:1 connect: connection refused"), nobody.stdout)
    }

    /// The reference server's rule, kept by the lab: a device name not of the form
    /// CP-<four digits>-SEP<MAC> gets no answer, which the phone reads as "not verified".
    func testTheLabClosesOnABadDeviceName() throws {
        var platform = LinuxPhonePlatform(servers: [], transport: .http, storage: PhoneStorage(directory: fixture.state)) { _, _ in }
        let query = TVSQuery(server: .init(host: "127.0.0.1", port: fixture.server.tvsPort), pinned: [fixture.lab.tvs.certificate],
                             request: TVSVerifyRequest(sessionID: 9, deviceName: Array("SEPA45630BBFA40".utf8),
                                                       certificate: fixture.lab.capf.certificate.der))
        XCTAssertEqual(platform.ask(query, rng: testRNG()), .failed(.session(.closedWithoutAnswer(receivedBytes: 0))))
        XCTAssertTrue(fixture.labLog.contains("TVS: device name SEPA45630BBFA40 is not CP-<model>-SEP<MAC>: closing without an answer"),
                      fixture.labLog)
        let refused = try fixture.phone(["trust", "x.pem", "--purpose", "https", "--state", fixture.state, "--device", "CP-88-SEPA45630BBFA40"])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--device must be CP-<four digits>-SEP<12 hex digits>"), refused.stderr)
    }
}
