import Foundation
import LinuxPlatform
import PhoneApp
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// Real files through the Linux platform; output captured.
final class CapturingIO: PhoneIO {
    private let linux = LinuxPhoneIO()
    var stdout: [UInt8] = []
    var stderr: [String] = []

    func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileError> { linux.readFile(path, limit: limit) }
    func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> {
        linux.writeFile(path, bytes, mode: mode)
    }
    func output(_ bytes: [UInt8]) { stdout += bytes }
    func diagnostic(_ line: String) { stderr.append(line) }
    func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool { linux.entropy(buffer) }

    var text: String { String(decoding: stdout, as: UTF8.self) }
}

final class PhoneProgramTests: XCTestCase {
    let interop = Vectors.root.appendingPathComponent("interop").path

    private func run(_ arguments: [String]) -> (status: Int32, io: CapturingIO) {
        let io = CapturingIO()
        return (PhoneProgram.run(arguments, io: io), io)
    }

    /// Every command the firmware refuses as the host build's is one the host build runs
    /// (here with no arguments: its own usage error, not "unknown command"); a name the
    /// firmware's table lacks would be "unknown" there (firmware-vectors.sh checks each).
    func testTheHostBuildRunsEveryCommandTheFirmwareLeavesToIt() {
        for (name, _) in PhoneProgram.hostBuildCommands {
            let (status, io) = run([name])
            XCTAssertEqual(status, PhoneProgram.ExitCode.usage, name)
            XCTAssertFalse(io.stderr.joined().contains("unknown command"), name + ": " + io.stderr.joined())
        }
        XCTAssertTrue(run(["no-such-command"]).io.stderr.joined().contains("unknown command no-such-command"))
    }

    /// `phone inspect` reads every field the reference tool reads, with the same values.
    func testInspectAgreesWithEveryReferenceReading() throws {
        let parsed = ["interop/ITLFile.tlv", "interop/CTLFile.tlv", "interop/ITLSEPA45630BBFA40.tlv",
                      "interop/rollover-ITLFile.tlv", "interop/rogue-ITLFile.tlv",
                      "interop/SEPA45630BBFA40.cnf.xml.enc.sgn", "interop/partial-SEPA45630BBFA40.cnf.xml.sgn",
                      "cucm-style/ITLFile.tlv", "cucm-style/SEP0CD0F8000001.cnf.xml.enc.sgn"]
        for name in parsed {
            let (status, io) = run(["inspect", Vectors.url(name).path])
            XCTAssertEqual(status, 0, name)
            let ours = blocks(io.text)
            let reference = Vectors.parsedBlocks(name + ".parsed.txt")
            XCTAssertEqual(ours.count, reference.count, name)
            for (mine, theirs) in zip(ours, reference) {
                for (key, value) in theirs {
                    let label = key == "Serial Numer" ? "Serial Number" : key
                    XCTAssertEqual(mine[label], value, "\(name): \(key)")
                }
            }
        }
    }

    func testVerifyTrustListsFollowTheUpdateRules() {
        XCTAssertEqual(run(["verify", interop + "/ITLFile.tlv"]).status, 0)
        XCTAssertEqual(run(["verify", interop + "/rollover-ITLFile.tlv", "--trust", interop + "/ITLFile.tlv"]).status, 1)
        XCTAssertEqual(run(["verify", interop + "/rollover-ITLFile.tlv", "--trust",
                            interop + "/ITLSEPA45630BBFA40.tlv"]).status, 0)
        XCTAssertEqual(run(["verify", interop + "/rogue-ITLFile.tlv"]).status, 0)
        let rogue = run(["verify", interop + "/rogue-ITLFile.tlv", "--trust", interop + "/ITLFile.tlv"])
        XCTAssertEqual(rogue.status, 1)
        XCTAssertEqual(rogue.io.stderr, ["phone: rejected: signer unknown: CN=ROGUE,O=Lab,OU=Security"])
        let renamed = run(["verify", interop + "/renamed-as-CTLFile.tlv", "--name", "CTLFile.tlv"])
        XCTAssertEqual(renamed.status, 1)
        XCTAssertTrue(renamed.io.stderr[0].contains("filename mismatch"))
    }

