@testable import PhoneWire
import XCTest

/// The GET the phone sends over HTTP (6970) and HTTPS (6971).
final class HTTPRequestTests: XCTestCase {
    func testTheGetLine() {
        XCTAssertEqual(String(decoding: HTTPRequest.get("SEPA45630BBFA40.cnf.xml.sgn", host: "10.0.0.1", port: 6971), as: UTF8.self),
                       "GET /SEPA45630BBFA40.cnf.xml.sgn HTTP/1.1\r\nHost: 10.0.0.1:6971\r\nUser-Agent: phone\r\nConnection: close\r\n\r\n")
    }

    func testIPv6HostsAreBracketedAndNamesEncoded() {
        let request = String(decoding: HTTPRequest.get("a b/ü?.tlv", host: "::1", port: 6970), as: UTF8.self)
        XCTAssertTrue(request.hasPrefix("GET /a%20b%2F%C3%BC%3F.tlv HTTP/1.1\r\nHost: [::1]:6970\r\n"), request)
    }
}
