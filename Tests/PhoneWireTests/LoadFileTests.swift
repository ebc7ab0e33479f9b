import PhoneWire
import TestSupport
import XCTest

/// The `.loads` file: the one Cisco shipped (the vector), and bodies of every shape a
/// server may send in its place, on the vector's own header (the parser does not verify
/// the signature: a body swapped under it is what the signature check refuses later).
final class LoadFileTests: XCTestCase {
    static let vector = Vectors.bytes("loads/SIP42.9-4-2SR3-1S.loads")

    /// The vector's header with `body` after it.
    static func file(_ body: String) throws -> [UInt8] {
        let header = try SignedFile.parse(vector).headerLength
        return Array(vector[0..<header]) + Array(body.utf8)
    }

    func testTheLoadCiscoShipped() throws {
        let load = try LoadFile.parse(Self.vector)
        XCTAssertEqual(load.signed.signerNameText, "CN=someSigner;OU=someOrgUnit;O=someOrg")
        XCTAssertEqual(load.signed.issuerNameText, "CN=someCA;OU=someOrgUnit;O=someOrg")
        XCTAssertEqual(Array(load.signed[load.signed.serialNumber]), [0x12, 0x34, 0x56, 0x78, 0x90, 0xAB, 0xCD, 0xEF])
        XCTAssertEqual(load.signed.version, FormatVersion(1, 1))
        XCTAssertEqual(load.signed.headerLength, 408)
        XCTAssertEqual(load.signed.signature.count, 256)
        XCTAssertNil(load.signed.timestamp)
        XCTAssertEqual(load.signed.filenameText, "SIP42.9-4-2SR3-1S.loads")
        XCTAssertEqual(load.hardwareLevel, 5)
        XCTAssertEqual((0..<load.images.count).map(load.imageName), [
            "jar42sip.9-4-2ES26.sbn", "cnu42.9-4-2ES26.sbn", "apps42.9-4-2ES26.sbn", "dsp42.9-4-2ES26.sbn", "cvm42sip.9-4-2ES26.sbn",
        ])
    }

    func testLineEndsBlanksAndCommentsAreTheServersOwn() throws {
        let load = try LoadFile.parse(Self.file("# a comment\n\n#HARDWARE_COMP_1\t 3 \r\n\t a.sbn\t\r\n\r\nb-c_d.sbn\n#HARDWARE_COMP_10 9\ne.sbn"))
        XCTAssertEqual(load.hardwareLevel, 3)
        XCTAssertEqual((0..<load.images.count).map(load.imageName), ["a.sbn", "b-c_d.sbn", "e.sbn"])
        XCTAssertNil(try LoadFile.parse(Self.file("a.sbn\n")).hardwareLevel)
    }

    func testHostileBodiesAreRefusedWithTheirPlace() throws {
        let header = try SignedFile.parse(Self.vector).headerLength
        let cases: [(String, LoadFileError)] = [
            ("a.sbn\n../boot.sbn\n", .badImageName(offset: header + 6)),
            ("a/b.sbn\n", .badImageName(offset: header)),
            ("a b.sbn\n", .badImageName(offset: header)),
            (".hidden\n", .badImageName(offset: header)),
            ("a.sbn\u{0}\n", .badImageName(offset: header)),
            ("caf\u{e9}.sbn\n", .badImageName(offset: header)),
            (String(repeating: "n", count: 129) + "\n", .badImageName(offset: header)),
            ("a.sbn\n" + String(repeating: " ", count: 600) + "b.sbn\n", .lineTooLong(offset: header + 6, limit: 512)),
            ("#HARDWARE_COMP_1\na.sbn\n", .badHardwareLevel(offset: header + 16)),
            ("#HARDWARE_COMP_1 five\na.sbn\n", .badHardwareLevel(offset: header + 17)),
            ("#HARDWARE_COMP_1 12345\na.sbn\n", .badHardwareLevel(offset: header + 17)),
            ("#HARDWARE_COMP_1 -1\na.sbn\n", .badHardwareLevel(offset: header + 17)),
            ("-rf.sbn\n", .badImageName(offset: header)),
            ("a.sbn\r \r\n", .badImageName(offset: header)),
            (String(repeating: "#", count: LoadFile.maximumBodyLength + 1), .bodyTooLong(limit: LoadFile.maximumBodyLength)),
            ("#HARDWARE_COMP_1 5\n#HARDWARE_COMP_1 6\na.sbn\n", .duplicateHardwareLevel(offset: header + 19)),
            ("a.sbn\nb.sbn\na.sbn\n", .duplicateImage(offset: header + 12)),
            ("# nothing but comments\n\n", .noImages),
            ("", .noImages),
        ]
        for (body, expected) in cases {
            XCTAssertThrowsError(try LoadFile.parse(Self.file(body)), body) { error in
                XCTAssertEqual(error as? LoadFileError, expected, body)
            }
        }
    }

