@testable import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

/// The EC story against an EC lab (formats.md §5): CAPF issues an EC LSC, the
/// configuration comes over HTTPS 6971 with the LSC as client certificate; and every key
/// a cluster may ask CAPF for, enrolled end to end.
final class HTTPSLabTests: XCTestCase {
    var fixture: LabFixture!

    override func setUpWithError() throws { fixture = try LabFixture(ec: true) }
    override func tearDownWithError() throws { fixture.close() }

    func testAnECLSCGetsItsConfigurationOverHTTPSThenWithoutCAPF() throws {
        try fixture.add(key: "ec:P-256")
        let first = try fixture.boot()
        XCTAssertEqual(first.status, 0, first.stderr)
        let lsc = try XCTUnwrap(fixture.storedLSC())
        XCTAssertEqual(lsc.privateKey.kind, .ec(.p256))
        // The MIC is no client certificate 6971 takes: refused, the phone falls back and enrols.
        XCTAssertTrue(first.stderr.contains("configuration over HTTPS failed: TLS handshake failed"), first.stderr)
        XCTAssertTrue(first.stderr.contains("over HTTPS from CN=cucm-lab-ec,O=Lab,OU=CallManager: full configuration applied"),
                      first.stderr)
        XCTAssertTrue(first.stdout.contains("security mode:  3 (encrypted)"), first.stdout)
        XCTAssertTrue(fixture.labLog.contains("HTTPS: GET /SEPA45630BBFA40.cnf.xml.sgn from CN=SEPA45630BBFA40,O=Lab,OU=Phones → 200 OK"),
                      fixture.labLog)
        XCTAssertFalse(fixture.labLog.contains("cnf.xml.enc.sgn"), "no .enc.sgn asked for: \(fixture.labLog)")

        let second = try fixture.boot()
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stderr.contains("CAPF:"), second.stderr)
        XCTAssertFalse(second.stderr.contains("HTTP: GET /SEPA45630BBFA40.cnf.xml"), "nothing over 6970 for the config: " + second.stderr)
        XCTAssertTrue(second.stderr.contains("(client certificate CN=SEPA45630BBFA40,O=Lab,OU=Phones, 1 EC TFTP certificate pinned)"),
                      second.stderr)
        let consoles = first.stderr + first.stdout + second.stderr + second.stdout + fixture.labLog
        XCTAssertFalse(consoles.contains("lab-Secret"), "the config's secret")
        // Nor a line of the EC LSC's private key, nor the key in hex.
        let pem = String(decoding: try lsc.privateKey.exportPEM().copyBytes(), as: UTF8.self)
        for line in pem.split(separator: "\n") where !line.hasPrefix("-----") {
            XCTAssertFalse(consoles.contains(line), "a line of the LSC's private key is on a console")
        }
    }

    /// 6971 serves a device's own file only, to a client certificate CAPF issued.
    func testAnotherDevicesFileIsForbidden() throws {
        try fixture.add(key: "ec:P-256")
        XCTAssertEqual(try fixture.boot().status, 0)
        let lsc = try XCTUnwrap(fixture.storedLSC()).certificate
        XCTAssertEqual(fixture.lab.serveOverHTTPS("SEPA45630BBFA40.cnf.xml.sgn", to: lsc).status, "200 OK")
        let other = fixture.lab.serveOverHTTPS("SEP000000000001.cnf.xml.sgn", to: lsc)
        XCTAssertEqual(other.status, "403 Forbidden")
        XCTAssertTrue(other.body.isEmpty)
        XCTAssertEqual(fixture.lab.serveOverHTTPS("ITLFile.tlv", to: lsc).status, "403 Forbidden")
    }

    /// The lab's ITL: signer version 1.1 with the EC TFTP record.
    func testTheECLabITL() throws {
        let itl = try TrustList.parse(fixture.lab.itl)
        XCTAssertEqual(itl.file.signerVersion, FormatVersion(1, 1))
        let ec = try XCTUnwrap(fixture.lab.tftpEC)
        XCTAssertTrue(itl.records.contains { $0.role == .tftp && itl[$0.certificate].elementsEqual(ec.certificate.der) })
        XCTAssertEqual(ec.certificate.keyKind, .ec(.p256))
    }

    /// RSA 1024 to 4096 and EC P-256 to P-521, each enrolled by a whole boot; and CUCM's
    /// "EC preferred, RSA backup" key order gives a phone that makes EC keys an EC LSC.
    func testEveryKeyACAPFServerOffersEnrollsEndToEnd() throws {
        let keys: [(String, KeyKind)] = [("rsa:1024", .rsa(bits: 1024)), ("rsa:2048", .rsa(bits: 2048)), ("rsa:3072", .rsa(bits: 3072)),
                                         ("rsa:4096", .rsa(bits: 4096)), ("ec:P-256", .ec(.p256)), ("ec:P-384", .ec(.p384)),
                                         ("ec:P-521", .ec(.p521)), ("ec:P-384,rsa:2048", .ec(.p384))]
        for (key, kind) in keys {
            try? FileManager.default.removeItem(atPath: fixture.state)
            try fixture.add(key: key)
            let run = try fixture.boot()
            XCTAssertEqual(run.status, 0, key + ": " + run.stderr)
            XCTAssertEqual(fixture.storedLSC()?.privateKey.kind, kind, key)
            XCTAssertEqual(fixture.storedLSC()?.certificate.keyKind, kind, key)
            XCTAssertTrue(run.stderr.contains("install requested, " + kind.name), key + ": " + run.stderr)
            XCTAssertTrue(run.stderr.contains("over HTTPS from CN=cucm-lab-ec"), key + ": the LSC opens 6971: " + run.stderr)
        }
    }

    func testTheECDemoHolds() throws {
        let demo = try ProgramRun.run(ProgramRun.builtProgram("cucm-lab"), ["demo", "--ec"])
        XCTAssertEqual(demo.status, 0, demo.stdout + demo.stderr)
        XCTAssertTrue(demo.stdout.contains("demo: 9 passed, 0 failed"), demo.stdout)
    }
}
