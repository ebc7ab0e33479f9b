import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

final class ConfigVerificationTests: XCTestCase {
    let rng = testRNG()
    let configName = "SEPA45630BBFA40.cnf.xml.sgn"
    let encryptedName = "SEPA45630BBFA40.cnf.xml.enc.sgn"

    private func interopStore() throws -> TrustStore {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        return store
    }

    func testSignedConfigVerifiesAndItsBodyIsThePlainFile() throws {
        let verified = try interopStore().verifyConfiguration(Vectors.bytes("interop/signed-" + configName), servedAs: configName)
        XCTAssertEqual(verified.signer, "CN=cucm-A45630BBFA40,O=Lab,OU=Voice")
        XCTAssertEqual(verified.signerRole, TrustRole.ccmTFTP)
        XCTAssertEqual(Array(verified.file[verified.file.body]), Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))
    }

    func testPartialConfigCarriesTheMICHash() throws {
        let verified = try interopStore().verifyConfiguration(Vectors.bytes("interop/partial-" + configName), servedAs: configName)
        let body = String(decoding: verified.file[verified.file.body], as: UTF8.self)
        let micHash = Vectors.text("interop/phone-mic.md5").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(body.contains("<certHash>" + micHash + "</certHash>"), body)
    }

    func testEncryptedConfigDecryptsToThePlainFile() throws {
        let verified = try interopStore().verifyConfiguration(Vectors.bytes("interop/" + encryptedName),
                                                              servedAs: encryptedName)
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        let plaintext = try EncryptedConfig.decrypt(verified, privateKey: mic.privateKey, rng: rng)
        XCTAssertEqual(plaintext, Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))
    }

    /// Decryption happens in the file's own buffer; a caller that keeps the file keeps it
    /// as it was (copy-on-write), and can decrypt it again.
    func testDecryptionLeavesAFileTheCallerKeepsIntact() throws {
        let encrypted = Vectors.bytes("interop/" + encryptedName)
        let verified = try interopStore().verifyConfiguration(encrypted, servedAs: encryptedName)
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        let first = try EncryptedConfig.decrypt(verified, privateKey: mic.privateKey, rng: rng)
        XCTAssertEqual(verified.file.bytes, encrypted)
        XCTAssertEqual(try EncryptedConfig.decrypt(verified, privateKey: mic.privateKey, rng: rng), first)
        XCTAssertEqual(first, Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))
    }

    func testCUCMStyleSetVerifiesAndDecrypts() throws {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("cucm-style/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        let plain = Vectors.bytes("cucm-style/plain-SEP0CD0F8000001.cnf.xml")
        let signed = try store.verifyConfiguration(Vectors.bytes("cucm-style/signed-SEP0CD0F8000001.cnf.xml.sgn"),
                                                   servedAs: "SEP0CD0F8000001.cnf.xml.sgn")
        XCTAssertEqual(Array(signed.file[signed.file.body]), plain)
        XCTAssertEqual(signed.file.hashAlgorithm, .sha512)
        XCTAssertNoThrow(try store.verifyConfiguration(Vectors.bytes("cucm-style/partial-SEP0CD0F8000001.cnf.xml.sgn"),
                                                       servedAs: "SEP0CD0F8000001.cnf.xml.sgn"))
        let encrypted = try store.verifyConfiguration(Vectors.bytes("cucm-style/SEP0CD0F8000001.cnf.xml.enc.sgn"),
                                                      servedAs: "SEP0CD0F8000001.cnf.xml.enc.sgn")
        let mic = try Vectors.identity("cucm-style/pki/phone-mic.pem")
        XCTAssertEqual(try EncryptedConfig.decrypt(encrypted, privateKey: mic.privateKey, rng: rng), plain)
    }

    func testNegativeVectorsAreBadSignatures() throws {
        let store = try interopStore()
        let signer = "CN=cucm-A45630BBFA40,O=Lab,OU=Voice"
        for (path, served) in [("interop/tampered-body-" + configName, configName), ("interop/truncated-" + configName, configName),
                               ("interop/tampered-cipher-" + encryptedName, encryptedName)] {
            XCTAssertThrowsError(try store.verifyConfiguration(Vectors.bytes(path), servedAs: served)) { error in
                XCTAssertEqual(error as? TrustError, .badSignature(subject: signer), path)
            }
        }
    }

    func testTamperedCipherIsADigestMismatchEvenIfTheSignatureWereSkipped() throws {
        let file = try SignedFile.parse(Vectors.bytes("interop/tampered-cipher-" + encryptedName))
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        XCTAssertThrowsError(try EncryptedConfig.decrypt(file, privateKey: mic.privateKey, rng: rng)) { error in
            XCTAssertEqual(error as? TrustError, .digestMismatch)
        }
    }

    func testServedUnderAnotherNameIsAFilenameMismatch() throws {
        XCTAssertThrowsError(try interopStore().verifyConfiguration(Vectors.bytes("interop/signed-" + configName),
                                                                    servedAs: "SEPA45630BBFA41.cnf.xml.sgn")) { error in
            XCTAssertEqual(error as? TrustError, .filenameMismatch(served: "SEPA45630BBFA41.cnf.xml.sgn", inFile: self.configName))
        }
    }

    func testSignerWithoutTheTFTPRoleIsRefused() throws {
        // ITLSEP… lists the cucm certificate with the CCM role only.
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"), kind: .itl, servedAs: "ITLSEPA45630BBFA40.tlv")
        XCTAssertThrowsError(try store.verifyConfiguration(Vectors.bytes("interop/signed-" + configName), servedAs: configName)) { error in
            XCTAssertEqual(error as? TrustError, .signerLacksRole(subject: "CN=cucm-A45630BBFA40,O=Lab,OU=Voice", role: "CCM"))
        }
    }

    func testSignerNotInTheTrustListIsUnknown() throws {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("cucm-style/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        XCTAssertThrowsError(try store.verifyConfiguration(Vectors.bytes("interop/signed-" + configName), servedAs: configName)) { error in
            XCTAssertEqual(error as? TrustError, .signerUnknown(subject: "CN=cucm-A45630BBFA40,O=Lab,OU=Voice"))
        }
        XCTAssertThrowsError(try TrustStore().verifyConfiguration(Vectors.bytes("interop/signed-" + configName), servedAs: configName)) { error in
            XCTAssertEqual(error as? TrustError, .noTrustList)
        }
    }

    func testWrongKeysCannotDecrypt() throws {
        let verified = try interopStore().verifyConfiguration(Vectors.bytes("interop/" + encryptedName), servedAs: encryptedName)
        let ecKey = try Vectors.identity("interop/pki/phone-lsc-ec.pem").privateKey
        XCTAssertThrowsError(try EncryptedConfig.decrypt(verified, privateKey: ecKey, rng: rng)) { error in
            XCTAssertEqual(error as? TrustError, .privateKeyNotRSA)
        }
        let otherRSA = try Vectors.identity("interop/pki/sast.pem").privateKey
        XCTAssertThrowsError(try EncryptedConfig.decrypt(verified, privateKey: otherRSA, rng: rng)) { error in
            XCTAssertEqual(error as? TrustError, .keyUnwrapFailed)
        }
    }

    func testHostilePaddingCounts() throws {
        let original = Vectors.bytes("interop/" + encryptedName)
        let file = try SignedFile.parse(original)
        let info = try XCTUnwrap(file.encryption)
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        // The padding-count value sits right after the 16-byte IV.
        let countOffset = info.iv.upperBound + 3
        for count in [17, 0xFFFF] {
            var bytes = original
            bytes[countOffset] = UInt8(count >> 8)
            bytes[countOffset + 1] = UInt8(count & 0xFF)
            let hostile = try SignedFile.parse(bytes)
            XCTAssertThrowsError(try EncryptedConfig.decrypt(hostile, privateKey: mic.privateKey, rng: rng)) { error in
                XCTAssertEqual(error as? TrustError, .badPaddingCount(count: count, bodyLength: file.body.count))
            }
        }
    }

    func testNotEncrypted() throws {
        let file = try SignedFile.parse(Vectors.bytes("interop/signed-" + configName))
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        XCTAssertThrowsError(try EncryptedConfig.decrypt(file, privateKey: mic.privateKey, rng: rng)) { error in
            XCTAssertEqual(error as? TrustError, .notEncrypted)
        }
    }

    /// Every config vector cut at every offset: verification (and decryption) end in a
    /// typed error.
    func testEveryPrefixOfEveryConfigIsRefused() throws {
        let store = try interopStore()
        for (path, served) in [("interop/signed-" + configName, configName), ("interop/partial-" + configName, configName),
                               ("interop/" + encryptedName, encryptedName)] {
            let bytes = Vectors.bytes(path)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try store.verifyConfiguration(Array(bytes[0..<length]), servedAs: served))
            }
        }
        let encrypted = Vectors.bytes("interop/" + encryptedName)
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        for length in stride(from: 768, to: encrypted.count, by: 1) {
            guard let file = try? SignedFile.parse(Array(encrypted[0..<length])) else { continue }
            XCTAssertThrowsError(try EncryptedConfig.decrypt(file, privateKey: mic.privateKey, rng: rng))
        }
    }
}
