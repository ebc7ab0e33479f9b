import Foundation
import HostProcess
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneRuntime
import TestSupport
import XCTest

/// `phone boot` as a user runs it: the built program, against Debian's tftpd-hpa and
/// python's http.server on loopback, serving the interop vectors.
final class PhoneBootTests: XCTestCase {
    var directory: URL!
    var served: URL!
    var state: String!
    let mic = Vectors.url("interop/pki/phone-mic.pem").path

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("boot-\(UUID().uuidString)")
        served = directory.appendingPathComponent("tftpboot")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        state = directory.appendingPathComponent("state").path
        let interop = "interop/"
        for (source, name) in [("ITLFile.tlv", "ITLFile.tlv"), ("partial-SEPA45630BBFA40.cnf.xml.sgn", "SEPA45630BBFA40.cnf.xml.sgn"),
                               ("SEPA45630BBFA40.cnf.xml.enc.sgn", "SEPA45630BBFA40.cnf.xml.enc.sgn")] {
            let url = served.appendingPathComponent(name)
            try Data(Vectors.bytes(interop + source)).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    typealias Run = ProgramRun

    private func phone(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try ProgramRun.run(ProgramRun.builtProgram("phone"), arguments, environment: environment)
    }

    private func boot(_ transport: String, port: UInt16, environment: [String: String] = [:]) throws -> Run {
        try phone(["boot", "--transport", transport, "--server", "127.0.0.1:\(port)", "--mac", "A4:56:30:BB:FA:40",
                   "--state", state, "--mic", mic], environment: environment)
    }

    private func assertConfigured(_ run: Run, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("configured: SEPA45630BBFA40"), run.stdout, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("call manager 0: 127.0.0.1 (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)"),
                      run.stdout, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("call manager 1: cucm-sub1.example.test"), run.stdout, file: file, line: line)
    }

