@testable import CUCMLab
import Foundation
import HostProcess
import LabSupport
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import TestSupport
import XCTest

/// `phone boot --slots` against the lab: a device the lab names a load for stages it in the
/// inactive slot and ends asking for the board's reset (exit 7); a load nobody serves is one
/// event and the phone is configured (exit 0); without `--slots` nothing is looked for.
final class LoadUpdateLabTests: XCTestCase {
    var fixture: LabFixture!
    var slots: String { fixture.work.appendingPathComponent("slots").path }
    let images: [[UInt8]] = [(0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }, [0x42]]

    override func setUpWithError() throws {
        fixture = try LabFixture()
        let signer = try Vectors.imageSigner()
        let directory = fixture.work.appendingPathComponent("lab")
        let files = [directory.appendingPathComponent("kern99.1-0-0"), directory.appendingPathComponent("root99.1-0-0")]
        for (url, bytes) in zip(files, images) { try Data(bytes).write(to: url) }
        _ = try Lab.addLoad("SIP99.1-0-0", images: files, signer: signer, hardwareLevel: 4, in: directory)
    }

    override func tearDownWithError() throws { fixture.close() }

    /// The lab's device, non-secure (no CAPF on the way), naming `load`.
    func name(load: String) throws {
        try fixture.add(profile: .nonSecure)
        var device = try XCTUnwrap(try fixture.lab.devices.device(fixture.device))
        device.load = load
        try fixture.lab.devices.upsert(device)
    }

