import Foundation
import HostProcess
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import TestSupport
import XCTest

/// `phone boot` on configurations written the way production CUCM versions write them
/// (Tests/RealClusterConfigs): signed here by the cucm-style cluster's CallManager key,
/// served with its ITL over HTTP on loopback, booted by the built program.
final class RealClusterConfigTests: XCTestCase {
    static let corpus = Vectors.projectRoot.appendingPathComponent("Tests/RealClusterConfigs")
    let device = "SEP0CD0F8000001"
    let mic = Vectors.url("cucm-style/pki/phone-mic.pem").path
    var directory: URL!
    var served: URL!
    var state: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("real-\(UUID().uuidString)")
        served = directory.appendingPathComponent("served")
        state = directory.appendingPathComponent("state").path
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try serve(Vectors.bytes("cucm-style/ITLFile.tlv"), as: "ITLFile.tlv")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func corpusFile(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
    }

    private func serve(_ bytes: [UInt8], as name: String) throws {
        try Data(bytes).write(to: served.appendingPathComponent(name))
    }

    /// The configuration signed as the cluster's TFTP service signs it (SHA-512, CCM+TFTP record).
    private func serveSigned(_ body: [UInt8]) throws {
        let name = device + ".cnf.xml.sgn"
        let signer = try Vectors.identity("cucm-style/pki/callmanager.pem")
        try serve(SignedFileWriter.signedConfig(body, filename: name, signer: signer, timestamp: 1_732_809_722,
                                                hash: .sha512, rng: testRNG()), as: name)
    }

    private func boot() throws -> ProgramRun {
        let server = try HTTPServerProcess(directory: served)
        return try ProgramRun.run(ProgramRun.builtProgram("phone"),
                                  ["boot", "--server", "127.0.0.1:\(server.port)", "--mac", "0C:D0:F8:00:00:01",
                                   "--state", state, "--mic", mic, "--backoff-ms", "20", "--fetch-deadline-ms", "3000"])
    }

    private func assertLines(_ expected: [String], in output: String, file: StaticString = #filePath, line: UInt = #line) {
        let lines = output.split(separator: "\n").map(String.init)
        for wanted in expected {
            XCTAssertTrue(lines.contains(wanted), "missing \"\(wanted)\" in:\n\(output)", file: file, line: line)
        }
    }

    /// CUCM 12.5, non-secure SIP phone: an empty CAPF address, empty certHash, hundreds of
    /// elements the core does not read.
    func testNonSecureSIPPhoneBoots() throws {
        try serveSigned(corpusFile("nonsecure-sip-cucm12.cnf.xml"))
        let run = try boot()
        XCTAssertEqual(run.status, 0, run.stderr)
        assertLines(["configured: SEP0CD0F8000001",
                     "  load:           sip88xx.12-8-1-0001-455",
                     "  security mode:  1 (non-secure)",
                     "  transport:      2",
                     "  call manager 0: 127.0.0.1 (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)",
                     "  call manager 1: cucm-sub2.example.test (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)",
                     "  TVS:            127.0.0.1:2445",
                     "  version stamp:  1588183226-0e9b3c3a-6b4f-4d42-9c7c-93b1e9d4a7f2"], in: run.stdout)
        XCTAssertFalse(run.stdout.contains("CAPF:"), "an empty CAPF address names no server: \(run.stdout)")
        XCTAssertFalse(run.stderr.contains("CAPF"), run.stderr)
    }

    /// CUCM 14, authenticated profile: CRLF, several elements per line, `True`, character
    /// references, CDATA, attributes with `tcl`, `serviceProfileFile`.
    func testAuthenticatedSIPPhoneBoots() throws {
        try serveSigned(corpusFile("authenticated-sip-cucm14.cnf.xml"))
        let run = try boot()
        XCTAssertEqual(run.status, 0, run.stderr)
        assertLines(["configured: SEP0CD0F8000001",
                     "  load:           sip8845_65.14-2-1-0101-14",
                     "  security mode:  2 (authenticated)",
                     "  transport:      4",
                     "  call manager 0: cucm-sub1.example.test (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)",
                     "  call manager 1: cucm-sub2.example.test (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)",
                     "  call manager 2: cucm-pub.example.test (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)",
                     "  TVS:            127.0.0.1:2445",
                     "  TVS:            cucm-sub2.example.test:2445",
                     "  CAPF:           127.0.0.1:3804",
                     "  version stamp:  1697531048-f3a1c6d2-5b8e-4f07-9a3c-0d2e4f6a8b1c"], in: run.stdout)
        XCTAssertFalse(run.stdout.contains("Tr0ub4dor") || run.stderr.contains("Tr0ub4dor"), "a secret reached the console")
    }

    /// CUCM 15, encrypted profile: the partial config names the MIC's hash (upper case), so
    /// the phone fetches the `.enc.sgn` encrypted to the MIC and ends with the full one.
    func testEncryptedProfileDecryptsTheFullConfiguration() throws {
        try serveSigned(corpusFile("encrypted-partial-cucm15.cnf.xml"))
        let name = device + ".cnf.xml.enc.sgn"
        try serve(SignedFileWriter.encryptedConfig(corpusFile("encrypted-full-cucm15.cnf.xml"), filename: name,
                                                   recipient: Vectors.certificate("cucm-style/pki/phone-mic.pem"),
                                                   signer: Vectors.identity("cucm-style/pki/callmanager.pem"),
                                                   timestamp: 1_732_809_722, hash: .sha512, rng: testRNG()), as: name)
        let run = try boot()
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains(name + " decrypted"), run.stderr)
        assertLines(["configured: SEP0CD0F8000001",
                     "  load:           sip88xx.15-0-1-0001-15",
                     "  security mode:  3 (encrypted)",
                     "  transport:      4",
                     "  call manager 0: 127.0.0.1 (ethernetPhonePort 2000, sipPort 5060, securedSipPort 5061)",
                     "  CAPF:           127.0.0.1:3804",
                     "  version stamp:  1732809722-1c4e7f0a-93d2-4b68-a5e1-7f30c2d9b846"], in: run.stdout)
        for secret in ["S1p-D1gest-S3cret", "phoneadmin", "ypt3d"] {
            XCTAssertFalse(run.stdout.contains(secret) || run.stderr.contains(secret), "\(secret) reached the console")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/encrypted"))
    }

    /// A partial config whose hash is not the phone's needs CAPF; with the CAPF address
    /// empty there is none to ask: a console line and exit 4, nothing invented.
    func testPartialConfigWithoutACAPFAddressSaysSo() throws {
        var text = String(decoding: try corpusFile("encrypted-partial-cucm15.cnf.xml"), as: UTF8.self)
        text = text.replacingOccurrences(of: "<processNodeName>127.0.0.1</processNodeName>\n</capf>",
                                         with: "<processNodeName></processNodeName>\n</capf>")
        text = text.replacingOccurrences(of: "56070B67898BE069C8F59540B8BD89F0", with: "00112233445566778899aabbccddeeff")
        XCTAssertTrue(text.contains("<processNodeName></processNodeName>\n</capf>"))
        try serveSigned(Array(text.utf8))
        let run = try boot()
        XCTAssertEqual(run.status, 4, run.stderr)
        XCTAssertTrue(run.stderr.contains("no CAPF server"), run.stderr)
        XCTAssertTrue(run.stderr.contains("phone: enrollment failed: partial configuration lists no CAPF server"), run.stderr)
        XCTAssertFalse(run.stderr.contains("malformed"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/lsc.pem"))
    }
}
