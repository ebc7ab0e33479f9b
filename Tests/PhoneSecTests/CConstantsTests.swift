import CPhoneSec
import PhoneWire
import XCTest

/// The header's bounds are the core's: a C caller's arrays hold whatever the core keeps.
final class CConstantsTests: XCTestCase {
    func testTheServerBoundIsTheConfigurationReadersBound() {
        XCTAssertEqual(Int(PHONESEC_MAX_SERVERS), DeviceConfiguration.maxServers)
    }
}
