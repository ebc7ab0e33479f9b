import Foundation
import LinuxPlatform
import PhoneApp
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

final class CapturingIO: CommandIO {
    private let linux = LinuxCommandIO()
    var stdout: [UInt8] = []
    var stderr: [String] = []
    func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileError> { linux.readFile(path, limit: limit) }
    func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> { linux.writeFile(path, bytes, mode: mode) }
    func output(_ bytes: [UInt8]) { stdout += bytes }
    func diagnostic(_ line: String) { stderr.append(line) }
    func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool { linux.entropy(buffer) }
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Full CAPF sessions over real TLS on 127.0.0.1: `phone capf` against a test server.
final class CAPFLoopbackTests: XCTestCase {
    var directory: URL!
    var trustFile: String!
    var stateDirectory: String!
    let micPath = Vectors.url("interop/pki/phone-mic.pem").path

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("capf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stateDirectory = directory.appendingPathComponent("state").path
        trustFile = try writeITL(capf: try Vectors.certificate("capf/capf-server.pem"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// An ITL whose CAPF record is `capf`, signed by the interop SAST.
    private func writeITL(capf: Certificate) throws -> String {
        let sast = try Vectors.identity("interop/pki/sast.pem")
        let itl = try SignedFileWriter.trustList(entries: [(sast.certificate, .sast), (capf, .capf)], signer: sast,
                                                 filename: "ITLFile.tlv", timestamp: 1_800_000_000, rng: testRNG())
        let path = directory.appendingPathComponent("ITLFile.tlv").path
        FileManager.default.createFile(atPath: path, contents: Data(itl))
        return path
    }

    private func capf(_ server: TestCAPFServer, extra: [String] = []) -> (Int32, CapturingIO) {
        server.start()
        let io = CapturingIO()
        let status = PhoneProgram.run(["capf", "--host", "127.0.0.1:\(server.port)", "--device", "SEPA45630BBFA40",
                                       "--trust", trustFile, "--state", stateDirectory, "--mic", micPath] + extra, io: io)
        server.wait()
        return (status, io)
    }

    private var lscPath: String { stateDirectory + "/lsc.pem" }

    private func assertInstalled(_ server: TestCAPFServer, _ status: Int32, _ io: CapturingIO, kind: KeyKind,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(status, 0, io.stderr.joined(separator: "\n"), file: file, line: line)
        let issued = try XCTUnwrap(server.issued, file: file, line: line)
        let md5 = hexString(try issued.md5())
        XCTAssertTrue(io.text.contains("operation: install"), io.text, file: file, line: line)
        XCTAssertTrue(io.text.contains("md5:     " + md5), io.text, file: file, line: line)
        let stored = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: lscPath))))
        XCTAssertEqual(stored.certificate.der, issued.der, file: file, line: line)
        XCTAssertEqual(stored.privateKey.kind, kind, file: file, line: line)
        let mode = try FileManager.default.attributesOfItem(atPath: lscPath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600, file: file, line: line)
        // `phone status` shows the hash the cluster stored.
        let statusIO = CapturingIO()
        XCTAssertEqual(PhoneProgram.run(["status", "--state", stateDirectory], io: statusIO), 0, file: file, line: line)
        XCTAssertTrue(statusIO.text.contains("LSC:\n  subject: CN=SEPA45630BBFA40,O=Lab,OU=Phones"), statusIO.text, file: file, line: line)
        XCTAssertTrue(statusIO.text.contains("md5:     " + md5), statusIO.text, file: file, line: line)
        // No key material on the console.
        let pem = String(decoding: try stored.privateKey.exportPEM().copyBytes(), as: UTF8.self)
        let keyLine = String(pem.split(separator: "\n")[1])
        XCTAssertFalse(io.text.contains(keyLine) || io.stderr.joined().contains(keyLine), file: file, line: line)
    }

    func testInstallRSA2048() throws {
        let server = try TestCAPFServer(script: .install(keyType: 0, keySize: 2048, curve: nil))
        let (status, io) = capf(server)
        try assertInstalled(server, status, io, kind: .rsa(bits: 2048))
        XCTAssertEqual(server.received.map(\.command), [.authResponse, .requestInProgress, .keyGenerateResponse, .storeCertificateResponse])
    }

    func testInstallECP256() throws {
        let server = try TestCAPFServer(script: .install(keyType: 1, keySize: nil, curve: 0))
        let (status, io) = capf(server)
        try assertInstalled(server, status, io, kind: .ec(.p256))
    }

    func testInstallECP384() throws {
        let server = try TestCAPFServer(script: .install(keyType: 1, keySize: nil, curve: 1))
        let (status, io) = capf(server)
        try assertInstalled(server, status, io, kind: .ec(.p384))
    }

    func testAuthenticationStringRightWrongAndNone() throws {
        let right = try TestCAPFServer(script: .install(keyType: 0, keySize: 1024, curve: nil), expectedPassword: Array("123456".utf8))
        let (status, io) = capf(right, extra: ["--auth-string", "123456"])
        try assertInstalled(right, status, io, kind: .rsa(bits: 1024))
        XCTAssertFalse(io.stderr.joined().contains("123456"), "the string is never logged")

        try FileManager.default.removeItem(atPath: lscPath)
        let wrong = try TestCAPFServer(script: .install(keyType: 0, keySize: 1024, curve: nil), expectedPassword: Array("123456".utf8))
        let (wrongStatus, wrongIO) = capf(wrong, extra: ["--auth-string", "654321"])
        XCTAssertEqual(wrongStatus, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(wrongIO.text.contains("outcome:   invalid authentication"), wrongIO.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))

        let none = try TestCAPFServer(script: .install(keyType: 0, keySize: 1024, curve: nil), expectedPassword: Array("123456".utf8))
        XCTAssertEqual(capf(none).0, PhoneProgram.ExitCode.enrollmentFailed)
    }

