import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

final class CAPFCodecTests: XCTestCase {
    func testEveryTranscriptMessageDecodesFieldByField() throws {
        for path in ["capf/install-rsa2048-no-password.txt", "capf/install-ec-p256-password-123456.txt",
                     "capf/unknown-device.txt", "capf/real-cucm-style-server-messages.txt"] {
            for line in TranscriptLine.load(path) {
                let message = try CAPFMessage.decode(line.bytes)
                XCTAssertTrue(line.name.hasPrefix(message.command.name), "\(path): \(line.name)")
                XCTAssertTrue(message.skippedTags.isEmpty)
                // Re-encoding gives the same bytes: nothing lost, order kept.
                XCTAssertEqual(message.encoded(), line.bytes, "\(path): \(line.name)")
            }
        }
        let rsa = TranscriptLine.load("capf/install-rsa2048-no-password.txt")
        let auth = try CAPFMessage.decode(rsa[0].bytes)
        XCTAssertEqual(auth.sessionID, 1)
        XCTAssertEqual(auth.byte(CAPFTag.version), 3)
        XCTAssertEqual(auth.byte(CAPFTag.authType), 0)
        let keyRequest = try CAPFMessage.decode(rsa[2].bytes)
        XCTAssertEqual(keyRequest.integer(CAPFTag.keySize), 2048)
        XCTAssertEqual(keyRequest.byte(CAPFTag.keyType), 0)
        let store = try CAPFMessage.decode(rsa[5].bytes)
        let certificate = try XCTUnwrap(CAPFElements.parseCertificate(try XCTUnwrap(store.value(CAPFTag.certificate))))
        XCTAssertEqual(certificate.type, 1)
        // The issued certificate in the transcript is lsc-rsa2048.pem, for this phone.
        let issued = try Vectors.certificate("capf/lsc-rsa2048.pem")
        XCTAssertEqual(certificate.der, issued.der)
        XCTAssertTrue(issued.subject.contains("CN=SEPA45630BBFA40"), issued.subject)
        let response = try CAPFMessage.decode(rsa[4].bytes)
        let spki = try XCTUnwrap(response.value(CAPFTag.publicKey))
        XCTAssertEqual(try PublicKey(subjectPublicKeyInfo: spki[...]).kind, .rsa(bits: 2048))
        let ec = TranscriptLine.load("capf/install-ec-p256-password-123456.txt")
        let ecRequest = try CAPFMessage.decode(ec[2].bytes)
        XCTAssertEqual(ecRequest.byte(CAPFTag.keyType), 1)
        XCTAssertEqual(ecRequest.byte(CAPFTag.curve), 0)
        let ecAuth = try CAPFMessage.decode(ec[1].bytes)
        XCTAssertEqual(CAPFElements.parseText(try XCTUnwrap(ecAuth.value(CAPFTag.password))), Array("123456".utf8))
    }

    func testHostileBytes() {
        XCTAssertThrowsError(try CAPFMessage.decode([0x54, 1, 0, 0, 0, 1, 0, 0])) { error in
            XCTAssertEqual(error as? CAPFWireError, .wrongProtocol(0x54))
        }
        XCTAssertThrowsError(try CAPFMessage.decode([0x55, 1, 0, 0, 0, 1, 0xFF, 0xFF])) { error in
            XCTAssertEqual(error as? CAPFWireError, .tooLong(length: 0xFFFF, limit: CAPFMessage.maxPayload))
        }
        XCTAssertThrowsError(try CAPFMessage.decode([0x55, 99, 0, 0, 0, 1, 0, 0])) { error in
            XCTAssertEqual(error as? CAPFWireError, .unknownCommand(99))
        }
        // Reason element with two bytes.
        XCTAssertThrowsError(try CAPFMessage.decode([0x55, 15, 0, 0, 0, 1, 0, 5, 1, 0, 2, 1, 1])) { error in
            XCTAssertEqual(error as? CAPFWireError, .invalidLength(tag: 1, offset: 8))
        }
        // An element running past the payload.
        XCTAssertThrowsError(try CAPFMessage.decode([0x55, 15, 0, 0, 0, 1, 0, 4, 1, 0, 9, 1])) { error in
            XCTAssertEqual(error as? CAPFWireError, .truncated(offset: 8))
        }
        XCTAssertThrowsError(try CAPFMessage.decode([0x55, 15, 0, 0, 0, 1, 0, 8, 1, 0, 1, 1, 1, 0, 1, 1])) { error in
            XCTAssertEqual(error as? CAPFWireError, .duplicateElement(tag: 1, offset: 12))
        }
    }

    func testUnknownElementsAreSkippedAndReported() throws {
        let message = try CAPFMessage.decode([0x55, 15, 0, 0, 0, 1, 0, 9, 99, 0, 2, 7, 7, 1, 0, 1, 1])
        XCTAssertEqual(message.skippedTags, [99])
        XCTAssertEqual(message.byte(CAPFTag.reason), 1)
    }

    func testEveryPrefixOfEveryMessageIsATypedError() {
        for line in TranscriptLine.load("capf/install-rsa2048-no-password.txt") {
            for length in 0..<line.bytes.count {
                XCTAssertThrowsError(try CAPFMessage.decode(Array(line.bytes[0..<length])))
            }
        }
    }
}
