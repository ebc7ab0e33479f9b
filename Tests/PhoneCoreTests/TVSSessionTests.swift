import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The TVS client session, the TTL cache and the one trust decision.
final class TVSSessionTests: XCTestCase {
    let phoneName = Array("CP-8841-SEPA45630BBFA40".utf8)

    func testOneWriteThenTheAnswerInAnyChunks() throws {
        let transcript = Vectors.tvsTranscript()
        let request = try TVSVerifyRequest.decode(transcript[0].message)
        var session = TVSClientSession(request: request)
        XCTAssertEqual(session.start(), transcript[0].message, "the whole request in one write")
        XCTAssertEqual(session.start(), [], "and only once")
        let answer = transcript[1].message
        for byte in answer.dropLast() { XCTAssertNil(try session.receive([byte])) }
        XCTAssertEqual(try session.receive([answer.last!]), .valid(roles: [.ccmTFTP], ttlSeconds: 3600))
    }

    func testAChangedSessionIDIsNoAnswer() throws {
        var session = TVSClientSession(request: TVSVerifyRequest(sessionID: 5, deviceName: phoneName, certificate: [1]))
        _ = session.start()
        XCTAssertThrowsError(try session.receive(TVSVerifyResponse(sessionID: 6, status: .invalid).encode())) {
            XCTAssertEqual($0 as? TVSSessionError, .sessionIDChanged(sent: 5, received: 6))
        }
    }

    func testClosingAndGarbage() throws {
        var session = TVSClientSession(request: TVSVerifyRequest(sessionID: 5, deviceName: phoneName, certificate: [1]))
        _ = session.start()
        XCTAssertNil(try session.receive([87, 1, 2]))
        XCTAssertThrowsError(try session.receive(nil)) { XCTAssertEqual($0 as? TVSSessionError, .closedWithoutAnswer(receivedBytes: 3)) }

        var early = TVSClientSession(request: TVSVerifyRequest(sessionID: 5, deviceName: phoneName, certificate: [1]))
        _ = early.start()
        // A wrong protocol byte is refused at once, without waiting for a whole header.
        XCTAssertThrowsError(try early.receive([0x16])) { XCTAssertEqual($0 as? TVSSessionError, .wire(.wrongProtocol(0x16))) }

        var oversized = TVSClientSession(request: TVSVerifyRequest(sessionID: 5, deviceName: phoneName, certificate: [1]))
        _ = oversized.start()
        XCTAssertThrowsError(try oversized.receive([87, 1, 2, 0, 0, 0, 0, 5, 0xFF, 0xFF])) {
            XCTAssertEqual($0 as? TVSSessionError, .wire(.oversized(length: 65535, limit: TVSHeader.maxPayload)))
        }
    }

    func testDeviceNames() throws {
        let device = try XCTUnwrap(DeviceName("A45630BBFA40"))
        XCTAssertEqual(TVSDeviceName(device: device, model: "7942G")?.text, "CP-7942-SEPA45630BBFA40")
        XCTAssertNil(TVSDeviceName(device: device, model: "79"))
        XCTAssertNil(TVSDeviceName(device: device, model: "G794"))
        XCTAssertEqual(TVSDeviceName.model(fromSubject: "CN=CP-7942G-SEPA45630BBFA40,O=Cisco Systems Inc."), "7942")
        XCTAssertNil(TVSDeviceName.model(fromSubject: "CN=SEPA45630BBFA40,O=Lab"))
        let mic = try Vectors.certificate("interop/pki/phone-mic.pem")
        XCTAssertEqual(TVSDeviceName(micSubject: mic.subject)?.text, "CP-7942-SEPA45630BBFA40")
        XCTAssertEqual(TVSDeviceName("CP-8841-SEPA45630BBFA40")?.text, "CP-8841-SEPA45630BBFA40")
        XCTAssertNil(TVSDeviceName("CP-8841-SEPa45630bbfa40"), "the MAC in upper case, as the reference server wants")
        XCTAssertNil(TVSDeviceName("CP-88411-SEPA45630BBFA40"))
    }
}
