import CPhoneSec
@testable import PhoneSec
import XCTest

/// The C API's channel numbers: bounded by `PHONESEC_MAX_CHANNELS`, never 0, and a closed
/// number stays closed when its slot holds a new channel.
final class ChannelTableTests: XCTestCase {
    /// Counts the close_notify a channel was told to send.
    final class Closes { var count = 0 }
    struct StandIn: ClosableChannel {
        let name: String
        let closes: Closes
        mutating func close() { closes.count += 1 }
    }

    func testTheTableHoldsMaxChannelsAndRefusesOneMore() {
        var table = ChannelTable<StandIn>()
        let closes = Closes()
        var numbers: [UInt32] = []
        for index in 0..<Int(PHONESEC_MAX_CHANNELS) {
            XCTAssertFalse(table.isFull)
            numbers.append(try! XCTUnwrap(table.add(StandIn(name: "channel " + String(index), closes: closes))))
        }
        XCTAssertTrue(table.isFull)
        XCTAssertNil(table.add(StandIn(name: "one more", closes: closes)))
        XCTAssertFalse(numbers.contains(0), "0 is never a channel's number")
        XCTAssertEqual(Set(numbers).count, numbers.count)
        for (index, number) in numbers.enumerated() {
            XCTAssertEqual(table.with(number) { $0.channel.name }, "channel " + String(index))
        }
    }

    func testAClosedNumberStaysClosedWhenItsSlotIsReused() {
        var table = ChannelTable<StandIn>()
        let closes = Closes()
        let first = try! XCTUnwrap(table.add(StandIn(name: "first", closes: closes)))
        XCTAssertTrue(table.close(first))
        XCTAssertEqual(closes.count, 1, "closing sends close_notify")
        let second = try! XCTUnwrap(table.add(StandIn(name: "second", closes: closes)))
        XCTAssertEqual(second & 0xF, first & 0xF, "the freed slot is used again")
        XCTAssertNotEqual(second, first)
        XCTAssertNil(table.with(first) { $0.channel.name }, "the closed number reaches no channel")
        XCTAssertFalse(table.close(first), "closing a closed number again is refused")
        XCTAssertEqual(table.with(second) { $0.channel.name }, "second", "the new channel is untouched")
        XCTAssertEqual(closes.count, 1)
    }

    func testNumbersThatNameNoChannelAreRefused() {
        var table = ChannelTable<StandIn>()
        let number = try! XCTUnwrap(table.add(StandIn(name: "open", closes: Closes())))
        for stranger: UInt32 in [0, number ^ 0x10, number | 0xF, UInt32.max] {
            XCTAssertNil(table.with(stranger) { $0.channel.name }, String(stranger))
            XCTAssertFalse(table.close(stranger))
        }
    }

    func testAServerThatClosedIsNotSentCloseNotify() {
        var table = ChannelTable<StandIn>()
        let closes = Closes()
        let number = try! XCTUnwrap(table.add(StandIn(name: "closed by the server", closes: closes)))
        table.with(number) { $0.serverClosed = true }
        _ = table.add(StandIn(name: "still open", closes: closes))
        XCTAssertTrue(table.close(number))
        XCTAssertEqual(closes.count, 0)
        table.closeAll()
        XCTAssertEqual(closes.count, 1, "closeAll closes the one still open")
        XCTAssertFalse(table.isFull)
    }
}
