import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

/// No secret on any console: a whole boot with an authentication string, then its
/// logs searched for the private keys (PEM lines, base64 of the DER, hex of the DER),
/// the string and the configuration's password.
final class SecretsTests: XCTestCase {
    func testNoSecretInAnyLogOfAnEnrollingBoot() throws {
        let fixture = try LabFixture()
        defer { fixture.close() }
        try fixture.add(auth: "string:735190")
        let run = try fixture.phone(["boot", "--server", "127.0.0.1:\(fixture.server.httpPort)", "--mac", "A4:56:30:BB:FA:40",
                                     "--state", fixture.state, "--mic", fixture.mic, "--auth-string", "735190"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try fixture.phone(["boot", "--server", "127.0.0.1:\(fixture.server.httpPort)", "--mac", "A4:56:30:BB:FA:40",
                                      "--state", fixture.state, "--json"])
        let everything = run.stdout + run.stderr + json.stdout + json.stderr + fixture.labLog
        XCTAssertTrue(everything.contains("decrypted"), "the boots ran")
        let lsc = try XCTUnwrap(PhoneStorage(directory: fixture.state).loadLSC().0)
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        for key in [lsc.privateKey, mic.privateKey] {
            let pem = String(decoding: try key.exportPEM().copyBytes(), as: UTF8.self)
            let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }
            let der = try XCTUnwrap(Data(base64Encoded: body.joined()))
            for line in body { XCTAssertFalse(everything.contains(line), "a PEM line of a private key was logged") }
            XCTAssertFalse(everything.contains(der.base64EncodedString().prefix(40)))
            let hexDER = der.map { String(format: "%02x", $0) }.joined()
            for start in stride(from: 0, to: hexDER.count - 32, by: 97) {
                let index = hexDER.index(hexDER.startIndex, offsetBy: start)
                XCTAssertFalse(everything.lowercased().contains(hexDER[index..<hexDER.index(index, offsetBy: 32)]))
            }
        }
        XCTAssertFalse(everything.contains("735190"), "the authentication string was logged")
        XCTAssertFalse(everything.contains("lab-Secret-7f3a"), "a configuration password was logged")
    }
}