    /// The evil cluster's image list of 10 000 names: refused by the body's bound before a
    /// line is read; 33 names within it, by the images' bound.
    func testTenThousandImagesAreRefusedAtTheBound() throws {
        let body = (0..<10_000).map { "image" + String($0) + ".sbn\n" }.joined()
        XCTAssertThrowsError(try LoadFile.parse(Self.file(body))) { error in
            XCTAssertEqual(error as? LoadFileError, .bodyTooLong(limit: LoadFile.maximumBodyLength))
        }
        let over = (0...LoadFile.maximumImages).map { "image" + String($0) + ".sbn\n" }.joined()
        XCTAssertThrowsError(try LoadFile.parse(Self.file(over))) { error in
            XCTAssertEqual(error as? LoadFileError, .tooManyImages(limit: LoadFile.maximumImages))
            XCTAssertEqual((error as? LoadFileError)?.reason, "more than 32 images")
        }
        let most = (0..<LoadFile.maximumImages).map { "image" + String($0) + ".sbn\n" }.joined()
        XCTAssertEqual(try LoadFile.parse(Self.file(most)).images.count, LoadFile.maximumImages)
    }

    func testEveryTruncationEndsInAnErrorOrFewerImagesNeverACrash() throws {
        let header = try SignedFile.parse(Self.vector).headerLength
        for length in 0..<Self.vector.count {
            let prefix = Array(Self.vector[0..<length])
            let names = ["jar42sip.9-4-2ES26.sbn", "cnu42.9-4-2ES26.sbn", "apps42.9-4-2ES26.sbn", "dsp42.9-4-2ES26.sbn",
                         "cvm42sip.9-4-2ES26.sbn"]
            do {
                let load = try LoadFile.parse(prefix)
                XCTAssertGreaterThan(length, header, "a header cut at \(length) parsed")
                // What a cut body gives: the names before the cut, and the one it cut short.
                for index in load.images.indices {
                    XCTAssertTrue(names[index].hasPrefix(load.imageName(index)), "cut at \(length): \(load.imageName(index))")
                }
            } catch {
                XCTAssertFalse(error.reason.isEmpty)
            }
        }
    }

    func testTheBoundsThemselvesAreAccepted() throws {
        let name = "n" + String(repeating: "a", count: LoadFile.maximumNameLength - 5) + ".sbn"
        XCTAssertEqual(try LoadFile.parse(Self.file(name + "\r\n")).imageName(0), name)
        let comment = "#" + String(repeating: "c", count: LoadFile.maximumLineLength - 1)
        XCTAssertEqual(try LoadFile.parse(Self.file(comment + "\r\n" + comment + "\na.sbn")).images.count, 1)
        XCTAssertThrowsError(try LoadFile.parse(Self.file(comment + "c\r\na.sbn")))
    }

    /// A trust list's or an encrypted file's header is no load's.
    func testOtherSignedFilesAreNotLoads() {
        for vector in ["interop/ITLFile.tlv", "interop/SEPA45630BBFA40.cnf.xml.enc.sgn"] {
            XCTAssertThrowsError(try LoadFile.parse(Vectors.bytes(vector)), vector) { error in
                XCTAssertEqual(error as? LoadFileError, .notALoadHeader, vector)
            }
        }
    }

    func testAHeaderFaultIsTheHeadersWithItsOffset() {
        XCTAssertThrowsError(try LoadFile.parse(Array(Self.vector[0..<20]))) { error in
            guard case .header(let wire)? = error as? LoadFileError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? LoadFileError)?.offset, wire.offset)
            XCTAssertEqual((error as? LoadFileError)?.code, wire.code)
        }
    }
}
