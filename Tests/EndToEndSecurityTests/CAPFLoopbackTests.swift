import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneApp
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// Whole CAPF sessions over real TLS on 127.0.0.1: the built `phone capf` against the
/// lab's CAPF service (the one CAPF server of the project, honest or hostile by its
/// attack mode), the device's operation scheduled in the lab's table.
final class CAPFLoopbackTests: XCTestCase {
    var fixture: LabFixture!
    var trustFile: String!
    var lab: Lab { fixture.lab }
    var lscPath: String { fixture.state + "/lsc.pem" }

    override func setUpWithError() throws {
        fixture = try LabFixture()
        trustFile = fixture.work.appendingPathComponent("ITLFile.tlv").path
        FileManager.default.createFile(atPath: trustFile, contents: Data(lab.itl))
    }

    override func tearDownWithError() throws {
        fixture.close()
    }

    private func schedule(_ operation: String, key: String = "rsa:1024", authString: String? = nil) throws {
        try fixture.add(auth: authString.map { "string:" + $0 } ?? "auto", operation: operation, key: key)
    }

    private func capf(device: String = "SEPA45630BBFA40", _ extra: [String] = []) throws -> ProgramRun {
        try fixture.phone(["capf", "--host", "127.0.0.1:\(fixture.server.capfPort)", "--device", device,
                           "--trust", trustFile, "--state", fixture.state, "--mic", fixture.mic] + extra)
    }

    private func tableRow() throws -> DeviceTable.Device { try XCTUnwrap(try lab.devices.device(fixture.device)) }