    /// `phone boot --slots DIRECTORY --json` (the test's slots by default), ending with
    /// `status`: its JSON lines, the last one the result.
    func bootWithSlots(_ directory: String? = nil, status: Int32, _ context: String = "") throws -> [[String: Any]] {
        let run = try fixture.boot(["--slots", directory ?? slots, "--json"])
        XCTAssertEqual(run.status, status, context + ": " + run.stderr + run.stdout)
        return try run.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    /// The first event `name` among a boot's JSON lines.
    func event(_ name: String, in lines: [[String: Any]]) throws -> [String: Any] {
        try XCTUnwrap(lines.first { $0["event"] as? String == name }, "no \(name) event in \(lines)")
    }

    func testALoadTheLabNamesIsStagedAndTheBoardAskedToReset() throws {
        try name(load: "SIP99.1-0-0")
        let lines = try bootWithSlots(status: 7)
        let staged = try event("loadStaged", in: lines)
        XCTAssertEqual(staged["load"] as? String, "SIP99.1-0-0")
        XCTAssertEqual(staged["images"] as? Int, 2)
        let slotName = try XCTUnwrap(staged["slot"] as? String)
        let result = try XCTUnwrap(lines.last)
        XCTAssertEqual(result["result"] as? String, "loadStaged")
        XCTAssertEqual(result["slot"] as? String, slotName)

        let store = SlotStore(directory: slots)
        let slot = try XCTUnwrap(slotName == "A" ? LoadSlot.a : slotName == "B" ? .b : nil)
        XCTAssertEqual(store.marks().tryNext, slot)
        let record = try XCTUnwrap(store.record(slot))
        XCTAssertEqual(record.load, "SIP99.1-0-0")
        XCTAssertEqual(record.images.map { $0.size }, images.map { $0.count })
        for (image, bytes) in zip(record.images, images) {
            XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: slots + "/" + slotName + "/" + image.name))), bytes)
        }
    }

    /// Real clusters name loads nobody serves: the phone boots exactly as before, plus one
    /// event, and no slot is touched.
    func testALoadNobodyServesKeepsTheRunningLoad() throws {
        try name(load: "SIP11.0-0-0")
        let lines = try bootWithSlots(status: 0)
        let kept = try event("loadNotStaged", in: lines)
        XCTAssertEqual(kept["cause"] as? String, "the cluster does not serve SIP11.0-0-0.loads")
        XCTAssertEqual(lines.last?["result"] as? String, "configured")
        XCTAssertEqual(SlotStore(directory: slots).marks(), SlotStore.Marks())
        let console = try fixture.boot(["--slots", slots])
        XCTAssertEqual(console.status, 0, console.stderr)
        XCTAssertTrue(console.stderr.contains("LOAD: SIP11.0-0-0 not staged: the cluster does not serve SIP11.0-0-0.loads; "
                                              + "keeping the running load"), console.stderr)
    }

    /// What the board's init leaves on the flash: `marks` in the boot file, and slot records.
    func flash(marks: String, records: [(String, String)]) throws {
        try FileManager.default.createDirectory(atPath: slots, withIntermediateDirectories: true)
        try Data(marks.utf8).write(to: URL(fileURLWithPath: slots + "/boot"))
        for (slot, load) in records {
            let record = "load " + load + "\nimage phone.sbn 1 " + String(repeating: "0", count: 64) + "\n"
            try Data(record.utf8).write(to: URL(fileURLWithPath: slots + "/" + slot + ".record"))
        }
    }

    /// The running load on trial reaches configured and marks itself good before the update
    /// it is named starts, which then writes the other slot; a load that failed its trial is
    /// not fetched again, and every boot says why.
    func testATrialEndsGoodAndAFailedLoadIsNotFetchedAgain() throws {
        try name(load: "SIP99.1-0-0")
        try flash(marks: "good B\ntrying A\n", records: [("A", "phonesec-dev"), ("B", "SIP42.0")])
        _ = try bootWithSlots(status: 7, "the trial")
        XCTAssertEqual(SlotStore(directory: slots).marks(), SlotStore.Marks(good: .a, tryNext: .b))
        XCTAssertEqual(SlotStore(directory: slots).record(.b)?.load, "SIP99.1-0-0")

        try flash(marks: "good A\nfailed B\n", records: [("A", "phonesec-dev"), ("B", "SIP99.1-0-0")])
        let asked = fixture.labLog.components(separatedBy: "SIP99.1-0-0.loads").count
        let kept = try event("loadNotStaged", in: try bootWithSlots(status: 0, "the failed load named"))
        XCTAssertEqual(kept["cause"] as? String,
                       "SIP99.1-0-0 failed its trial on this phone (it never reached configured): the cluster must name another load")
        XCTAssertEqual(fixture.labLog.components(separatedBy: "SIP99.1-0-0.loads").count, asked, "not asked for again")
        XCTAssertEqual(SlotStore(directory: slots).marks(), SlotStore.Marks(good: .a, failed: .b))
        let status = try fixture.phone(["status", "--state", fixture.state, "--slots", slots, "--json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], status.stdout)
        let shown = try XCTUnwrap(object["slots"] as? [String: String], status.stdout)
        XCTAssertEqual(shown, ["running": "phonesec-dev", "good": "A", "failed": "B", "A": "phonesec-dev", "B": "SIP99.1-0-0"])
    }

    /// The lab's evil load rows through the whole boot (`phone boot --slots`): each refused
    /// with its cause named in `loadNotStaged`, the phone configured on its running load,
    /// no slot record written, no mark changed.
    func testEveryLoadAttackThroughTheBootKeepsTheRunningLoad() throws {
        let signer = try Vectors.imageSigner()
        let other = fixture.work.appendingPathComponent("lab/cnu98")
        try Data([0x0C, 0x0E]).write(to: other)
        _ = try Lab.addLoad("SIP98.0-0-0", images: [other], signer: signer, hardwareLevel: 4, in: fixture.work.appendingPathComponent("lab"))
        try name(load: "SIP99.1-0-0")
        let expected: [(Attack, String)] = [
            (.loadSignedByTFTP, "not signed by the image-signing certificate"),
            (.loadUnknownSigner, "not signed by the image-signing certificate"),
            (.loadOtherName, "filename mismatch: served as SIP99.1-0-0.loads, header says SIP98.0-0-0.loads"),
            (.loadImageMissing, "the cluster does not serve the image "),
            (.loadImageSwapped, "an image: filename mismatch"),
            (.loadImageTruncated, "an image: not signed by the image-signing certificate"),
            (.loadImageFlipped, "an image: not signed by the image-signing certificate"),
            (.loadImageEndless, "-byte cap"),
        ]
        XCTAssertEqual(Set(expected.map { $0.0.rawValue }), Set(Attack.allCases.filter { $0.isLoad }.map { $0.rawValue }))
        for (attack, cause) in expected {
            fixture.lab.attack = attack
            let directory = slots + "-" + attack.rawValue
            let lines = try bootWithSlots(directory, status: 0, attack.rawValue)
            let kept = try event("loadNotStaged", in: lines)
            XCTAssertTrue((kept["cause"] as? String)?.contains(cause) == true, attack.rawValue + ": \(kept)")
            XCTAssertEqual(lines.last?["result"] as? String, "configured", attack.rawValue)
            let store = SlotStore(directory: directory)
            XCTAssertNil(store.record(.a), attack.rawValue)
            XCTAssertNil(store.record(.b), attack.rawValue)
            XCTAssertEqual(store.marks(), SlotStore.Marks(), attack.rawValue + ": no mark")
        }
        fixture.lab.attack = nil
    }

    func testWithoutSlotsNoLoadIsLookedFor() throws {
        try name(load: "SIP99.1-0-0")
        let run = try fixture.boot(["--json"])
        XCTAssertEqual(run.status, 0, run.stderr + run.stdout)
        XCTAssertFalse(run.stdout.contains("SIP99.1-0-0.loads"), run.stdout)
        XCTAssertFalse(fixture.labLog.contains("SIP99.1-0-0.loads"), fixture.labLog)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slots))
    }
}
