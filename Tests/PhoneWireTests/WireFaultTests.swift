import PhoneWire
import XCTest

/// Every wire-format error has one shape: a code, an offset when it has one, what is
/// wrong — and the reason made from them the same way.
final class WireFaultTests: XCTestCase {
    func testTheReasonIsTheProblemAndThePlace() {
        let fault = WireError.containerOverrun(tag: 5, offset: 85)
        XCTAssertEqual(fault.code, "containerOverrun")
        XCTAssertEqual(fault.offset, 85)
        XCTAssertEqual(fault.reason, "tag 5 crosses the end of its container at offset 85")
        XCTAssertEqual(CAPFWireError.truncated(offset: 3).reason, "CAPF message truncated at offset 3")
        XCTAssertEqual(TVSWireError.trailingBytes(offset: 40).reason, "bytes after the message at offset 40")
        XCTAssertEqual(XMLError(.doctypeNotAllowed, at: 21).reason, "XML: DOCTYPE not allowed at offset 21")
    }

    func testAFaultOfTheWholeInputHasNoPlace() {
        XCTAssertNil(TVSWireError.oversized(length: 65535, limit: 16384).offset)
        XCTAssertEqual(TVSWireError.oversized(length: 65535, limit: 16384).reason, "announces 65535 bytes of elements, more than 16384")
        XCTAssertEqual(WireError.missingElement(tag: 4).reason, "required tag 4 missing")
        XCTAssertEqual(CAPFWireError.tooLong(length: 65535, limit: 16384).reason, "CAPF message of 65535 bytes over the 16384-byte cap")
    }

    func testAConfigurationErrorCarriesItsXMLFault() {
        let fault = ConfigError.xml(XMLError(.depthExceeded(limit: 32), at: 700))
        XCTAssertEqual(fault.code, "depthExceeded")
        XCTAssertEqual(fault.offset, 700)
        XCTAssertEqual(fault.reason, "XML: nesting deeper than 32 at offset 700")
        XCTAssertEqual(ConfigError.invalidValue(element: "certHash", offset: 9).reason, "invalid <certHash> value at offset 9")
    }

    /// The transfers' parsers (HTTP on 6970, TFTP) have the same shape, and say where the
    /// fault is in what the server sent.
    func testTheTransferParsersFaultsHaveTheSameShape() throws {
        var parser = HTTPResponseParser(bodyLimit: 100)
        XCTAssertThrowsError(try parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nno colon here\r\n\r\n".utf8)[...])) { error in
            guard let fault = error as? HTTPResponseParser.ParseError else { return XCTFail("\(error)") }
            XCTAssertEqual(fault.code, "malformedHeader")
            XCTAssertEqual(fault.offset, 36)
            XCTAssertEqual(fault.reason, "HTTP: malformed header at offset 36")
        }
        XCTAssertNil(HTTPResponseParser.ParseError.bodyTooLarge(limit: 100).offset)
        XCTAssertThrowsError(try TFTPPacket.parse([0, 6, 0x62, 0x6C, 0x6B, 0x73])) { error in
            guard let fault = error as? TFTPPacket.ParseError else { return XCTFail("\(error)") }
            XCTAssertEqual(fault.code, "unterminatedString")
            XCTAssertEqual(fault.offset, 2)
            XCTAssertEqual(fault.reason, "TFTP: a string without its NUL at offset 2")
        }
        XCTAssertEqual(TFTPPacket.ParseError.unknownOpcode(9).reason, "TFTP: unknown opcode 9")
    }
}
