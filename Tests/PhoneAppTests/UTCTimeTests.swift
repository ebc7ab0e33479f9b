import Foundation
import LinuxPlatform
import PhoneApp
import PhoneWire
import TestSupport
import XCTest

final class UTCTimeTests: XCTestCase {
    func testInspectPrintsUTC() throws {
        // 0x6b0b84fc in ITLFile.tlv is 2026-11-29 01:50:52 UTC (the reference's reading).
        let io = CapturingIO()
        _ = PhoneProgram.run(["inspect", Vectors.url("interop/ITLFile.tlv").path], io: io)
        XCTAssertTrue(io.text.contains("Timestamp:         2026-11-29 01:50:52\n"))
    }
}