    private func assertInstalled(_ run: ProgramRun, kind: KeyKind, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        let row = try tableRow()
        let issued = try Certificate(der: try XCTUnwrap(row.certificate, file: file, line: line)[...])
        let md5 = hexString(try issued.md5())
        XCTAssertEqual(row.md5hash, md5, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("operation: install"), run.stdout, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("md5:     " + md5), run.stdout, file: file, line: line)
        let stored = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: lscPath))))
        XCTAssertEqual(stored.certificate.der, issued.der, file: file, line: line)
        XCTAssertEqual(stored.privateKey.kind, kind, file: file, line: line)
        let mode = try FileManager.default.attributesOfItem(atPath: lscPath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600, file: file, line: line)
        // `phone status` shows the hash the cluster stored.
        let status = try fixture.phone(["status", "--state", fixture.state])
        XCTAssertEqual(status.status, 0, file: file, line: line)
        XCTAssertTrue(status.stdout.contains("LSC:\n  subject: CN=SEPA45630BBFA40,O=Lab,OU=Phones"), status.stdout, file: file, line: line)
        XCTAssertTrue(status.stdout.contains("md5:     " + md5), status.stdout, file: file, line: line)
        // No key material on the console.
        let pem = String(decoding: try stored.privateKey.exportPEM().copyBytes(), as: UTF8.self)
        let keyLine = String(pem.split(separator: "\n").dropFirst().first ?? "")
        XCTAssertFalse(keyLine.isEmpty || run.stdout.contains(keyLine) || run.stderr.contains(keyLine), file: file, line: line)
    }

    func testInstallRSA2048() throws {
        try schedule("install", key: "rsa:2048")
        try assertInstalled(try capf(), kind: .rsa(bits: 2048))
        XCTAssertEqual(try tableRow().operation, "none", "the lab resets the operation")
    }

    func testInstallECP256AndP384() throws {
        try schedule("install", key: "ec:P-256")
        try assertInstalled(try capf(), kind: .ec(.p256))
        try schedule("install", key: "ec:P-384")
        try assertInstalled(try capf(), kind: .ec(.p384))
    }

    func testAuthenticationStringRightWrongAndNone() throws {
        try schedule("install", authString: "123456")
        let right = try capf(["--auth-string", "123456"])
        try assertInstalled(right, kind: .rsa(bits: 1024))
        XCTAssertFalse((right.stdout + right.stderr).contains("123456"), "the string is never logged")

        try FileManager.default.removeItem(atPath: lscPath)
        try schedule("install", authString: "123456")
        let wrong = try capf(["--auth-string", "654321"])
        XCTAssertEqual(wrong.status, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(wrong.stdout.contains("outcome:   invalid authentication"), wrong.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))

        XCTAssertEqual(try capf().status, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))
    }

    func testFetchThenDelete() throws {
        try schedule("install")
        XCTAssertEqual(try capf().status, 0)
        let issued = try XCTUnwrap(try tableRow().certificate)
        // The cluster forgets the certificate, then fetches it back from the phone.
        var row = try tableRow()
        row.certificate = nil
        row.md5hash = ""
        try lab.devices.upsert(row)
        try schedule("fetch")
        let fetch = try capf()
        XCTAssertEqual(fetch.status, 0, fetch.stderr)
        XCTAssertTrue(fetch.stdout.contains("operation: fetch"), fetch.stdout)
        XCTAssertEqual(try tableRow().certificate, issued, "the lab stored what the phone sent")

        try schedule("delete")
        let delete = try capf()
        XCTAssertEqual(delete.status, 0, delete.stderr)
        XCTAssertTrue(delete.stdout.contains("operation: delete"), delete.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))

        // Fetch with no LSC: the phone answers reason 7, the lab stores nothing.
        try schedule("fetch")
        XCTAssertEqual(try capf().status, 0)
        XCTAssertTrue(fixture.labLog.contains("fetch answered reason 7 (no certificate)"), fixture.labLog)
        XCTAssertNil(try tableRow().certificate)
    }

    func testNothingScheduledUnknownDeviceAndRetryLater() throws {
        try schedule("none")
        let none = try capf()
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertTrue(none.stdout.contains("operation: none"), none.stdout)
        let unknown = try capf(device: "SEP000000000002")
        XCTAssertEqual(unknown.status, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(unknown.stdout.contains("outcome:   unknown device"), unknown.stdout)
        lab.attack = .capfRetryLaterForever
        let later = try capf()
        XCTAssertEqual(later.status, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(later.stdout.contains("outcome:   retry later (1 s)"), later.stdout)
    }

    /// Each hostile behaviour of the lab's CAPF: a typed error, nothing stored, the old LSC intact.
    func testHostileServersChangeNothing() throws {
        try schedule("install")
        XCTAssertEqual(try capf().status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: lscPath))
        let cases: [(Attack, String)] = [
            (.capfWrongProtocol, "not a CAPF message (protocol 23)"),
            (.capfLengthOverCap, "over the 16384-byte cap"),
            (.capfSessionIDChanges, "CAPF session id changed"),
            (.capfOutOfOrder, "unexpected StoreCertificateRequest"),
            (.capfEndSessionMidInstall, "server ended the session before issuing a certificate"),
            (.capfGarbageCertificate, "not valid DER"),
            (.capfCertificateForAnotherDevice, "not SEPA45630BBFA40"),
            (.capfCertificateForAnotherKey, "not the key the phone generated"),
        ]
        for (attack, expected) in cases {
            try schedule("install")
            lab.attack = attack
            let run = try capf()
            XCTAssertEqual(run.status, PhoneProgram.ExitCode.enrollmentFailed, attack.rawValue)
            XCTAssertTrue((run.stdout + run.stderr).contains(expected), "\(attack.rawValue): \(run.stdout) \(run.stderr)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: lscPath)), before, "\(attack.rawValue) changed the LSC")
        }
    }

    func testServerCertificateNotInTheTrustListIsRefusedAtTheHandshake() throws {
        // The phone's trust list names another CAPF certificate.
        let sast = try Vectors.identity("interop/pki/sast.pem")
        let other = try Vectors.certificate("interop/pki/capf.pem")
        let itl = try SignedFileWriter.trustList(entries: [(sast.certificate, .sast), (other, .capf)], signer: sast,
                                                 filename: "ITLFile.tlv", timestamp: 1_800_000_000, rng: testRNG())
        FileManager.default.createFile(atPath: trustFile, contents: Data(itl))
        try schedule("install")
        let run = try capf()
        XCTAssertEqual(run.status, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(run.stdout.contains("is not a CAPF record of the installed trust list"), run.stdout)
        XCTAssertFalse(fixture.labLog.contains("CAPF: SEPA45630BBFA40"), "no CAPF message crosses a refused handshake")
        XCTAssertEqual(try tableRow().operation, "install")
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))
    }

    /// The runner's own read timeout, shortened below the lab's 2 s of silence.
    func testServerThatStopsAnsweringTimesOut() throws {
        try schedule("install")
        lab.attack = .capfStopsAnswering
        let storage = PhoneStorage(directory: fixture.state)
        _ = storage.prepare()
        var platform = LinuxPhonePlatform(servers: [], transport: .http, storage: storage) { _, _ in }
        platform.capfRunner.timeouts.readMs = 500
        let request = CAPFRequest(server: .init(host: "127.0.0.1", port: fixture.server.capfPort),
                                  device: DeviceName("SEPA45630BBFA40")!, mode: .automatic, authString: nil, reason: .keyMismatch,
                                  pinned: [lab.capf.certificate], lsc: nil, mic: nil)
        let outcome = platform.enroll(request, rng: testRNG())
        XCTAssertEqual(outcome.shown, .failed(.channel(.stoppedAnswering(afterMs: 500))))
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))
    }

    /// `--keylog`: the phone and the lab each append the session's NSS key-log line, the
    /// same one, to an owner-only file; the console says the log is on and shows no secret.
    func testKeyLogOfBothEndsAgreesAndStaysPrivate() throws {
        try schedule("install")
        let labKeys = fixture.work.appendingPathComponent("lab.keys").path
        let phoneKeys = fixture.work.appendingPathComponent("phone.keys").path
        lab.keyLogPath = labKeys
        let run = try capf(["--keylog", phoneKeys])
        XCTAssertEqual(run.status, 0, run.stderr)
        let phoneLines = try String(contentsOfFile: phoneKeys, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(phoneLines.count, 1)
        let fields = try XCTUnwrap(phoneLines.first).split(separator: " ")
        XCTAssertEqual(fields.count, 3)
        XCTAssertEqual(fields.first, "CLIENT_RANDOM")
        XCTAssertEqual(fields.dropFirst().map(\.count), [64, 96], "32-byte client random, 48-byte master secret")
        XCTAssertEqual(try String(contentsOfFile: labKeys, encoding: .utf8), try String(contentsOfFile: phoneKeys, encoding: .utf8))
        for path in [phoneKeys, labKeys] {
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600, path)
        }
        XCTAssertTrue(run.stderr.contains("TLS: key log on: session secrets are appended to " + phoneKeys), run.stderr)
        XCTAssertFalse((run.stdout + run.stderr).contains(String(fields[2])), "the master secret reached the console")
        // A whole boot with --json: the events name the log's file, never a secret.
        let bootKeys = fixture.work.appendingPathComponent("boot.keys").path
        try schedule("install")
        try FileManager.default.removeItem(atPath: lscPath)  // the hashes differ: the boot enrols
        let boot = try fixture.boot(["--json", "--keylog", bootKeys])
        XCTAssertEqual(boot.status, 0, boot.stderr)
        XCTAssertTrue(boot.stdout.contains("\"event\":\"keyLogOn\",\"file\":\"" + bootKeys + "\""), boot.stdout)
        let bootSecrets = try String(contentsOfFile: bootKeys, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ")[2] }
        XCTAssertFalse(bootSecrets.isEmpty)
        for secret in bootSecrets {
            XCTAssertFalse((boot.stdout + boot.stderr).contains(String(secret)), "a master secret reached the JSON log or the console")
        }
        // Off unless asked: a session without the option appends nothing.
        try schedule("install")
        XCTAssertEqual(try capf().status, 0)
        XCTAssertEqual(try String(contentsOfFile: phoneKeys, encoding: .utf8).split(separator: "\n").count, 1)
    }

    func testNothingListeningIsUnreachable() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let port = listener.port
        _ = consume listener  // closed: nothing listens there now
        let run = try fixture.phone(["capf", "--host", "127.0.0.1:\(port)", "--device", "SEPA45630BBFA40",
                                     "--trust", trustFile, "--state", fixture.state])
        XCTAssertEqual(run.status, PhoneProgram.ExitCode.unreachable)
        XCTAssertTrue(run.stderr.contains("connection refused"), run.stderr)
    }
}
