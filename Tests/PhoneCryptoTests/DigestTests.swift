import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

final class DigestTests: XCTestCase {
    func testKnownAnswersForABC() throws {
        let abc = Array("abc".utf8)
        XCTAssertEqual(hexString(try Digest.hash(.md5, abc)), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(hexString(try Digest.hash(.sha1, abc)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hexString(try Digest.hash(.sha256, abc)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hexString(try Digest.hash(.sha512, abc)),
                       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                       + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    func testStreamingEqualsOneShot() throws {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var digest = try Digest(.sha512)
        try digest.update(data[0..<123])
        try digest.update(data[123...])
        let streamed = try digest.finalize()
        XCTAssertEqual(streamed, try Digest.hash(.sha512, data))
    }

    func testEmptyInput() throws {
        XCTAssertEqual(hexString(try Digest.hash(.md5, [])), "d41d8cd98f00b204e9800998ecf8427e")
    }

    func testMD5OfTheVectorMICMatchesTheReference() throws {
        let mic = try Vectors.certificate("interop/pki/phone-mic.pem")
        let expected = Vectors.text("interop/phone-mic.md5").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(hexString(try mic.md5()), expected)
    }
}