    func testBootOverTFTPWithTheVectorMIC() throws {
        let server = try TFTPServerProcess(directory: served)
        let run = try boot("tftp", port: server.port)
        assertConfigured(run)
        XCTAssertFalse(run.stderr.contains("CAPF"), "no enrollment: the MIC's hash matches")
        XCTAssertTrue(run.stderr.contains("TFTP: RRQ ITLFile.tlv from 127.0.0.1:\(server.port)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("SECD: ITL installed"), run.stderr)
        XCTAssertTrue(run.stderr.contains("SEPA45630BBFA40.cnf.xml.enc.sgn decrypted"), run.stderr)
        // Secrets of the decrypted configuration never reach the console.
        XCTAssertFalse(run.stderr.contains("S3cret") || run.stdout.contains("S3cret"))
        // A second boot asks for the .enc.sgn first (the last config was encrypted).
        let again = try boot("tftp", port: server.port)
        assertConfigured(again)
        XCTAssertTrue(again.stderr.contains("SECD: ITL unchanged"), again.stderr)
        XCTAssertFalse(again.stderr.contains("RRQ SEPA45630BBFA40.cnf.xml.sgn"), again.stderr)
    }

    /// `--board-reset`: the resets of a boot are counted in `board-resets` on the flash, so
    /// the bound holds across a board's reboots; a configured or failed boot clears the
    /// count, one the board tries again keeps it, and a count that does not read counts as
    /// past the bound (it never restarts at 0).
    func testTheBoardResetCountOnTheFlashBoundsTheBootAndIsClearedWhenItEnds() throws {
        let server = try TFTPServerProcess(directory: served)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let count = state + "/board-resets"
        func boardBoot(flash: String, transport: String = "tftp", port: UInt16? = nil) throws -> Run {
            try flash.write(toFile: count, atomically: true, encoding: .utf8)
            return try phone(["boot", "--transport", transport, "--server", "127.0.0.1:\(port ?? server.port)",
                              "--mac", "A4:56:30:BB:FA:40", "--state", state, "--mic", mic, "--board-reset"])
        }
        for flash in ["3\n", "0003"] {
            assertConfigured(try boardBoot(flash: flash))
            XCTAssertFalse(FileManager.default.fileExists(atPath: count), "configured: the count is cleared")
        }

        // Exit 3 is tried again by the board in the same power-on: the count stays, or a
        // cluster could reboot the board for ever with one "not found" every fourth boot.
        let silent = try UDPSocket(family: AF_INET)
        let closedPort = try silent.bind(host: "127.0.0.1", port: 0).get()
        let unreachable = try boardBoot(flash: "2\n", transport: "http", port: closedPort)
        XCTAssertEqual(unreachable.status, 3, unreachable.stderr)
        XCTAssertEqual(try String(contentsOfFile: count, encoding: .utf8), "2\n", "unreachable: the count is kept")

        // Past the bound, or not a count at all (which must never restart the bound at 0).
        for flash in ["4\n", "x\n", "", " 3\n", "3\r\n", "-1\n", "12345\n", String(repeating: "1", count: 17)] {
            let past = try boardBoot(flash: flash)
            XCTAssertEqual(past.status, 4, flash.debugDescription + ": " + past.stderr)
            XCTAssertTrue(past.stderr.contains("too many resets (4)"), past.stderr)
            XCTAssertFalse(past.stderr.contains("RRQ"), "stopped before any fetch: " + past.stderr)
            XCTAssertEqual(past.stderr.contains("board-resets is corrupt"), flash != "4\n", flash.debugDescription + ": " + past.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: count), "failed: the count is cleared")
        }
    }

    /// `--json`: one object per event with its typed fields (docs/json-log.md), then the result.
    func testBootOverHTTPWithJSONEvents() throws {
        let server = try HTTPServerProcess(directory: served)
        let run = try phone(["boot", "--server", "127.0.0.1:\(server.port)", "--mac", "SEPA45630BBFA40", "--state", state,
                             "--mic", mic, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let objects = try run.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        let events = objects.dropLast()
        XCTAssertTrue(events.allSatisfy { $0["event"] is String && $0["t_ms"] is Int }, run.stdout)
        XCTAssertTrue(events.contains { $0["event"] as? String == "fetching" && $0["transport"] as? String == "http"
                                        && $0["file"] as? String == "ITLFile.tlv" && $0["port"] as? Int == Int(server.port) })
        XCTAssertTrue(events.contains { $0["event"] as? String == "trustListInstalled" && $0["kind"] as? String == "ITL"
                                        && $0["outcome"] as? String == "firstUse" && $0["state"] as? String == "fetchingConfig" })
        let partial = try XCTUnwrap(events.first { $0["event"] as? String == "partialConfig" })
        XCTAssertEqual(partial["matches"] as? Bool, true)
        XCTAssertEqual(partial["ownCertificate"] as? String, "MIC")
        XCTAssertEqual((partial["then"] as? [String: Any])?["action"] as? String, "fetch")
        XCTAssertEqual(events.last?["event"] as? String, "configApplied")
        XCTAssertEqual(events.last?["encrypted"] as? Bool, true)
        XCTAssertEqual(objects.last?["result"] as? String, "configured")
        XCTAssertFalse(run.stdout.contains("S3cret"))
    }

    func testJSONFailureNamesTheFailureAndTheExitCode() throws {
        try FileManager.default.removeItem(at: served.appendingPathComponent("SEPA45630BBFA40.cnf.xml.enc.sgn"))
        try Data(Vectors.bytes("interop/tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn"))
            .write(to: served.appendingPathComponent("SEPA45630BBFA40.cnf.xml.enc.sgn"))
        let server = try HTTPServerProcess(directory: served)
        let run = try phone(["boot", "--server", "127.0.0.1:\(server.port)", "--mac", "SEPA45630BBFA40", "--state", state,
                             "--mic", mic, "--json"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let last = try XCTUnwrap(run.stdout.split(separator: "\n").last)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        XCTAssertEqual(result["result"] as? String, "failed")
        XCTAssertEqual(result["failure"] as? String, "configRejected")
        XCTAssertEqual(result["exit"] as? Int, 1)
        XCTAssertTrue((result["reason"] as? String ?? "").contains("bad signature"), last.description)
    }

    func testExitCodes() throws {
        // Nothing listening: unreachable.
        let silent = try UDPSocket(family: AF_INET)
        let port = try silent.bind(host: "127.0.0.1", port: 0).get()
        let unreachable = try phone(["boot", "--transport", "http", "--server", "127.0.0.1:\(port)", "--mac", "A45630BBFA40",
                                     "--state", state, "--mic", mic])
        XCTAssertEqual(unreachable.status, 3, unreachable.stderr)
        // A tampered encrypted config: trust failure.
        try Data(Vectors.bytes("interop/tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn"))
            .write(to: served.appendingPathComponent("SEPA45630BBFA40.cnf.xml.enc.sgn"))
        let server = try HTTPServerProcess(directory: served)
        let tampered = try boot("http", port: server.port)
        XCTAssertEqual(tampered.status, 1, tampered.stderr)
        XCTAssertTrue(tampered.stderr.contains("bad signature"), tampered.stderr)
        // Usage.
        XCTAssertEqual(try phone(["boot", "--mac", "zz"]).status, 2)
    }

    /// Power cut at each persistence point (kill -9 inside the Nth atomic write, before
    /// and after its rename), then a normal boot: the state is the old or the new one,
    /// never broken, and the boot completes.
    func testKillAtEveryPersistencePointLeavesAConsistentState() throws {
        let server = try TFTPServerProcess(directory: served)
        // A clean boot writes mic.pem, itl.tlv and the encrypted flag: three writes.
        var points = 0
        for variable in ["PHONE_TEST_CRASH_AT_WRITE", "PHONE_TEST_CRASH_AFTER_RENAME"] {
            for write in 1...3 {
                try? FileManager.default.removeItem(atPath: state)
                let crashed = try boot("tftp", port: server.port, environment: [variable: String(write)])
                XCTAssertTrue(crashed.signal, "\(variable)=\(write) did not crash: \(crashed.stderr)")
                XCTAssertEqual(crashed.status, 9, "\(variable)=\(write): killed by SIGKILL")
                points += 1
                // Every file present parses.
                let storage = PhoneStorage(directory: state)
                XCTAssertNil(storage.loadMIC().1, "\(variable)=\(write)")
                XCTAssertTrue(storage.loadTrustStore().1.isEmpty, "\(variable)=\(write)")
                let recovered = try boot("tftp", port: server.port)
                assertConfigured(recovered)
                XCTAssertFalse(recovered.stderr.contains("corrupt"), recovered.stderr)
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: state).filter { $0.contains(".tmp-") }
                XCTAssertEqual(leftovers, [], "\(variable)=\(write)")
            }
        }
        XCTAssertEqual(points, 6)
    }

    func testCorruptStateFilesAreReportedAndIgnored() throws {
        let server = try TFTPServerProcess(directory: served)
        assertConfigured(try boot("tftp", port: server.port))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: state + "/itl.tlv"))
        try Data("-----BEGIN CERTIFICATE-----\nnope\n".utf8).write(to: URL(fileURLWithPath: state + "/lsc.pem"))
        let run = try boot("tftp", port: server.port)
        assertConfigured(run)
        XCTAssertTrue(run.stderr.contains("itl.tlv is corrupt, ignored"), run.stderr)
        XCTAssertTrue(run.stderr.contains("lsc.pem is corrupt, ignored"), run.stderr)
        // The corrupt ITL was replaced by the served one (trusted again on first use).
        XCTAssertTrue(run.stderr.contains("SECD: ITL installed"), run.stderr)
    }
}
