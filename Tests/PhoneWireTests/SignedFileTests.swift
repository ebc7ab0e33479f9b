import PhoneWire
import TestSupport
import XCTest

final class SignedFileTests: XCTestCase {
    static let signedFiles = [
        "interop/ITLFile.tlv", "interop/CTLFile.tlv", "interop/ITLSEPA45630BBFA40.tlv",
        "interop/rollover-ITLFile.tlv", "interop/rogue-ITLFile.tlv", "interop/renamed-as-CTLFile.tlv",
        "interop/signed-SEPA45630BBFA40.cnf.xml.sgn", "interop/partial-SEPA45630BBFA40.cnf.xml.sgn",
        "interop/SEPA45630BBFA40.cnf.xml.enc.sgn", "interop/tampered-body-SEPA45630BBFA40.cnf.xml.sgn",
        "interop/tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn",
        "cucm-style/ITLFile.tlv", "cucm-style/SEP0CD0F8000001.cnf.xml.enc.sgn",
        "cucm-style/partial-SEP0CD0F8000001.cnf.xml.sgn", "cucm-style/signed-SEP0CD0F8000001.cnf.xml.sgn",
    ]

    func testSignedConfigHeader() throws {
        let file = try SignedFile.parse(Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn"))
        XCTAssertEqual(file.version, .signed)
        XCTAssertEqual(file.headerLength, 428)
        XCTAssertNil(file.signerVersion)
        XCTAssertEqual(file.signerNameText, "CN=cucm-A45630BBFA40,O=Lab,OU=Voice")
        XCTAssertEqual(file.issuerNameText, "CN=cucm-A45630BBFA40,O=Lab,OU=Voice")
        XCTAssertEqual(hexString(file[file.serialNumber]), "d16a804c82a45868b735a52442922987")
        XCTAssertEqual(file.hashAlgorithm, .sha1)
        XCTAssertEqual(file.signature.count, 256)
        XCTAssertEqual(file.signatureElement.count, 259)
        XCTAssertEqual(file.filenameText, "SEPA45630BBFA40.cnf.xml.sgn")
        XCTAssertNil(file.encryption)
        XCTAssertEqual(Array(file[file.body]), Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))
    }

    func testEncryptedConfigHeader() throws {
        let file = try SignedFile.parse(Vectors.bytes("interop/SEPA45630BBFA40.cnf.xml.enc.sgn"))
        XCTAssertEqual(file.version, .encrypted)
        XCTAssertEqual(file.headerLength, 768)
        let info = try XCTUnwrap(file.encryption)
        XCTAssertEqual(info.iv.count, 16)
        XCTAssertEqual(info.paddingCount, 10)
        XCTAssertEqual(info.keySizeBits, 2048)
        XCTAssertEqual(info.keyAlgorithm, SignedFile.aes128CBC)
        XCTAssertEqual(info.wrappedKey.count, 256)
        XCTAssertEqual(info.digestAlgorithm, .sha1)
        XCTAssertEqual(hexString(file[info.digest]), "a1ec4f250e7eccbf1fb4c1599dde8035dbad97ef")
        XCTAssertEqual(file.body.count % 16, 0)
    }