    func testFetchThenDelete() throws {
        let install = try TestCAPFServer(script: .install(keyType: 0, keySize: 1024, curve: nil))
        XCTAssertEqual(capf(install).0, 0)
        let lsc = try XCTUnwrap(install.issued)

        let fetch = try TestCAPFServer(script: .fetch)
        let (fetchStatus, fetchIO) = capf(fetch)
        XCTAssertEqual(fetchStatus, 0)
        XCTAssertTrue(fetchIO.text.contains("operation: fetch"))
        let answer = try XCTUnwrap(fetch.received.last)
        XCTAssertEqual(answer.command, .fetchCertificateResponse)
        XCTAssertEqual(CAPFElements.parseCertificate(answer.value(CAPFTag.certificate) ?? [])?.der, lsc.der)

        let delete = try TestCAPFServer(script: .delete)
        let (deleteStatus, deleteIO) = capf(delete)
        XCTAssertEqual(deleteStatus, 0)
        XCTAssertTrue(deleteIO.text.contains("operation: delete"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))

        // Fetch with no LSC: reason 7.
        let empty = try TestCAPFServer(script: .fetch)
        XCTAssertEqual(capf(empty).0, 0)
        XCTAssertEqual(empty.received.last?.byte(CAPFTag.reason), 7)
    }

    func testNothingScheduledUnknownDeviceAndRetryLater() throws {
        let (noneStatus, noneIO) = capf(try TestCAPFServer(script: .nothingScheduled))
        XCTAssertEqual(noneStatus, 0)
        XCTAssertTrue(noneIO.text.contains("operation: none"))
        let (unknownStatus, unknownIO) = capf(try TestCAPFServer(script: .unknownDevice))
        XCTAssertEqual(unknownStatus, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(unknownIO.text.contains("outcome:   unknown device"))
        let (laterStatus, laterIO) = capf(try TestCAPFServer(script: .retryLater(120)))
        XCTAssertEqual(laterStatus, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(laterIO.text.contains("outcome:   retry later (120 s)"))
    }

    /// Each hostile server: a typed error, nothing stored, the old LSC intact.
    func testHostileServersChangeNothing() throws {
        let original = try TestCAPFServer(script: .install(keyType: 0, keySize: 1024, curve: nil))
        XCTAssertEqual(capf(original).0, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: lscPath))
        let cases: [(TestCAPFServer.Script, String)] = [
            (.wrongProtocol, "not a CAPF message (protocol 23)"),
            (.lengthOverCap, "over the 16384-byte cap"),
            (.changeSessionID, "CAPF session id changed"),
            (.outOfOrder, "unexpected StoreCertificateRequest"),
            (.endSessionMidInstall, "server ended the session before issuing a certificate"),
            (.garbageCertificate, "not valid DER"),
            (.certificateForAnotherDevice, "not SEPA45630BBFA40"),
            (.certificateForAnotherKey, "not the key the phone generated"),
        ]
        for (script, expected) in cases {
            let (status, io) = capf(try TestCAPFServer(script: script))
            XCTAssertEqual(status, PhoneProgram.ExitCode.enrollmentFailed, "\(script)")
            XCTAssertTrue((io.text + io.stderr.joined(separator: "\n")).contains(expected), "\(script): \(io.text) \(io.stderr)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: lscPath)), before, "\(script) changed the LSC")
        }
    }

    func testServerCertificateNotInTheTrustListIsRefusedAtTheHandshake() throws {
        // The trust list names another CAPF certificate.
        trustFile = try writeITL(capf: try Vectors.certificate("interop/pki/capf.pem"))
        let server = try TestCAPFServer(script: .install(keyType: 0, keySize: 1024, curve: nil))
        let (status, io) = capf(server)
        XCTAssertEqual(status, PhoneProgram.ExitCode.enrollmentFailed)
        XCTAssertTrue(io.text.contains("is not a CAPF record of the installed trust list"), io.text)
        XCTAssertTrue(server.received.isEmpty, "no CAPF message crosses a refused handshake")
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))
    }

    func testServerThatStopsAnsweringTimesOut() throws {
        let server = try TestCAPFServer(script: .stopAnswering)
        server.start()
        let storage = PhoneStorage(directory: stateDirectory)
        _ = storage.prepare()
        var platform = LinuxPhonePlatform(servers: [], transport: .http, storage: storage) { _, _ in }
        var runner = CAPFRunner()
        runner.readTimeoutMs = 500
        let request = CAPFRequest(server: .init(host: "127.0.0.1", port: server.port), device: DeviceName("SEPA45630BBFA40")!,
                                  authentication: .automatic, reason: .keyMismatch)
        let outcome = runner.run(request, pinned: [try Vectors.certificate("capf/capf-server.pem")], lsc: nil, mic: nil,
                                 rng: testRNG(), on: &platform)
        server.wait()
        guard case .failed(let reason) = outcome else { return XCTFail("\(outcome.name)") }
        XCTAssertTrue(reason.contains("stopped answering"), reason)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lscPath))
    }

    func testNothingListeningIsUnreachable() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let port = listener.port
        _ = consume listener  // closed: nothing listens there now
        let io = CapturingIO()
        let status = PhoneProgram.run(["capf", "--host", "127.0.0.1:\(port)", "--device", "SEPA45630BBFA40",
                                       "--trust", trustFile, "--state", stateDirectory], io: io)
        XCTAssertEqual(status, PhoneProgram.ExitCode.unreachable)
        XCTAssertTrue(io.stderr.joined().contains("connection refused"), io.stderr.joined())
    }
}
