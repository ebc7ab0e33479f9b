import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

/// The phone against the lab over loopback: the built `phone` program, the lab in-process.
final class LabIntegrationTests: XCTestCase {
    var fixture: LabFixture!
    var lab: Lab { fixture.lab }
    var server: LabServer { fixture.server }
    var labLog: String { fixture.labLog }
    var state: String { fixture.state }
    var work: URL { fixture.work }
    var mic: String { fixture.mic }
    var device: String { fixture.device }

    override func setUpWithError() throws { fixture = try LabFixture() }
    override func tearDownWithError() throws { fixture.close() }

    func add(profile: DeviceTable.Profile = .encrypted, auth: String = "auto", operation: String = "install",
             key: String = "rsa:2048") throws {
        try fixture.add(profile: profile, auth: auth, operation: operation, key: key)
    }
    func phone(_ arguments: [String], environment: [String: String] = [:]) throws -> LabFixture.Run {
        try fixture.phone(arguments, environment: environment)
    }
    func boot(_ extra: [String] = [], tftp: Bool = false) throws -> LabFixture.Run { try fixture.boot(extra, tftp: tftp) }
    func storedLSC() -> Identity? { fixture.storedLSC() }

    func testDemoFlowThenASecondBootOverTFTP() throws {
        try add()
        let first = try boot()
        XCTAssertEqual(first.status, 0, first.stderr)
        let lsc = try XCTUnwrap(storedLSC())
        let row = try XCTUnwrap(lab.devices.device(device))
        XCTAssertEqual(row.md5hash, hexString(try lsc.certificate.md5()))
        XCTAssertEqual(row.operation, "none", "the operation is reset after the install")
        XCTAssertEqual(row.certificate, lsc.certificate.der)
        let sql = try DeviceTable.query(path: lab.databasePath, "select md5hash,name from device where name='\(device)'")
        XCTAssertEqual(sql, "md5hash                          name\n" + row.md5hash + " " + device)

        let second = try boot(tftp: true)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stderr.contains("CAPF:"), "no second enrollment")
        XCTAssertTrue(second.stderr.contains("TFTP: RRQ SEPA45630BBFA40.cnf.xml.enc.sgn"), second.stderr)
        XCTAssertTrue(labLog.contains("TFTP: RRQ SEPA45630BBFA40.cnf.xml.enc.sgn → sent"), labLog)
    }

    /// An EC LSC cannot unwrap an RSA-wrapped key: the lab does not serve an `.enc.sgn`
    /// the phone could not read, says why, and the phone backs off and reports it.
    func testECEnrollmentAndTheRSAOnlyKeyWrap() throws {
        try add(key: "ec:P-256")
        let run = try boot()
        XCTAssertEqual(run.status, 4, run.stderr)
        XCTAssertEqual(storedLSC()?.privateKey.kind, .ec(.p256))
        XCTAssertTrue(labLog.contains("its LSC key is EC P-256 and the .enc.sgn key wrap is RSA only"), labLog)
        XCTAssertTrue(run.stderr.contains("encrypted configuration unavailable: the cluster does not serve SEPA45630BBFA40.cnf.xml.enc.sgn"),
                      run.stderr)
    }

    func testAuthenticationStringRightWrongAndNone() throws {
        try add(auth: "string:123456")
        let none = try boot()
        XCTAssertEqual(none.status, 5, none.stderr)
        XCTAssertNil(storedLSC())
        let wrong = try boot(["--auth-string", "111111"])
        XCTAssertEqual(wrong.status, 5, wrong.stderr)
        XCTAssertTrue(labLog.contains("wrong or missing authentication string, EndSession reason 7"), labLog)
        XCTAssertNil(storedLSC())
        let right = try boot(["--auth-string", "123456"])
        XCTAssertEqual(right.status, 0, right.stderr)
        XCTAssertNotNil(storedLSC())
        XCTAssertFalse((none.stderr + wrong.stderr + right.stderr + labLog).contains("123456"), "the string is never logged")
    }

    func testFetchAndDeleteOperations() throws {
        try add()
        XCTAssertEqual(try boot().status, 0)
        let lsc = try XCTUnwrap(storedLSC())
        let itl = work.appendingPathComponent("lab/ITLFile.tlv").path
        func capf() throws -> LabFixture.Run {
            try phone(["capf", "--host", "127.0.0.1:\(server.capfPort)", "--device", device, "--trust", itl, "--state", state])
        }
        // The cluster forgets the hash; a fetch brings it back from the phone.
        var row = try XCTUnwrap(lab.devices.device(device))
        row.md5hash = ""
        row.operation = "fetch"
        try lab.devices.upsert(row)
        let fetch = try capf()
        XCTAssertEqual(fetch.status, 0, fetch.stderr)
        XCTAssertTrue(fetch.stdout.contains("operation: fetch"))
        XCTAssertEqual(try lab.devices.device(device)?.md5hash, hexString(try lsc.certificate.md5()))

        row = try XCTUnwrap(lab.devices.device(device))
        row.operation = "delete"
        try lab.devices.upsert(row)
        let delete = try capf()
        XCTAssertEqual(delete.status, 0, delete.stderr)
        XCTAssertNil(storedLSC())
        XCTAssertEqual(try lab.devices.device(device)?.md5hash, "")
    }

    func testNonSecureProfileServesTheFullSignedConfig() throws {
        try add(profile: .nonSecure, operation: "none")
        let run = try boot()
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("security mode:  1 (non-secure)"), run.stdout)
        XCTAssertFalse(run.stderr.contains("CAPF:"))
    }

    func testCAPFServiceDownBacksOffAndReports() throws {
        try add()
        // The configuration points at a CAPF port where nothing listens.
        let probe = try TCPListener(host: "127.0.0.1", port: 0)
        lab.addresses.capfPort = probe.port
        _ = consume probe
        let run = try boot()
        XCTAssertEqual(run.status, 4, run.stderr)
        XCTAssertTrue(run.stderr.contains("CAPF unreachable after 4 rounds"), run.stderr)
        for round in 1...3 { XCTAssertTrue(run.stderr.contains("retry \(round) of 3 in 20 ms"), run.stderr) }
    }

    func testBadInputNeverStopsTheServer() throws {
        try add()
        // Garbage at each service.
        if case .success(let http) = TCPConnection.connect(host: "127.0.0.1", port: server.httpPort, timeoutMs: 1000) {
            _ = http.send(Array("BREW /coffee HTCPCP/1.0\r\n\r\n".utf8), timeoutMs: 1000)
            _ = http.receive(timeoutMs: 1000)
        }
        if case .success(let capf) = TCPConnection.connect(host: "127.0.0.1", port: server.capfPort, timeoutMs: 1000) {
            _ = capf.send([UInt8](repeating: 0x55, count: 300), timeoutMs: 1000)
            _ = capf.receive(timeoutMs: 1000)
        }
        let udp = try UDPSocket(family: AF_INET)
        _ = udp.send([0xFF, 0xFF, 1, 2, 3], to: try SocketAddress.resolve(host: "127.0.0.1", port: server.tftpPort).get())
        // Then a whole boot still works.
        let run = try boot()
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(labLog.contains("HTTP: bad request refused"), labLog)
    }
}
