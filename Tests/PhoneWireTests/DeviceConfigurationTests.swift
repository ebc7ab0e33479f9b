@testable import PhoneWire
import TestSupport
import XCTest

final class DeviceConfigurationTests: XCTestCase {
    private func body(_ path: String) throws -> [UInt8] {
        let file = try SignedFile.parse(Vectors.bytes(path))
        return Array(file[file.body])
    }

    func testInteropFullConfiguration() throws {
        let config = try DeviceConfiguration.parse(Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))
        XCTAssertEqual(config.fullConfig, true)
        XCTAssertFalse(config.isPartial)
        XCTAssertFalse(config.encrConfig)
        XCTAssertNil(config.certHash)
        XCTAssertEqual(config.capfAuthMode, .automatic)
        XCTAssertEqual(config.capfServers, [.init(host: "127.0.0.1", port: 3804)])
        XCTAssertEqual(config.loadInformation, "SIP75.9-3-1SR2-1S")
        XCTAssertEqual(config.ipAddressMode, 0)
        XCTAssertEqual(config.callManagers.map(\.host), ["127.0.0.1", "cucm-sub1.example.test"])
        XCTAssertEqual(config.callManagers.map(\.priority), [0, 1])
        XCTAssertEqual(config.callManagers[0].port("sipPort"), 5060)
        XCTAssertEqual(config.callManagers[0].port("securedSipPort"), 5061)
        XCTAssertEqual(config.callManagers[0].port("ethernetPhonePort"), 2000)
        XCTAssertEqual(config.tvsServers, [.init(host: "127.0.0.1", port: 2445)])
        XCTAssertEqual(config.deviceSecurityMode, 3)
        XCTAssertEqual(config.transportLayerProtocol, 4)
        XCTAssertEqual(config.versionStamp, "1732846541-7d3c6a4e-2ad1-4b6e-9d8e-1f2a3b4c5d6e")
    }

    func testInteropPartialConfiguration() throws {
        let config = try DeviceConfiguration.parse(body("interop/partial-SEPA45630BBFA40.cnf.xml.sgn"))
        XCTAssertTrue(config.isPartial)
        XCTAssertTrue(config.encrConfig)
        XCTAssertEqual(config.certHash, Vectors.text("interop/phone-mic.md5").trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(config.capfServers, [.init(host: "127.0.0.1", port: 3804)])
        XCTAssertEqual(config.loadInformation, "SIP75.9-3-1SR2-1S")
    }

    func testCUCMStyleConfigurations() throws {
        let partial = try DeviceConfiguration.parse(body("cucm-style/partial-SEP0CD0F8000001.cnf.xml.sgn"))
        XCTAssertEqual(partial.fullConfig, false)
        XCTAssertEqual(partial.encrConfig, true)
        // Upper-case in the file, folded for comparison.
        XCTAssertEqual(partial.certHash, "56070b67898be069c8f59540b8bd89f0")
        XCTAssertEqual(partial.certHash, Vectors.text("cucm-style/phone-mic.md5").trimmingCharacters(in: .whitespacesAndNewlines))

        let full = try DeviceConfiguration.parse(Vectors.bytes("cucm-style/plain-SEP0CD0F8000001.cnf.xml"))
        XCTAssertEqual(full.fullConfig, true)
        XCTAssertEqual(full.certHash, "")
        XCTAssertEqual(full.callManagers.map(\.host), ["127.0.0.1", "cucm-sub1.lab.test", "cucm-sub2.lab.test"])
        XCTAssertEqual(full.callManagers[0].ports.map(\.name), ["ethernetPhonePort", "sipPort", "securedSipPort"])
        XCTAssertEqual(full.tvsServers.count, 1)
        XCTAssertEqual(full.loadInformation, "sip88xx.14-2-1-0101-14")
    }

    func testPriorityOrderAndDefaults() throws {
        let xml = """
            <device><capfList><capf><processNodeName>b</processNodeName></capf>\
            <capf><processNodeName>c</processNodeName><phonePort>4000</phonePort></capf></capfList>\
            <devicePool><callManagerGroup><members>\
            <member priority="2"><callManager><processNodeName>two</processNodeName></callManager></member>\
            <member priority="0"><callManager><processNodeName>zero</processNodeName></callManager></member>\
            </members></callManagerGroup></devicePool>\
            <TVS><members><member><address>tvs</address></member></members></TVS></device>
            """
        let config = try DeviceConfiguration.parse(Array(xml.utf8))
        XCTAssertEqual(config.capfServers, [.init(host: "b", port: 3804), .init(host: "c", port: 4000)])
        XCTAssertEqual(config.callManagers.map(\.host), ["zero", "two"])
        XCTAssertEqual(config.tvsServers, [.init(host: "tvs", port: 2445)])
        XCTAssertNil(config.fullConfig)
        XCTAssertFalse(config.isPartial)
    }

    /// Lowest priority first; equal priorities keep the document's order (a stable sort).
    func testSortByPriorityIsStable() {
        var items = [(3, "a"), (1, "b"), (3, "c"), (0, "d"), (1, "e"), (3, "f")]
        ConfigurationParser.sortByPriority(&items) { $0.0 }
        XCTAssertEqual(items.map(\.1), ["d", "b", "e", "a", "c", "f"])
        var none: [(Int, String)] = []
        ConfigurationParser.sortByPriority(&none) { $0.0 }
        XCTAssertTrue(none.isEmpty)
    }

    /// TVS members are asked lowest `priority` first, as CUCM writes them (formats.md §4);
    /// an empty priority is 0, a priority that is not a number is a typed error.
    func testTVSMembersInPriorityOrder() throws {
        let xml = """
            <device><TVS><members>\
            <member priority="1"><port>2446</port><address>second</address></member>\
            <member priority=""><port>2445</port><address>first</address></member>\
            <member priority="2"><address>third</address></member>\
            </members></TVS></device>
            """
        let config = try DeviceConfiguration.parse(Array(xml.utf8))
        XCTAssertEqual(config.tvsServers, [.init(host: "first", port: 2445, priority: 0), .init(host: "second", port: 2446, priority: 1),
                                           .init(host: "third", port: 2445, priority: 2)])
        XCTAssertThrowsError(try DeviceConfiguration.parse(Array("<device><TVS><members><member priority=\"x\"><address>a</address></member></members></TVS></device>".utf8))) {
            XCTAssertEqual($0 as? ConfigError, .invalidValue(element: "member", offset: 40))
        }
    }

    func testBadValuesAreTypedErrors() {
        func error(_ xml: String) -> ConfigError? {
            do {
                _ = try DeviceConfiguration.parse(Array(xml.utf8))
                return nil
            } catch {
                return error as? ConfigError
            }
        }
        XCTAssertEqual(error("<phone/>"), .notADeviceConfiguration)
        // Offsets name the element: the first byte of its start tag's name.
        XCTAssertEqual(error("<device><fullConfig>maybe</fullConfig></device>"), .invalidValue(element: "fullConfig", offset: 9))
        XCTAssertEqual(error("<device><certHash>xyz</certHash></device>"), .invalidValue(element: "certHash", offset: 9))
        XCTAssertEqual(error("<device><certHash></certHash><certHash></certHash></device>"),
                       .duplicateElement(element: "certHash", offset: 30))
        XCTAssertEqual(error("<device><capfList><capf><processNodeName>a</processNodeName><phonePort>70000</phonePort></capf></capfList></device>"),
                       .invalidValue(element: "phonePort", offset: 61))
        let many = "<device><capfList>" + String(repeating: "<capf><processNodeName>a</processNodeName></capf>", count: 17)
            + "</capfList></device>"
        XCTAssertEqual(error(many), .tooManyEntries(element: "capf", limit: 16))
        XCTAssertEqual(error("<device><a>"), .xml(XMLError(.unexpectedEnd, at: 11)))
    }

    /// What a production CUCM writes for values it has not set: absent, not malformed.
    func testEmptyValuesThatDecideNothingAreAbsent() throws {
        let xml = """
            <device xsi:type="axl:XIPPhone"><loadInformation></loadInformation><ipAddressMode> </ipAddressMode>\
            <deviceSecurityMode></deviceSecurityMode><transportLayerProtocol/><versionStamp></versionStamp>\
            <capfAuthMode>0</capfAuthMode><capfList><capf><phonePort>3804</phonePort><processNodeName></processNodeName></capf>\
            <capf><phonePort></phonePort><processNodeName>capf2</processNodeName></capf></capfList>\
            <devicePool><callManagerGroup><members>\
            <member priority=""><callManager><ports><sipPort></sipPort><securedSipPort>5061</securedSipPort></ports>\
            <processNodeName>cm</processNodeName></callManager></member>\
            <member priority="1"><callManager><processNodeName></processNodeName></callManager></member>\
            </members></callManagerGroup></devicePool>\
            <TVS><members><member><port></port><address>tvs</address></member><member><address/></member></members></TVS>\
            <certHash></certHash></device>
            """
        let config = try DeviceConfiguration.parse(Array(xml.utf8))
        XCTAssertNil(config.loadInformation)
        XCTAssertNil(config.ipAddressMode)
        XCTAssertNil(config.deviceSecurityMode)
        XCTAssertNil(config.transportLayerProtocol)
        XCTAssertNil(config.versionStamp)
        // The CAPF entry without an address names no server; the empty port is the default.
        XCTAssertEqual(config.capfServers, [.init(host: "capf2", port: 3804)])
        XCTAssertEqual(config.callManagers.count, 1)
        XCTAssertEqual(config.callManagers[0].priority, 0)
        XCTAssertEqual(config.callManagers[0].ports.map(\.name), ["securedSipPort"])
        XCTAssertEqual(config.tvsServers, [.init(host: "tvs", port: 2445)])
        XCTAssertEqual(config.certHash, "")
    }

    func testOnlyAnEmptyCAPFAddressNamesNoServer() throws {
        let xml = "<device><capfList><capf><phonePort>3804</phonePort><processNodeName></processNodeName></capf></capfList></device>"
        XCTAssertEqual(try DeviceConfiguration.parse(Array(xml.utf8)).capfServers, [])
    }

    /// The four values a security decision rests on stay strict: empty or repeated is refused.
    func testDecisiveValuesStayStrict() {
        func error(_ inner: String) -> ConfigError? {
            do {
                _ = try DeviceConfiguration.parse(Array(("<device>" + inner + "</device>").utf8))
                return nil
            } catch {
                return error as? ConfigError
            }
        }
        XCTAssertEqual(error("<encrConfig></encrConfig>"), .invalidValue(element: "encrConfig", offset: 9))
        XCTAssertEqual(error("<fullConfig> </fullConfig>"), .invalidValue(element: "fullConfig", offset: 9))
        XCTAssertEqual(error("<capfAuthMode></capfAuthMode>"), .invalidValue(element: "capfAuthMode", offset: 9))
        XCTAssertEqual(error("<encrConfig>false</encrConfig><encrConfig>true</encrConfig>"),
                       .duplicateElement(element: "encrConfig", offset: 39))
        XCTAssertEqual(error("<capfAuthMode>0</capfAuthMode><capfAuthMode>1</capfAuthMode>"),
                       .duplicateElement(element: "capfAuthMode", offset: 39))
        XCTAssertEqual(error("<fullConfig>false</fullConfig><fullConfig>true</fullConfig>"),
                       .duplicateElement(element: "fullConfig", offset: 39))
        // Present but not what the element holds is still an error, decisive or not.
        XCTAssertEqual(error("<ipAddressMode>v4</ipAddressMode>"), .invalidValue(element: "ipAddressMode", offset: 9))
        XCTAssertEqual(error("<capfList><capf><processNodeName>" + String(repeating: "a", count: 256)
                             + "</processNodeName></capf></capfList>"),
                       .invalidValue(element: "processNodeName", offset: 25))
        XCTAssertEqual(error("<DOCTYPE/>"), nil, "an element named DOCTYPE is just an unknown element")
        XCTAssertEqual(error("<!DOCTYPE device []>"), .xml(XMLError(.doctypeNotAllowed, at: 8)))
    }

    func testARepeatedInformationalValueKeepsTheFirst() throws {
        let xml = "<device><loadInformation>first</loadInformation><loadInformation>second</loadInformation></device>"
        XCTAssertEqual(try DeviceConfiguration.parse(Array(xml.utf8)).loadInformation, "first")
    }

    func testSecretsAreNotInTheModel() throws {
        let config = try DeviceConfiguration.parse(Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))
        let dumped = "\(config)"
        XCTAssertFalse(dumped.contains("S3cret"))
        XCTAssertFalse(dumped.contains("p@ss"))
    }
}
