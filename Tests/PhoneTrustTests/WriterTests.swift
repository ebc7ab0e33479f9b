import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The writers must produce what the reference tool produces: PKCS#1 v1.5 signatures are
/// deterministic, so with the vector's keys and timestamp the output is byte-identical.
final class WriterTests: XCTestCase {
    let rng = testRNG()

    func testITLIsByteIdenticalToTheReference() throws {
        let reference = Vectors.bytes("interop/ITLFile.tlv")
        let parsed = try SignedFile.parse(reference)
        let sast = try Vectors.identity("interop/pki/sast.pem")
        let written = try SignedFileWriter.trustList(
            entries: [(sast.certificate, .sast), (try Vectors.certificate("interop/pki/ccm-tftp.pem"), .ccmTFTP),
                      (try Vectors.certificate("interop/pki/capf.pem"), .capf)],
            signer: sast, filename: "ITLFile.tlv", timestamp: try XCTUnwrap(parsed.timestamp), rng: rng)
        XCTAssertEqual(written, reference)
    }

    func testPerDeviceITLWithSHA512AndAnECRecordIsByteIdentical() throws {
        let reference = Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv")
        let parsed = try SignedFile.parse(reference)
        let sast = try Vectors.identity("interop/pki/sast.pem")
        let entries: [(certificate: Certificate, role: TrustRole)] = [
            (sast.certificate, .sast), (try Vectors.certificate("interop/pki/sast2.pem"), .sast),
            (try Vectors.certificate("interop/pki/ccm-tftp.pem"), .ccm),
            (try Vectors.certificate("interop/pki/tftp-ec.pem"), .tftp),
            (try Vectors.certificate("interop/pki/capf.pem"), .capf), (try Vectors.certificate("interop/pki/tvs.pem"), .tvs),
        ]
        let written = try SignedFileWriter.trustList(entries: entries, signer: sast, filename: "ITLFile.tlv",
                                                     timestamp: try XCTUnwrap(parsed.timestamp), hash: .sha512,
                                                     signerVersion: FormatVersion(1, 1), rng: rng)
        XCTAssertEqual(written, reference)
    }

    func testSignedConfigIsByteIdenticalToTheReference() throws {
        let reference = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        let parsed = try SignedFile.parse(reference)
        let written = try SignedFileWriter.signedConfig(
            Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"), filename: "SEPA45630BBFA40.cnf.xml.sgn",
            signer: try Vectors.identity("interop/pki/ccm-tftp.pem"), timestamp: try XCTUnwrap(parsed.timestamp), rng: rng)
        XCTAssertEqual(written, reference)
    }

    /// The key and IV are random, so compare the layout field by field, then decrypt.
    func testEncryptedConfigHasTheReferenceLayoutAndDecrypts() throws {
        let reference = try SignedFile.parse(Vectors.bytes("interop/SEPA45630BBFA40.cnf.xml.enc.sgn"))
        let plain = Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml")
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        let written = try SignedFileWriter.encryptedConfig(
            plain, filename: "SEPA45630BBFA40.cnf.xml.enc.sgn", recipient: mic.certificate,
            signer: try Vectors.identity("interop/pki/ccm-tftp.pem"), timestamp: try XCTUnwrap(reference.timestamp), rng: rng)
        let file = try SignedFile.parse(written)
        XCTAssertEqual(file.headerLength, reference.headerLength)
        XCTAssertEqual(file.body.count, reference.body.count)
        XCTAssertEqual(file.encryption?.paddingCount, reference.encryption?.paddingCount)
        XCTAssertEqual(file.encryption?.keySizeBits, 2048)
        // Everything before the signature and between signature and IV is identical.
        XCTAssertEqual(Array(file[0..<file.signature.lowerBound]), Array(reference[0..<reference.signature.lowerBound]))
        XCTAssertEqual(file[file.encryption!.digest], reference[reference.encryption!.digest])

        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        let verified = try store.verifyConfiguration(written, servedAs: "SEPA45630BBFA40.cnf.xml.enc.sgn")
        XCTAssertEqual(try EncryptedConfig.decrypt(verified, privateKey: mic.privateKey, rng: rng), plain)
    }

    func testPaddingIsOneToSixteenCarriageReturns() throws {
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        let signer = try Vectors.identity("interop/pki/ccm-tftp.pem")
        for length in [0, 1, 15, 16, 17, 4096] {
            let plain = [UInt8](repeating: 0x41, count: length)
            let written = try SignedFileWriter.encryptedConfig(plain, filename: "x.enc.sgn", recipient: mic.certificate,
                                                               signer: signer, timestamp: 1, rng: rng)
            let file = try SignedFile.parse(written)
            let count = try XCTUnwrap(file.encryption?.paddingCount)
            XCTAssertEqual(count, 16 - length % 16)
            XCTAssertEqual(try EncryptedConfig.decrypt(file, privateKey: mic.privateKey, rng: rng), plain)
        }
    }

    func testECRecipientOrSignerIsRefused() throws {
        let ec = try Vectors.identity("interop/pki/phone-lsc-ec.pem")
        let signer = try Vectors.identity("interop/pki/ccm-tftp.pem")
        XCTAssertThrowsError(try SignedFileWriter.encryptedConfig([1], filename: "x", recipient: ec.certificate,
                                                                  signer: signer, timestamp: 1, rng: rng)) { error in
            XCTAssertEqual(error as? WriterError, .keyNotRSA)
        }
        XCTAssertThrowsError(try SignedFileWriter.signedConfig([1], filename: "x", signer: ec, timestamp: 1, rng: rng)) { error in
            XCTAssertEqual(error as? WriterError, .keyNotRSA)
        }
    }

    func testWrittenTrustListsInstallAndAuthoriseUpdates() throws {
        let sast = try Vectors.identity("interop/pki/sast.pem")
        let sast2 = try Vectors.identity("interop/pki/sast2.pem")
        let capf = try Vectors.certificate("interop/pki/capf.pem")
        let first = try SignedFileWriter.trustList(entries: [(sast.certificate, .sast), (sast2.certificate, .sast), (capf, .capf)],
                                                   signer: sast, filename: "ITLFile.tlv", timestamp: 100, rng: rng)
        let second = try SignedFileWriter.trustList(entries: [(sast2.certificate, .sast), (capf, .capf)],
                                                    signer: sast2, filename: "ITLFile.tlv", timestamp: 200, rng: rng)
        var store = TrustStore()
        XCTAssertEqual(try store.install(first, kind: .itl, servedAs: "ITLFile.tlv").outcome, .firstUse)
        XCTAssertEqual(try store.install(second, kind: .itl, servedAs: "ITLFile.tlv").outcome, .updated)
        // sast is no longer a SAST of the installed list: its next list is refused.
        XCTAssertThrowsError(try store.install(first, kind: .itl, servedAs: "ITLFile.tlv"))
        XCTAssertEqual(store.itl?.list.bytes, second)
    }
}
