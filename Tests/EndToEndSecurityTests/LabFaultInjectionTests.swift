import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

/// Power cuts and flash failures along a whole boot with enrolment: the phone's writes
/// are mic.pem, itl.tlv, lsc.pem and the encrypted flag; each is crashed before and after
/// its rename, and failed at the write and at the rename (16 points). After each fault, a fresh boot
/// finds only whole files and reaches configured, or the documented state.
final class LabFaultInjectionTests: XCTestCase {
    func testCrashAndFailAtEveryWriteOfAnEnrollingBoot() throws {
        var points = 0
        for variable in ["PHONE_TEST_CRASH_AT_WRITE", "PHONE_TEST_CRASH_AFTER_RENAME", "PHONE_TEST_FAIL_AT_WRITE",
                         "PHONE_TEST_FAIL_AT_RENAME"] {
            for write in 1...4 {
                let fixture = try LabFixture()
                defer { fixture.close() }
                try fixture.add()
                let faulted = try fixture.bootWith(environment: [variable: String(write)])
                points += 1
                let storage = PhoneStorage(directory: fixture.state)
                // Whatever is on flash parses.
                XCTAssertNil(storage.loadMIC().1, "\(variable)=\(write)")
                XCTAssertNil(storage.loadLSC().1, "\(variable)=\(write)")
                XCTAssertTrue(storage.loadTrustStore().1.isEmpty, "\(variable)=\(write)")
                if variable.contains("CRASH") { XCTAssertEqual(faulted.status, 9, "\(variable)=\(write): SIGKILL") }
                var again = try fixture.bootWith(environment: [:])
                if again.status != 0 {
                    // Documented state: the cluster issued and recorded an LSC the phone
                    // never kept (the fault hit lsc.pem), so the hashes differ and CAPF
                    // has nothing scheduled: the phone backs off and reports it. The
                    // administrator schedules the install again, as on a real cluster.
                    XCTAssertEqual(again.status, 4, "\(variable)=\(write): " + again.stderr)
                    XCTAssertTrue(again.stderr.contains("no operation scheduled"), again.stderr)
                    try fixture.add()
                    again = try fixture.bootWith(environment: [:])
                }
                XCTAssertEqual(again.status, 0, "\(variable)=\(write): " + again.stderr)
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.state).filter { $0.contains(".tmp-") }
                XCTAssertEqual(leftovers, [], "\(variable)=\(write)")
            }
        }
        XCTAssertEqual(points, 16)
    }
}