    func testVerifyConfigsNamesTheSigner() {
        let good = run(["verify", interop + "/signed-SEPA45630BBFA40.cnf.xml.sgn", "--trust", interop + "/ITLFile.tlv",
                        "--name", "SEPA45630BBFA40.cnf.xml.sgn"])
        XCTAssertEqual(good.status, 0)
        XCTAssertEqual(good.io.text, "valid: signed by CN=cucm-A45630BBFA40,O=Lab,OU=Voice (CCM+TFTP)\n")
        for bad in ["tampered-body-", "truncated-"] {
            let result = run(["verify", interop + "/" + bad + "SEPA45630BBFA40.cnf.xml.sgn", "--trust",
                              interop + "/ITLFile.tlv", "--name", "SEPA45630BBFA40.cnf.xml.sgn"])
            XCTAssertEqual(result.status, 1, bad)
            // first, not [0]: a failed check must fail the test, never crash the whole run.
            XCTAssertTrue(result.io.stderr.first?.contains("bad signature") ?? false, "\(bad): \(result.io.stderr)")
        }
        // Without --name the vector's own file name is not the signed one.
        XCTAssertEqual(run(["verify", interop + "/signed-SEPA45630BBFA40.cnf.xml.sgn", "--trust",
                            interop + "/ITLFile.tlv"]).status, 1)
    }

