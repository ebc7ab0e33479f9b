import PhoneWire
import TestSupport
import XCTest

final class TrustListTests: XCTestCase {
    func testITLRecordsMatchTheReferenceReading() throws {
        for name in ["interop/ITLFile.tlv", "interop/CTLFile.tlv", "interop/ITLSEPA45630BBFA40.tlv",
                     "interop/rollover-ITLFile.tlv", "interop/rogue-ITLFile.tlv", "cucm-style/ITLFile.tlv"] {
            let list = try TrustList.parse(Vectors.bytes(name))
            let reference = Array(Vectors.parsedBlocks(name + ".parsed.txt").dropFirst())
            XCTAssertEqual(list.records.count, reference.count, name)
            for (record, block) in zip(list.records, reference) {
                let fields = Dictionary(block.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
                XCTAssertEqual(String(record.range.count) + " bytes", fields["Record Length"], name)
                XCTAssertEqual(list.file.text(record.subjectName), fields["Subject Name"], name)
                XCTAssertEqual(list.file.text(record.issuerName), fields["Issuer Name"], name)
                XCTAssertEqual(hexString(list[record.serialNumber]), fields["Serial Numer"], name)
                XCTAssertEqual(record.role.name, fields["Role"], name)
                XCTAssertEqual(record.publicKey.map { String($0.count) + " bytes" }, fields["Public Key"], name)
                XCTAssertEqual(record.signature.map { String($0.count) + " bytes" }, fields["Signature"], name)
                XCTAssertEqual(String(record.certificate.count) + " bytes", fields["Certificate"], name)
            }
        }
    }

    func testSignerRecordLookUp() throws {
        let itl = try TrustList.parse(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"))
        XCTAssertEqual(itl.records.map(\.role.name), ["SAST", "SAST", "CCM", "TFTP", "CAPF", "TVS"])
        XCTAssertEqual(itl.recordsMatchingSigner(of: itl.file), [0])
        let rollover = try TrustList.parse(Vectors.bytes("interop/rollover-ITLFile.tlv"))
        XCTAssertEqual(itl.recordsMatchingSigner(of: rollover.file), [1])
        let rogue = try TrustList.parse(Vectors.bytes("interop/rogue-ITLFile.tlv"))
        XCTAssertEqual(itl.recordsMatchingSigner(of: rogue.file), [])
        XCTAssertEqual(rogue.recordsMatchingSigner(of: rogue.file), [0, 1, 2])
    }

    func testSerialComparisonIgnoresLeadingZeros() {
        XCTAssertTrue(TrustList.sameSerial([0, 0x81, 2][...], [0x81, 2][...]))
        XCTAssertFalse(TrustList.sameSerial([0x81, 2][...], [0x81, 3][...]))
    }

    /// Every cut is a typed error, except a cut exactly between two records, which is a
    /// well-formed shorter list (the signature check in the trust layer refuses it).
    func testEveryPrefixIsATypedErrorOrARecordBoundary() throws {
        for name in ["interop/ITLFile.tlv", "interop/ITLSEPA45630BBFA40.tlv", "cucm-style/ITLFile.tlv"] {
            let bytes = Vectors.bytes(name)
            let whole = try TrustList.parse(bytes)
            let boundaries = Set(whole.records.dropFirst().map(\.range.lowerBound))
            for length in 0..<bytes.count {
                if boundaries.contains(length) {
                    let shorter = try TrustList.parse(Array(bytes[0..<length]))
                    XCTAssertLessThan(shorter.records.count, whole.records.count)
                } else {
                    XCTAssertThrowsError(try TrustList.parse(Array(bytes[0..<length])), "\(name) cut at \(length)")
                }
            }
        }
    }

    func testRecordLengthBeyondTheFile() throws {
        var bytes = Vectors.bytes("interop/ITLFile.tlv")
        bytes[420 + 3] = 0xFF
        XCTAssertThrowsError(try TrustList.parse(bytes)) { error in
            XCTAssertEqual(error as? WireError, .invalidRecordLength(offset: 420))
        }
    }

    func testUnknownRecordTag() throws {
        var bytes = Vectors.bytes("interop/ITLFile.tlv")
        bytes[425] = 40  // the subject-name element of the first record
        XCTAssertThrowsError(try TrustList.parse(bytes)) { error in
            XCTAssertEqual(error as? WireError, .unknownTag(tag: 40, offset: 425))
        }
    }

    func testHeaderOnlyListIsEmpty() throws {
        let bytes = Vectors.bytes("interop/ITLFile.tlv")
        XCTAssertThrowsError(try TrustList.parse(Array(bytes[0..<420]))) { error in
            XCTAssertEqual(error as? WireError, .emptyTrustList)
        }
    }

    func testRecordCountIsBounded() throws {
        let bytes = Vectors.bytes("interop/ITLFile.tlv")
        let record = Array(bytes[420..<(420 + 1564)])
        var big = Array(bytes[0..<420])
        for _ in 0...TrustList.maxRecords { big += record }
        XCTAssertThrowsError(try TrustList.parse(big)) { error in
            XCTAssertEqual(error as? WireError, .tooManyRecords(limit: TrustList.maxRecords))
        }
    }
}
