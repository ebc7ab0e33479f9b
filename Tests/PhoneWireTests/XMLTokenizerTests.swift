import PhoneWire
import TestSupport
import XCTest

final class XMLTokenizerTests: XCTestCase {
    private func tokens(_ text: String, limits: XMLLimits = .configuration) throws -> [String] {
        let bytes = Array(text.utf8)
        var tokenizer = XMLTokenizer(bytes, limits: limits)
        var out: [String] = []
        while let token = try tokenizer.next() {
            switch token {
            case .start(let name):
                let attributes = try tokenizer.attributes.map {
                    String(decoding: bytes[$0.name], as: UTF8.self) + "="
                        + String(decoding: try XMLText.decode(bytes, $0.value, hasReferences: $0.hasReferences), as: UTF8.self)
                }
                out.append("<" + String(decoding: bytes[name], as: UTF8.self) + attributes.map { " " + $0 }.joined() + ">")
            case .end(let name): out.append("</" + String(decoding: bytes[name], as: UTF8.self) + ">")
            case .text(let range, let references):
                out.append("t:" + String(decoding: try XMLText.decode(bytes, range, hasReferences: references), as: UTF8.self))
            case .cdata(let range): out.append("c:" + String(decoding: bytes[range], as: UTF8.self))
            }
        }
        return out
    }

    private func error(_ text: String, limits: XMLLimits = .configuration) -> XMLError? {
        do {
            _ = try tokens(text, limits: limits)
            return nil
        } catch {
            return error as? XMLError
        }
    }

    func testElementsAttributesTextCDATACommentsAndPIs() throws {
        let document = "<?xml version=\"1.0\"?>\n<!-- c --><a x='1' y=\"&lt;2&gt;\"><b/>t&amp;u<![CDATA[<raw>&]]><?pi data?></a>\n"
        XCTAssertEqual(try tokens(document),
                       ["<a x=1 y=<2>>", "<b>", "</b>", "t:t&u", "c:<raw>&", "</a>"])
    }

    func testEntitiesAndCharacterReferences() throws {
        XCTAssertEqual(try tokens("<a>&quot;&apos;&#65;&#x42;&#252;&#x1F600;</a>"), ["<a>", "t:\"'AB\u{fc}\u{1F600}", "</a>"])
        for bad in ["&foo;", "&#0;", "&#xD800;", "&#x110000;", "&#;", "&amp", "&#x1G;"] {
            XCTAssertEqual(error("<a>" + bad + "</a>")?.kind, .invalidReference, bad)
        }
    }

    func testLineEndsNormalised() throws {
        XCTAssertEqual(try tokens("<a>1\r\n2\r3</a>"), ["<a>", "t:1\n2\n3", "</a>"])
    }

    func testNamespacePrefixesNeedNoDeclaration() throws {
        XCTAssertEqual(try tokens("<device xsi:type=\"axl:XIPPhone\"><axl:x/></device>"),
                       ["<device xsi:type=axl:XIPPhone>", "<axl:x>", "</axl:x>", "</device>"])
    }

