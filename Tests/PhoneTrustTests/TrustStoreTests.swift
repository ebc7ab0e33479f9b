import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

final class TrustStoreTests: XCTestCase {
    private func store(_ installs: (String, TrustListKind, String)...) throws -> TrustStore {
        var store = TrustStore()
        for (path, kind, name) in installs {
            _ = try store.install(Vectors.bytes(path), kind: kind, servedAs: name)
        }
        return store
    }

    private func assertRejected(_ store: inout TrustStore, _ path: String, kind: TrustListKind, servedAs name: String,
                                _ check: (TrustError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        let before = store.itl?.list.bytes
        let beforeCTL = store.ctl?.list.bytes
        do {
            _ = try store.install(Vectors.bytes(path), kind: kind, servedAs: name)
            XCTFail("\(path) was accepted", file: file, line: line)
        } catch {
            XCTAssertTrue(check(error), "\(path): \(error.reason)", file: file, line: line)
        }
        XCTAssertEqual(store.itl?.list.bytes, before, "the installed ITL must survive", file: file, line: line)
        XCTAssertEqual(store.ctl?.list.bytes, beforeCTL, "the installed CTL must survive", file: file, line: line)
    }

    /// A list signed by one of its own records that is not SAST (the TFTP or the CAPF
    /// certificate) is not self-consistent: refused on first use and when read back from
    /// flash, though its signature is good and it holds a SAST record.
    func testAListSignedByItsOwnNonSASTRecordIsRefused() throws {
        let sast = try Vectors.identity("interop/pki/sast.pem")
        for signerPath in ["interop/pki/ccm-tftp.pem", "interop/pki/capf.pem"] {
            let signer = try Vectors.identity(signerPath)
            let role: TrustRole = signerPath.contains("capf") ? .capf : .tftp
            let list = try SignedFileWriter.trustList(entries: [(sast.certificate, .sast), (signer.certificate, role)],
                                                      signer: signer, filename: "ITLFile.tlv", timestamp: 1_800_000_000,
                                                      rng: testRNG())
            var store = TrustStore()
            XCTAssertThrowsError(try store.install(list, kind: .itl, servedAs: "ITLFile.tlv"), signerPath) { error in
                XCTAssertEqual(error as? TrustError, .signerNotListed, signerPath)
            }
            XCTAssertNil(store.itl, signerPath)
            XCTAssertThrowsError(try TrustStore.restore(ctl: nil, itl: list), signerPath) { error in
                XCTAssertEqual(error as? TrustError, .signerNotListed, signerPath)
            }
            XCTAssertThrowsError(try TrustStore.restore(ctl: list, itl: nil), signerPath)
            // The same records signed by the SAST are fine: only the signer's role differs.
            let good = try SignedFileWriter.trustList(entries: [(sast.certificate, .sast), (signer.certificate, role)],
                                                      signer: sast, filename: "ITLFile.tlv", timestamp: 1_800_000_000,
                                                      rng: testRNG())
            XCTAssertEqual(try store.install(good, kind: .itl, servedAs: "ITLFile.tlv").outcome, .firstUse, signerPath)
        }
    }

    func testFirstITLIsTrustedOnFirstUse() throws {
        var store = TrustStore()
        let update = try store.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        XCTAssertEqual(update.outcome, .firstUse)
        XCTAssertEqual(update.signer, "CN=SAST-A45630BBFA40,O=Lab,OU=Security")
        XCTAssertEqual(store.certificates(withRole: .capf).map(\.subject), ["CN=CAPF-A45630BBFA40,O=Lab,OU=Voice"])
        XCTAssertEqual(store.certificates(for: .configuration).map(\.subject), ["CN=cucm-A45630BBFA40,O=Lab,OU=Voice"])
        let again = try store.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        XCTAssertEqual(again.outcome, .unchanged)
    }

    func testPerDeviceITLWithECRecordAndGenericHeaderName() throws {
        var store = TrustStore()
        let update = try store.install(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"), kind: .itl,
                                       servedAs: "ITLSEPA45630BBFA40.tlv")
        XCTAssertEqual(update.outcome, .firstUse)
        let roles = try XCTUnwrap(store.itl).list.records.map(\.role)
        XCTAssertEqual(roles, [.sast, .sast, .ccm, .tftp, .capf, .tvs])
        XCTAssertEqual(store.certificates(withRole: .tftp).first?.keyKind, .ec(.p384))
        XCTAssertEqual(store.certificates(withRole: .tvs).count, 1)
    }

    func testCTLVerifiesAndAuthenticatesTheITL() throws {
        var store = try store(("interop/CTLFile.tlv", .ctl, "CTLFile.tlv"))
        let update = try store.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        // A CTL was installed: the ITL is authorised by it, not trusted on first use.
        XCTAssertEqual(update.outcome, .updated)
        assertRejected(&store, "interop/rogue-ITLFile.tlv", kind: .itl, servedAs: "ITLFile.tlv") {
            $0 == .signerUnknown(subject: "CN=ROGUE,O=Lab,OU=Security")
        }
    }

    func testRolloverNeedsTheNewSASTInTheInstalledList() throws {
        var onlyITLFile = try store(("interop/ITLFile.tlv", .itl, "ITLFile.tlv"))
        assertRejected(&onlyITLFile, "interop/rollover-ITLFile.tlv", kind: .itl, servedAs: "ITLFile.tlv") {
            $0 == .signerUnknown(subject: "CN=SAST2-A45630BBFA40,O=Lab,OU=Security")
        }
        var perDevice = try store(("interop/ITLSEPA45630BBFA40.tlv", .itl, "ITLSEPA45630BBFA40.tlv"))
        let update = try perDevice.install(Vectors.bytes("interop/rollover-ITLFile.tlv"), kind: .itl,
                                           servedAs: "ITLFile.tlv")
        XCTAssertEqual(update.outcome, .updated)
        XCTAssertEqual(update.signer, "CN=SAST2-A45630BBFA40,O=Lab,OU=Security")
    }

    func testRogueITLOnlyWithoutATrustList() throws {
        var empty = TrustStore()
        XCTAssertEqual(try empty.install(Vectors.bytes("interop/rogue-ITLFile.tlv"), kind: .itl,
                                         servedAs: "ITLFile.tlv").outcome, .firstUse)
        var trusting = try store(("interop/ITLFile.tlv", .itl, "ITLFile.tlv"))
        assertRejected(&trusting, "interop/rogue-ITLFile.tlv", kind: .itl, servedAs: "ITLFile.tlv") {
            $0 == .signerUnknown(subject: "CN=ROGUE,O=Lab,OU=Security")
        }
        // The installed list still verifies configs.
        XCTAssertNoThrow(try trusting.verifyConfiguration(Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn"),
                                                          servedAs: "SEPA45630BBFA40.cnf.xml.sgn"))
    }

    func testRenamedITLFetchedAsCTLIsAFilenameMismatch() throws {
        var empty = TrustStore()
        assertRejected(&empty, "interop/renamed-as-CTLFile.tlv", kind: .ctl, servedAs: "CTLFile.tlv") {
            $0 == .filenameMismatch(served: "CTLFile.tlv", inFile: "ITLFile.tlv")
        }
    }

    func testNewCTLMustBeSignedByAnInstalledSAST() throws {
        var store = try store(("interop/ITLSEPA45630BBFA40.tlv", .itl, "ITLSEPA45630BBFA40.tlv"))
        XCTAssertEqual(try store.install(Vectors.bytes("interop/CTLFile.tlv"), kind: .ctl,
                                         servedAs: "CTLFile.tlv").outcome, .updated)
        var rogueStore = try self.store(("interop/rogue-ITLFile.tlv", .itl, "ITLFile.tlv"))
        assertRejected(&rogueStore, "interop/CTLFile.tlv", kind: .ctl, servedAs: "CTLFile.tlv") {
            $0 == .signerUnknown(subject: "CN=SAST-A45630BBFA40,O=Lab,OU=Security")
        }
    }

    func testNonMixedModeITLSignedByTheCallManagerCertificate() throws {
        var store = TrustStore()
        let update = try store.install(Vectors.bytes("cucm-style/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        XCTAssertEqual(update.signer, "CN=cucm-pub.lab.test,O=Lab,OU=CallManager")
        XCTAssertEqual(store.itl?.list.records.map(\.role.name), ["SAST", "SAST", "CCM+TFTP", "CAPF", "TVS"])
    }

    func testTamperedTrustListIsABadSignature() throws {
        var bytes = Vectors.bytes("interop/ITLFile.tlv")
        bytes[bytes.count - 10] ^= 1
        var store = TrustStore()
        XCTAssertThrowsError(try store.install(bytes, kind: .itl, servedAs: "ITLFile.tlv")) { error in
            XCTAssertEqual(error as? TrustError, .badSignature(subject: "CN=SAST-A45630BBFA40,O=Lab,OU=Security"))
        }
        XCTAssertTrue(store.isEmpty)
    }

    /// Every trust list cut at every offset is refused with a typed error, and the store
    /// stays empty.
    func testEveryPrefixOfATrustListIsRefused() throws {
        for name in ["interop/ITLFile.tlv", "interop/ITLSEPA45630BBFA40.tlv", "interop/CTLFile.tlv"] {
            let bytes = Vectors.bytes(name)
            let kind = TrustListKind(servedName: String(name.split(separator: "/").last!))!
            for length in 0..<bytes.count {
                var store = TrustStore()
                XCTAssertThrowsError(try store.install(Array(bytes[0..<length]), kind: kind, servedAs: kind.genericName))
                XCTAssertTrue(store.isEmpty)
            }
        }
    }

    func testRestoreRechecksStoredLists() throws {
        let restored = try TrustStore.restore(ctl: Vectors.bytes("interop/CTLFile.tlv"),
                                              itl: Vectors.bytes("interop/ITLFile.tlv"))
        XCTAssertNotNil(restored.ctl)
        XCTAssertNotNil(restored.itl)
        var corrupt = Vectors.bytes("interop/ITLFile.tlv")
        corrupt[500] ^= 0xFF
        XCTAssertThrowsError(try TrustStore.restore(ctl: nil, itl: corrupt))
    }

    func testKindFromServedName() {
        XCTAssertEqual(TrustListKind(servedName: "CTLSEPA45630BBFA40.tlv"), .ctl)
        XCTAssertEqual(TrustListKind(servedName: "ITLFile.tlv"), .itl)
        XCTAssertNil(TrustListKind(servedName: "SEPA45630BBFA40.cnf.xml.sgn"))
    }
}
