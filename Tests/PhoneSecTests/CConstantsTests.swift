import CPhoneSec
@testable import PhoneSec
import PhoneWire
import XCTest

/// The header's bounds are the core's: a C caller's arrays hold whatever the core keeps.
final class CConstantsTests: XCTestCase {
    func testTheServerBoundIsTheConfigurationReadersBound() {
        XCTAssertEqual(Int(PHONESEC_MAX_SERVERS), DeviceConfiguration.maxServers)
    }

    /// A channel's number keeps its slot in the low bits: every slot must fit them.
    func testEveryChannelSlotFitsTheNumbersSlotBits() {
        XCTAssertLessThanOrEqual(ChannelTable<ChannelTableTests.StandIn>.slotCount, 1 << ChannelTable<ChannelTableTests.StandIn>.slotBits)
    }
}