    func testDOCTYPEIsRefused() {
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <lolz>&lol2;</lolz>
            """
        XCTAssertEqual(error(laughs), XMLError(.doctypeNotAllowed, at: 21))
    }

    func testMalformedDocumentsNameTheOffset() {
        XCTAssertEqual(error("<a></b>"), XMLError(.mismatchedEndTag, at: 3))
        XCTAssertEqual(error("<a><b></a>"), XMLError(.mismatchedEndTag, at: 6))
        XCTAssertEqual(error("<a x='1' x='2'/>"), XMLError(.duplicateAttribute, at: 9))
        XCTAssertEqual(error("<a>"), XMLError(.unexpectedEnd, at: 3))
        XCTAssertEqual(error("<a/><b/>"), XMLError(.contentOutsideRoot, at: 4))
        XCTAssertEqual(error("text<a/>"), XMLError(.contentOutsideRoot, at: 0))
        XCTAssertEqual(error("   "), XMLError(.noRootElement, at: 3))
        XCTAssertEqual(error("<1a/>"), XMLError(.invalidName, at: 1))
        XCTAssertEqual(error("<a x=1/>"), XMLError(.unexpectedCharacter, at: 5))
        XCTAssertEqual(error("<a x='<'/>"), XMLError(.unexpectedCharacter, at: 6))
        XCTAssertEqual(error("<a><!-- a -- b --></a>"), XMLError(.unexpectedCharacter, at: 10))
        XCTAssertEqual(error("<a/><?xml version='1.0'?>"), XMLError(.unexpectedCharacter, at: 4))
    }

    func testInvalidUTF8() {
        for (bytes, offset) in [([UInt8], Int)]([([0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E], 3),  // bad continuation
                                ([0x3C, 0x61, 0x3E, 0xC0, 0xAF, 0x3C, 0x2F, 0x61, 0x3E], 3),  // overlong
                                ([0x3C, 0x61, 0x3E, 0xED, 0xA0, 0x80, 0x3C, 0x2F, 0x61, 0x3E], 3),  // surrogate
                                ([0x3C, 0x61, 0x3E, 0xE2, 0x82], 3)]) {  // cut sequence
            var tokenizer = XMLTokenizer(bytes)
            XCTAssertThrowsError(try tokenizer.next()) { error in
                XCTAssertEqual(error as? XMLError, XMLError(.invalidUTF8, at: offset))
            }
        }
    }

    func testLimits() {
        let small = XMLLimits(maxDepth: 3, maxElements: 5, maxAttributesPerElement: 2, maxTextLength: 8, maxNameLength: 4)
        XCTAssertEqual(error("<a><b><c><d/></c></b></a>", limits: small), XMLError(.depthExceeded(limit: 3), at: 9))
        XCTAssertEqual(error("<a><b/><b/><b/><b/><b/></a>", limits: small), XMLError(.tooManyElements(limit: 5), at: 19))
        XCTAssertEqual(error("<a x='1' y='2' z='3'/>", limits: small), XMLError(.tooManyAttributes(limit: 2), at: 15))
        XCTAssertEqual(error("<a>123456789</a>", limits: small), XMLError(.textTooLong(limit: 8), at: 3))
        XCTAssertEqual(error("<abcdef/>", limits: small), XMLError(.nameTooLong(limit: 4), at: 1))
    }

    func testHostileSizesAreRefusedQuicklyInBoundedMemory() {
        // 100 000-deep nesting: refused at the depth limit, after reading 32 tags.
        let deep = [UInt8](String(repeating: "<a>", count: 100_000).utf8)
        var tokenizer = XMLTokenizer(deep)
        var count = 0
        XCTAssertThrowsError(try { while try tokenizer.next() != nil { count += 1 } }()) { error in
            XCTAssertEqual((error as? XMLError)?.kind, .depthExceeded(limit: XMLLimits.configuration.maxDepth))
        }
        XCTAssertEqual(count, XMLLimits.configuration.maxDepth)

        // A 50 MB text node: refused at 64 KiB, offset of the text.
        var big = [UInt8]("<a>".utf8)
        big += [UInt8](repeating: UInt8(ascii: "x"), count: 50 * 1024 * 1024)
        big += [UInt8]("</a>".utf8)
        var bigTokenizer = XMLTokenizer(big)
        XCTAssertThrowsError(try { while try bigTokenizer.next() != nil {} }()) { error in
            XCTAssertEqual(error as? XMLError, XMLError(.textTooLong(limit: XMLLimits.configuration.maxTextLength), at: 3))
        }
    }

    func testEveryPrefixOfTheVectorConfigsIsATypedError() {
        for name in ["interop/plain-SEPA45630BBFA40.cnf.xml", "cucm-style/plain-SEP0CD0F8000001.cnf.xml"] {
            let bytes = Vectors.bytes(name)
            // The last byte may be a newline after the root's end tag.
            let complete = bytes.lastIndex(of: UInt8(ascii: ">"))! + 1
            for length in 0..<complete {
                var tokenizer = XMLTokenizer(Array(bytes[0..<length]))
                XCTAssertThrowsError(try { while try tokenizer.next() != nil {} }(), "\(name) cut at \(length)")
            }
        }
    }
}
