@testable import CUCMLab
import XCTest

/// The lab's reading of a REGISTER head: the device from the Contact as Cisco phones name
/// it, the headers a response repeats, and nothing for a head that never ends.
final class SIPRequestTests: XCTestCase {
    private func read(_ text: String, chunk: Int = 7) -> SIPRequest? {
        var bytes = Array(text.utf8)[...]
        return SIPRequest.read {
            guard !bytes.isEmpty else { return nil }
            defer { bytes = bytes.dropFirst(chunk) }
            return Array(bytes.prefix(chunk))
        }
    }

    func testARegisterNamesItsDeviceInTheContact() throws {
        let request = try XCTUnwrap(read("REGISTER sip:cucm SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.2;branch=z9hG4bK1\r\n"
            + "From: <sip:1001@cucm>;tag=a\r\nTo: <sip:1001@cucm>\r\nCall-ID: x@y\r\nCSeq: 101 REGISTER\r\n"
            + "Contact: <sip:1001@10.0.0.2;transport=tls>;+sip.instance=\"<urn:uuid:1>\";+u.sip!devicename.ccm.cisco.com=\"SEPA45630BBFA40\"\r\n"
            + "Content-Length: 0\r\n\r\n"))
        XCTAssertEqual(request.method, "REGISTER")
        XCTAssertEqual(request.deviceName, "SEPA45630BBFA40")
        XCTAssertEqual(request.echoedHeaders, ["Via: SIP/2.0/TLS 10.0.0.2;branch=z9hG4bK1", "From: <sip:1001@cucm>;tag=a",
                                               "To: <sip:1001@cucm>", "Call-ID: x@y", "CSeq: 101 REGISTER"])
    }

    func testNoDeviceParameterNamesNoDevice() throws {
        let request = try XCTUnwrap(read("REGISTER sip:cucm SIP/2.0\r\nContact: <sip:1001@10.0.0.2>\r\n\r\n"))
        XCTAssertNil(request.deviceName)
    }

    func testAHeadThatNeverEndsIsDropped() {
        XCTAssertNil(read("REGISTER sip:cucm SIP/2.0\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 500), chunk: 512))
        XCTAssertNil(read("REGISTER sip:cucm SIP/2.0\r\nVia: cut"))
    }
}
