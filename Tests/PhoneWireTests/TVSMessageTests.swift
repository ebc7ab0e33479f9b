import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

/// The TVS codec against the reference client and server (`tvs/verify-transcripts.txt`)
/// and against every kind of bad input.
final class TVSMessageTests: XCTestCase {
    func testTranscriptRequestsAreWhatThePhoneSends() throws {
        let transcript = Vectors.tvsTranscript()
        let requests = transcript.filter { $0.direction == "phone->tvs" }
        XCTAssertEqual(requests.count, 3)
        for line in requests {
            let request = try TVSVerifyRequest.decode(line.message)
            XCTAssertEqual(request.sessionID, 1)
            XCTAssertEqual(String(decoding: request.deviceName, as: UTF8.self), "CP-8841-SEPA45630BBFA40")
            let pem = Vectors.bytes("interop/pki/" + line.certificate)
            XCTAssertEqual(request.certificate, try Certificate(pem: pem).der, line.certificate)
            // Byte for byte what this codec writes for the same question.
            XCTAssertEqual(TVSVerifyRequest(sessionID: 1, deviceName: request.deviceName, certificate: request.certificate).encode(),
                           line.message, line.certificate)
        }
    }

    func testTranscriptResponsesDecodeToTheServersDatabase() throws {
        let responses = Dictionary(uniqueKeysWithValues: Vectors.tvsTranscript().filter { $0.direction == "tvs->phone" }
            .map { ($0.certificate, $0.message) })
        XCTAssertEqual(try TVSVerifyResponse.decode(XCTUnwrap(responses["ccm-tftp.pem"])),
                       TVSVerifyResponse(sessionID: 1, status: .valid(roles: [.ccmTFTP], ttlSeconds: 3600)))
        XCTAssertEqual(try TVSVerifyResponse.decode(XCTUnwrap(responses["tftp-ec.pem"])),
                       TVSVerifyResponse(sessionID: 1, status: .valid(roles: [.tftp, .appServer], ttlSeconds: 86400)))
        XCTAssertEqual(try TVSVerifyResponse.decode(XCTUnwrap(responses["rogue-sast.pem"])),
                       TVSVerifyResponse(sessionID: 1, status: .invalid))
        for (name, message) in responses {
            XCTAssertEqual(try TVSVerifyResponse.decode(message).encode(), message, name)
        }
    }

    func testBadInputIsATypedErrorWithItsOffset() throws {
        let valid = TVSVerifyResponse(sessionID: 7, status: .valid(roles: [.tftp], ttlSeconds: 60)).encode()
        func refuse(_ bytes: [UInt8], _ expected: TVSWireError, line: UInt = #line) {
            XCTAssertThrowsError(try TVSVerifyResponse.decode(bytes), line: line) { XCTAssertEqual($0 as? TVSWireError, expected, line: line) }
        }
        refuse([], .truncated(offset: 0))
        refuse(Array(valid.prefix(6)), .truncated(offset: 6))
        refuse(Array(valid.prefix(valid.count - 1)), .truncated(offset: valid.count - 1))
        refuse(valid + [0], .trailingBytes(offset: valid.count))
        var bytes = valid
        bytes[0] = 0x55
        refuse(bytes, .wrongProtocol(0x55))
        bytes = valid
        bytes[1] = 2
        refuse(bytes, .wrongVersion(2))
        bytes = valid
        bytes[2] = 9
        refuse(bytes, .unknownCommand(9))
        bytes = valid
        bytes[2] = 1
        refuse(bytes, .unexpectedCommand(1))
        bytes = valid
        bytes[3] = 1
        refuse(bytes, .reservedByte(1))
        bytes = valid
        bytes[8] = 0xFF
        bytes[9] = 0xFF
        refuse(bytes, .oversized(length: 65535, limit: TVSHeader.maxPayload))
        // Elements: status at 10, roles at 14, TTL at 18.
        bytes = valid
        bytes[14] = 7
        refuse(bytes, .duplicateElement(tag: 7, offset: 14))
        bytes = valid
        bytes[14] = 42
        refuse(bytes, .unknownTag(tag: 42, offset: 14))
        bytes = valid
        bytes[13] = 2
        refuse(bytes, .invalidValue(tag: 7, offset: 10))
        bytes = valid
        bytes[20] = 3
        refuse(bytes, .invalidLength(tag: 9, offset: 18))
        refuse(Array(valid.prefix(18)).withLength(8), .missingElement(tag: TVSTag.ttl))
        // "Invalid" carries the status alone.
        refuse([87, 1, 2, 0, 0, 0, 0, 7, 0, 8, 7, 0, 1, 1, 8, 0, 1, 3], .misplacedElement(tag: 8, offset: 14))
        // Roles: at least one, at most 16.
        refuse([87, 1, 2, 0, 0, 0, 0, 7, 0, 14, 7, 0, 1, 0, 8, 0, 0, 9, 0, 4, 0, 0, 0, 1], .invalidLength(tag: 8, offset: 14))
    }

    func testRequestsTheServerMustRefuse() {
        let good = TVSVerifyRequest(sessionID: 1, deviceName: Array("CP-8841-SEPA45630BBFA40".utf8), certificate: [0x30, 0]).encode()
        var bytes = good
        bytes[13] = 2  // the device name's 0x01 prefix
        XCTAssertThrowsError(try TVSVerifyRequest.decode(bytes)) { XCTAssertEqual($0 as? TVSWireError, .invalidValue(tag: 1, offset: 10)) }
        let noCertificate = TVSVerifyRequest(sessionID: 1, deviceName: Array("CP-8841-SEPA45630BBFA40".utf8), certificate: []).encode()
        XCTAssertThrowsError(try TVSVerifyRequest.decode(noCertificate)) {
            XCTAssertEqual($0 as? TVSWireError, .invalidLength(tag: 2, offset: 37))
        }
        XCTAssertThrowsError(try TVSVerifyRequest.decode(TVSVerifyResponse(sessionID: 1, status: .invalid).encode())) {
            XCTAssertEqual($0 as? TVSWireError, .unexpectedCommand(2))
        }
    }
}

private extension Array where Element == UInt8 {
    /// The same message with the header's element length set to `length`.
    func withLength(_ length: Int) -> [UInt8] {
        var bytes = self
        bytes[8] = UInt8(length >> 8)
        bytes[9] = UInt8(length & 0xFF)
        return bytes
    }
}