    func testDecryptToStdoutAndToAFile() throws {
        let plain = Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml")
        let toStdout = run(["decrypt", interop + "/SEPA45630BBFA40.cnf.xml.enc.sgn", "--key",
                            interop + "/pki/phone-mic.pem", "--trust", interop + "/ITLFile.tlv"])
        XCTAssertEqual(toStdout.status, 0)
        XCTAssertEqual(toStdout.io.stdout, plain)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("config.xml").path
        let toFile = run(["decrypt", interop + "/SEPA45630BBFA40.cnf.xml.enc.sgn", "--key",
                          interop + "/pki/phone-mic.pem", "--trust", interop + "/ITLFile.tlv", "--output", output])
        XCTAssertEqual(toFile.status, 0)
        XCTAssertEqual(toFile.io.stdout, [])
        XCTAssertEqual([UInt8](FileManager.default.contents(atPath: output)!), plain)
        let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["config.xml"])
    }

    func testDecryptFailuresWriteNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("config.xml").path
        let tampered = run(["decrypt", interop + "/tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn", "--key",
                            interop + "/pki/phone-mic.pem", "--trust", interop + "/ITLFile.tlv",
                            "--name", "SEPA45630BBFA40.cnf.xml.enc.sgn", "--output", output])
        XCTAssertEqual(tampered.status, 1)
        let wrongKey = run(["decrypt", interop + "/SEPA45630BBFA40.cnf.xml.enc.sgn", "--key",
                            interop + "/pki/sast.pem", "--trust", interop + "/ITLFile.tlv", "--output", output])
        XCTAssertEqual(wrongKey.status, 1)
        XCTAssertEqual(wrongKey.io.stderr, ["phone: rejected: key unwrap failed"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    func testUsageErrors() {
        XCTAssertEqual(run([]).status, 2)
        XCTAssertEqual(run(["frobnicate"]).status, 2)
        XCTAssertEqual(run(["inspect"]).status, 2)
        XCTAssertEqual(run(["inspect", "/nonexistent/file"]).io.stderr, ["phone: /nonexistent/file: no such file or directory"])
        XCTAssertEqual(run(["decrypt", interop + "/SEPA45630BBFA40.cnf.xml.enc.sgn", "--trust",
                            interop + "/ITLFile.tlv"]).status, 2)
        XCTAssertEqual(run(["verify", interop + "/signed-SEPA45630BBFA40.cnf.xml.sgn"]).status, 2)
        XCTAssertEqual(run(["verify", "--name"]).status, 2)
        XCTAssertEqual(run(["help"]).status, 0)
    }

    /// `--version`: the running load's ID as the binary holds it (a build's own, unless
    /// toolchain/set-load-id.sh gave it another).
    func testVersionPrintsTheRunningLoadID() {
        let version = run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(String(decoding: version.io.stdout, as: UTF8.self), "phonesec-dev\n")
    }

    /// The runtime's checks of a boot's options are named by the flags `phone` takes (the C
    /// API names the same checks by its fields).
    func testABootOptionOutOfRangeIsNamedByItsFlag() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("phone-option-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let boot = ["boot", "--server", "127.0.0.1:1", "--mac", "A4:56:30:BB:FA:40", "--state", state]
        let backoff = run(boot + ["--backoff-ms", "0"])
        XCTAssertEqual(backoff.status, 2)
        XCTAssertEqual(backoff.io.stderr.first, "phone: --backoff-ms must be 1 to 600000")
        let mics = run(boot + ["--mic", "a.pem", "--factory-mic", "b.pem"])
        XCTAssertEqual(mics.status, 2)
        XCTAssertEqual(mics.io.stderr.first, "phone: --mic and --factory-mic exclude each other: give one")
    }

    /// A real CTL's records carry the servers' IPv4 addresses; inspect prints them as a
    /// person reads them (the signature is not checked by inspect, so it is left zero).
    func testInspectPrintsRecordAddressesAsAddresses() throws {
        let certificate = try Vectors.certificate("cucm-style/pki/callmanager.pem")
        var body: [UInt8] = []
        for address: [UInt8] in [[127, 0, 0, 1], [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34], [1, 2, 3]] {
            body += try SignedFileBuilder.trustRecord(
                subject: Array(certificate.subject.utf8), issuer: Array(certificate.issuer.utf8),
                serialNumber: certificate.serialNumber, role: .sast, publicKey: certificate.bareKey(),
                certificateSignature: certificate.signature, certificate: certificate.der, ipAddress: address)
        }
        let signer = SignedFileBuilder.Signer(name: Array(certificate.subject.utf8), issuer: Array(certificate.issuer.utf8),
                                              serialNumber: certificate.serialNumber, hashAlgorithm: .sha1,
                                              signatureLength: 256)
        let unsigned = try SignedFileBuilder(version: .trustList, signer: signer, filename: Array("CTLFile.tlv".utf8),
                                             timestamp: 0).build(body: body[...])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString).tlv").path
        FileManager.default.createFile(atPath: path, contents: Data(try XCTUnwrap(unsigned.signed(with: [UInt8](repeating: 0, count: 256)))))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, io) = run(["inspect", path])
        XCTAssertEqual(status, 0, io.stderr.joined())
        let addresses = blocks(io.text).compactMap { $0["IP Address"] }
        XCTAssertEqual(addresses, ["127.0.0.1", "fd00:0:0:0:0:0:0:1234", "010203 (3 bytes)"])
    }

    /// The load Cisco shipped: its header, hardware level and five images; and refused
    /// under any image-signing anchor but Cisco's (whose key is not public), the signer named.
    func testInspectAndVerifyOfTheLoadCiscoShipped() throws {
        let load = Vectors.url("loads/SIP42.9-4-2SR3-1S.loads").path
        let (status, io) = run(["inspect", load])
        XCTAssertEqual(status, 0, io.stderr.joined())
        let fields = blocks(io.text).first ?? [:]
        XCTAssertEqual(fields["Signer Name"], "CN=someSigner;OU=someOrgUnit;O=someOrg")
        XCTAssertEqual(fields["Filename"], "SIP42.9-4-2SR3-1S.loads")
        XCTAssertEqual(fields["Hardware Level"], "5")
        XCTAssertEqual(fields["Image 1"], "jar42sip.9-4-2ES26.sbn")
        XCTAssertEqual(fields["Image 5"], "cvm42sip.9-4-2ES26.sbn")
        XCTAssertNil(fields["Image 6"])
        for anchor in ["interop/pki/sast.pem", "interop/pki/ccm-tftp.pem", "interop/pki/tftp-ec.pem"] {
            let refused = run(["verify", load, "--image-signer", Vectors.url(anchor).path])
            XCTAssertEqual(refused.status, 1, anchor)
            XCTAssertEqual(refused.io.stderr, ["phone: rejected: not signed by the image-signing certificate (the header names "
                                               + "CN=someSigner;OU=someOrgUnit;O=someOrg)"], anchor)
        }
    }

    /// A load signed by the tests' image-signing key: valid under its certificate, under no
    /// other, under no other name, never by a trust list; and refused when the cluster's
    /// key signed it, when another key signed a header that names the anchor, or when a line
    /// changed after the signature.
    func testVerifyOfALoadAnswersToTheImageSignerAlone() throws {
        let anchor = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path
        let signer = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: anchor))))
        let cluster = try Vectors.identity("interop/pki/ccm-tftp.pem")
        let body = Array("#HARDWARE_COMP_1 3\r\na.sbn \r\nb.sbn\r\n".utf8)
        let signed = try SignedFileWriter.signedConfig(body, filename: "TEST.loads", signer: signer, timestamp: 0, rng: testRNG())
        func verify(_ bytes: [UInt8], _ arguments: [String]) throws -> (status: Int32, io: CapturingIO) {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("TEST-\(UUID().uuidString).loads").path
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            defer { try? FileManager.default.removeItem(atPath: path) }
            return run(["verify", path] + arguments)
        }
        let valid = try verify(signed, ["--name", "TEST.loads", "--image-signer", anchor])
        XCTAssertEqual(valid.status, 0, valid.io.stderr.joined())
        XCTAssertEqual(valid.io.text, "valid: load TEST.loads signed by the image-signing certificate " + signer.certificate.subject
                       + " (hardware level 3, 2 images)\n")
        XCTAssertEqual(try verify(signed, ["--name", "TEST.loads", "--image-signer", Vectors.url("interop/pki/sast.pem").path]).status, 1)
        let renamed = try verify(signed, ["--name", "OTHER.loads", "--image-signer", anchor])
        XCTAssertEqual(renamed.status, 1)
        XCTAssertEqual(renamed.io.stderr, ["phone: rejected: filename mismatch: served as OTHER.loads, header says TEST.loads"])
        XCTAssertEqual(try verify(signed, ["--name", "TEST.loads", "--image-signer", anchor, "--trust", interop + "/ITLFile.tlv"]).status, 2)

        let byTheCluster = try SignedFileWriter.signedConfig(body, filename: "TEST.loads", signer: cluster, timestamp: 0, rng: testRNG())
        let refusedCluster = try verify(byTheCluster, ["--name", "TEST.loads", "--image-signer", anchor])
        XCTAssertEqual(refusedCluster.io.stderr, ["phone: rejected: not signed by the image-signing certificate (the header names "
                                                  + cluster.certificate.subject + ")"])
        // The cluster's trust list cannot stand in: a load is no configuration, whatever signed it.
        let underTrust = try verify(byTheCluster, ["--name", "TEST.loads", "--trust", interop + "/ITLFile.tlv"])
        XCTAssertEqual(underTrust.status, 2)
        XCTAssertEqual(underTrust.io.stderr.first, "phone: a firmware load or image is checked by the image-signing certificate "
                       + "(the build's, or --image-signer CERT), never by a trust list")
        let namingTheAnchor = try SignedFileWriter.resign(signed, signer: cluster, rng: testRNG())
        XCTAssertEqual(try SignedFile.parse(namingTheAnchor).signerNameText, signer.certificate.subject)
        XCTAssertEqual(try verify(namingTheAnchor, ["--name", "TEST.loads", "--image-signer", anchor]).status, 1)
        var changed = signed
        changed[changed.count - 3] = UInt8(ascii: "c")  // b.sbn becomes c.sbn
        XCTAssertEqual(try verify(changed, ["--name", "TEST.loads", "--image-signer", anchor]).status, 1)

        // An image: its header's name and the anchor's signature; under a trust list, never.
        let image = try SignedFileWriter.signedConfig(Array(repeating: 0x5A, count: 300), filename: "a.sbn", signer: signer,
                                                      timestamp: 0, rng: testRNG())
        let validImage = try verify(image, ["--name", "a.sbn", "--image-signer", anchor])
        XCTAssertEqual(validImage.io.text, "valid: image a.sbn signed by the image-signing certificate " + signer.certificate.subject
                       + " (300 bytes)\n", validImage.io.stderr.joined())
        XCTAssertEqual(try verify(image, ["--name", "a.sbn", "--image-signer", Vectors.url("interop/pki/sast.pem").path]).status, 1)
        XCTAssertEqual(try verify(image, ["--name", "a.sbn", "--trust", interop + "/ITLFile.tlv"]).status, 2)

        // Without --image-signer: the certificate the build carries, the tests' key's (a
        // product build carries its vendor's). The cluster's signature still fails under it.
        let carried = try verify(signed, ["--name", "TEST.loads"])
        XCTAssertEqual(carried.status, 0, carried.io.stderr.joined())
        XCTAssertTrue(carried.io.text.hasPrefix("valid: load TEST.loads signed by the image-signing certificate " + signer.certificate.subject),
                      carried.io.text)
        XCTAssertEqual(try verify(byTheCluster, ["--name", "TEST.loads"]).status, 1)
    }

    /// The image-signing certificate the build carries is the tests' fixed key's, byte for byte.
    func testTheBuildCarriesTheTestsImageSigningCertificate() throws {
        let path = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path
        let expected = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).certificate
        XCTAssertEqual(try XCTUnwrap(RunningLoad.imageSigner).der, expected.der)
    }

    func testInspectOfGarbageIsATypedRejection() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: Data([1, 0, 2, 1, 0, 99]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = run(["inspect", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.io.stderr, ["phone: rejected: unknown tag 99 at offset 5"])
    }

    private func blocks(_ text: String) -> [[String: String]] {
        var result: [[String: String]] = [[:]]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !(result.last?.isEmpty ?? true) { result.append([:]) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            result[result.count - 1][key] = result[result.count - 1][key] ?? value
        }
        return result.filter { !$0.isEmpty }
    }
}