    func testTrustListSignerVersion() throws {
        let itl = try SignedFile.parse(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"))
        XCTAssertEqual(itl.version, .trustList)
        XCTAssertEqual(itl.signerVersion, FormatVersion(1, 1))
        XCTAssertEqual(itl.hashAlgorithm, .sha512)
        XCTAssertEqual(itl.filenameText, "ITLFile.tlv")
    }

    func testEveryVectorParses() throws {
        for name in Self.signedFiles {
            XCTAssertNoThrow(try SignedFile.parse(Vectors.bytes(name)), name)
        }
    }

    /// Every vector cut at every byte offset: a typed error, never a trap. Cuts inside
    /// the body of a `.sgn` still parse (the header is whole); that is the signature's job.
    func testEveryPrefixOfEveryVectorIsATypedErrorOrAWholeHeader() throws {
        for name in Self.signedFiles + ["interop/truncated-SEPA45630BBFA40.cnf.xml.sgn"] {
            let bytes = Vectors.bytes(name)
            let headerLength = (try? SignedFile.parse(bytes))?.headerLength ?? bytes.count
            for length in 0..<bytes.count {
                do {
                    let file = try SignedFile.parse(Array(bytes[0..<length]))
                    XCTAssertGreaterThanOrEqual(length, headerLength, "\(name) cut at \(length) parsed")
                    XCTAssertEqual(file.headerLength, headerLength)
                } catch {
                    XCTAssertLessThan(length, headerLength, "\(name) cut at \(length): \(error.reason)")
                }
            }
        }
    }

    /// The truncated vector keeps its whole header: the wire layer reads it, and only
    /// the signature (trust layer) can tell the body is short.
    func testTruncatedVectorKeepsItsHeader() throws {
        let file = try SignedFile.parse(Vectors.bytes("interop/truncated-SEPA45630BBFA40.cnf.xml.sgn"))
        XCTAssertEqual(file.headerLength, 428)
        XCTAssertEqual(file.body.count, 811 - 428)
    }

    func testHeaderCutShortNamesTheOffset() {
        let bytes = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        XCTAssertThrowsError(try SignedFile.parse(Array(bytes[0..<200]))) { error in
            XCTAssertEqual(error as? WireError, .headerLengthOutOfRange(headerLength: 428, fileSize: 200))
        }
        // Cut inside the header-length element itself.
        XCTAssertThrowsError(try SignedFile.parse(Array(bytes[0..<7]))) { error in
            XCTAssertEqual(error as? WireError, .truncated(offset: 6))
        }
    }

    func testUnknownTagNamesItsOffset() {
        var bytes = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        // The filename element (tag 14) follows the signature element at 0x80 (3 + 256 bytes).
        XCTAssertEqual(bytes[0x183], 14)
        bytes[0x183] = 99
        XCTAssertThrowsError(try SignedFile.parse(bytes)) { error in
            XCTAssertEqual(error as? WireError, .unknownTag(tag: 99, offset: 0x183))
        }
    }

    func testHeaderLengthPastTheEnd() {
        var bytes = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        bytes[8] = 0xFF
        bytes[9] = 0xF0
        XCTAssertThrowsError(try SignedFile.parse(Array(bytes[0..<2000]))) { error in
            XCTAssertEqual(error as? WireError, .headerLengthOutOfRange(headerLength: 0xFFF0, fileSize: 2000))
        }
    }

    func testContainerLengthsThatDisagree() {
        var bytes = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        // Signer info (tag 3) at offset 10 claims 97 bytes; shrink it so tag 5 crosses its end.
        XCTAssertEqual(bytes[10], 3)
        bytes[12] = 90
        XCTAssertThrowsError(try SignedFile.parse(bytes)) { error in
            guard case .containerOverrun(5, _) = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    func testUnknownDigestAlgorithm() {
        var bytes = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        let hashOffset = 10 + 3 + 97 + 3  // after signer info, inside signature info
        XCTAssertEqual(bytes[hashOffset], 8)
        bytes[hashOffset + 3] = 7
        XCTAssertThrowsError(try SignedFile.parse(bytes)) { error in
            XCTAssertEqual(error as? WireError, .unsupportedHashAlgorithm(value: 7, offset: hashOffset))
        }
    }

    func testDuplicateAndMisplacedElements() {
        // version, header length, then a second version.
        let duplicate: [UInt8] = [1, 0, 2, 1, 0, 2, 0, 2, 0, 12, 1, 0, 2, 1, 0]
        XCTAssertThrowsError(try SignedFile.parse(duplicate)) { error in
            XCTAssertEqual(error as? WireError, .duplicateElement(tag: 1, offset: 10))
        }
        let headerLengthFirst: [UInt8] = [2, 0, 2, 0, 8, 1, 0, 2, 1, 0]
        XCTAssertThrowsError(try SignedFile.parse(headerLengthFirst)) { error in
            XCTAssertEqual(error as? WireError, .misplacedElement(tag: 2, offset: 0))
        }
        // Tag 4 (signer name) at the top level instead of inside container 3.
        let outside: [UInt8] = [1, 0, 2, 1, 0, 2, 0, 2, 0, 16, 4, 0, 2, 0x41, 0]
        XCTAssertThrowsError(try SignedFile.parse(outside + [13])) { error in
            XCTAssertEqual(error as? WireError, .misplacedElement(tag: 4, offset: 10))
        }
    }

    func testMissingElementsAreNamed() {
        // A header of only version and length.
        let bare: [UInt8] = [1, 0, 2, 1, 0, 2, 0, 2, 0, 10]
        XCTAssertThrowsError(try SignedFile.parse(bare)) { error in
            XCTAssertEqual(error as? WireError, .missingElement(tag: SignedFileTag.signerName))
        }
    }

    func testSignatureLengthMustMatchTheModulusIndex() {
        var bytes = Vectors.bytes("interop/signed-SEPA45630BBFA40.cnf.xml.sgn")
        let modulusValue = 10 + 3 + 97 + 3 + 4 + 3 + 4 + 3
        XCTAssertEqual(bytes[modulusValue - 3], 11)
        bytes[modulusValue] = 1  // 128 bytes announced, 256 present
        XCTAssertThrowsError(try SignedFile.parse(bytes)) { error in
            guard case .signatureLengthMismatch(128, 256, _) = error as? WireError else { return XCTFail("\(error)") }
        }
        bytes[modulusValue] = 9
        XCTAssertThrowsError(try SignedFile.parse(bytes)) { error in
            XCTAssertEqual(error as? WireError, .invalidValue(tag: 11, offset: modulusValue - 3))
        }
    }

    func testRandomMutationsNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for name in Self.signedFiles {
            let original = Vectors.bytes(name)
            let limit = min(original.count, 900)
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<limit, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                _ = try? TrustList.parse(bytes)
                _ = try? SignedFile.parse(bytes)
            }
        }
    }
}
