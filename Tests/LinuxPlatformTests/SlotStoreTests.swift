import Foundation
@testable import LinuxPlatform
import PhoneCrypto
import PhoneWire
import XCTest

/// The A/B slots on a directory standing in for the flash: images streamed in, the record
/// last, the marks the board's init reads; a slot without its record holds no load.
final class SlotStoreTests: XCTestCase {
    var directory: String!
    var store: SlotStore!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("slots-\(UUID().uuidString)").path
        store = SlotStore(directory: directory)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func write(_ bytes: [UInt8], as name: String, in slot: SlotStore.Slot) throws {
        let file = try store.image(name, in: slot).get()
        for start in stride(from: 0, to: bytes.count, by: 1000) { try file.write(bytes[start..<min(start + 1000, bytes.count)]).get() }
        try file.commit().get()
    }

    private func files(_ slot: SlotStore.Slot) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + slot.name)) ?? []).sorted()
    }

    func testALoadIsWrittenImageByImageThenRecordedThenTried() throws {
        XCTAssertEqual(store.marks(), SlotStore.Marks(), "a factory flash: no marks")
        XCTAssertEqual(store.inactive(), .b)
        try store.clear(.b).get()
        let jar = [UInt8](repeating: 0x4A, count: 5000), dsp = [UInt8](repeating: 0x44, count: 1234)
        try write(jar, as: "jar42sip.sbn", in: .b)
        try write(dsp, as: "dsp42.sbn", in: .b)
        XCTAssertNil(store.record(.b), "no record until the last image is in")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory + "/B/jar42sip.sbn")), Data(jar))
        let record = try XCTUnwrap(SlotRecord(load: "SIP42.9-4-2SR3-1S", images: [
            .init(name: "jar42sip.sbn", size: jar.count, sha256: try Digest.hash(.sha256, jar)),
            .init(name: "dsp42.sbn", size: dsp.count, sha256: try Digest.hash(.sha256, dsp)),
        ]))
        try store.commit(record, to: .b).get()
        XCTAssertEqual(store.record(.b), record)
        XCTAssertEqual(try String(contentsOfFile: directory + "/B.record", encoding: .utf8).split(separator: "\n").first,
                       "load SIP42.9-4-2SR3-1S", "a line the init can read")

        try store.markTry(.b).get()
        XCTAssertEqual(store.marks(), SlotStore.Marks(tryNext: .b))
        XCTAssertEqual(try String(contentsOfFile: directory + "/boot", encoding: .utf8), "try B\n")
        try store.markGood(.b).get()
        XCTAssertEqual(store.marks(), SlotStore.Marks(good: .b))
        XCTAssertEqual(store.inactive(), .a, "the next update writes the other slot")
    }

    func testClearingASlotTakesItsRecordAndItsImages() throws {
        try store.clear(.a).get()
        try write([1, 2, 3], as: "a.sbn", in: .a)
        try store.commit(try XCTUnwrap(SlotRecord(load: "L1", images: [.init(name: "a.sbn", size: 3,
                                                                              sha256: try Digest.hash(.sha256, [1, 2, 3]))])),
                         to: .a).get()
        XCTAssertNotNil(store.record(.a))
        try store.clear(.a).get()
        XCTAssertNil(store.record(.a))
        XCTAssertEqual(files(.a), [])
    }

    func testAnImageNotCommittedLeavesNothing() throws {
        try store.clear(.b).get()
        do {
            let file = try store.image("cut.sbn", in: .b).get()
            try file.write([9, 9, 9]).get()
            XCTAssertEqual(files(.b).count, 1, "its temporary, while it is written")
        }
        XCTAssertEqual(files(.b), [], "dropped without a commit: neither the image nor its temporary")
    }

    func testOnlyAnImageNameIsAFileOfASlot() throws {
        try store.clear(.b).get()
        for name in ["../boot", ".hidden", "-x", "a/b", ""] {
            guard case .failure = store.image(name, in: .b) else { return XCTFail(name + " became a file") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/boot"))
    }

    func testMarksAndRecordsAreReadStrictlyWhereItMatters() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "good A\ntrying B\nsomething new\nfailed Z\n".write(toFile: directory + "/boot", atomically: true, encoding: .utf8)
        XCTAssertEqual(store.marks(), SlotStore.Marks(good: .a, trying: .b), "unknown lines and slots are ignored")
        let good = "load L\nimage a.sbn 3 " + String(repeating: "ab", count: 32) + "\n"
        for bad in ["load L\n", "image a.sbn 3 " + String(repeating: "ab", count: 32) + "\n",
                    "load L\nimage ../a 3 " + String(repeating: "ab", count: 32) + "\n",
                    "load L\nimage a.sbn 3 " + String(repeating: "zz", count: 32) + "\n",
                    "load L\nimage a.sbn x " + String(repeating: "ab", count: 32) + "\n", good + "garbage\n"] {
            try bad.write(toFile: directory + "/A.record", atomically: true, encoding: .utf8)
            XCTAssertNil(store.record(.a), bad)
        }
        try good.write(toFile: directory + "/A.record", atomically: true, encoding: .utf8)
        XCTAssertEqual(store.record(.a)?.images.first?.size, 3)
    }

    /// Only a slot holding a whole load is tried; an update never writes the slot on trial
    /// or the good one (it may be what runs); clearing a slot takes its trial marks first;
    /// marks that cannot be read are not rewritten (that would drop the good slot).
    func testTheMarksKeepTheBoardBootable() throws {
        try store.clear(.b).get()
        guard case .failure = store.markTry(.b) else { return XCTFail("a slot without its record was marked to try") }
        try write([7], as: "x.sbn", in: .b)
        try store.commit(try XCTUnwrap(SlotRecord(load: "L2", images: [.init(name: "x.sbn", size: 1, sha256: try Digest.hash(.sha256, [7]))])),
                         to: .b).get()
        try store.markTry(.b).get()
        XCTAssertEqual(store.inactive(), .b, "a load staged but not yet tried is replaced")
        try store.clear(.b).get()
        XCTAssertEqual(store.marks(), SlotStore.Marks(), "cleared: no longer to try")

        // What the init writes when it starts B on trial: A boots, B may be what runs.
        try "good A\ntrying B\n".write(toFile: directory + "/boot", atomically: true, encoding: .utf8)
        XCTAssertNil(store.inactive(), "no slot is free while a load is on trial")
        try "trying B\n".write(toFile: directory + "/boot", atomically: true, encoding: .utf8)
        XCTAssertNil(store.inactive(), "nor with no good slot behind the trial (else a trial that never confirms loops)")
        try "good A\ntrying B\n".write(toFile: directory + "/boot", atomically: true, encoding: .utf8)
        for slot in [SlotStore.Slot.a, .b] {
            guard case .failure = store.clear(slot) else { return XCTFail("cleared \(slot): the good or the tried slot") }
        }

        try store.markGood(.a).get()
        try FileManager.default.removeItem(atPath: directory + "/boot")
        try FileManager.default.createDirectory(atPath: directory + "/boot", withIntermediateDirectories: false)
        guard case .failure = store.clear(.b) else { return XCTFail("cleared over marks it could not read") }
    }

    /// A slot with a record naming `load`, one image.
    private func stage(_ load: String, in slot: SlotStore.Slot) throws {
        try store.clear(slot).get()
        try write([0x01, 0x02], as: "phone.sbn", in: slot)
        let record = try XCTUnwrap(SlotRecord(load: load, images: [
            .init(name: "phone.sbn", size: 2, sha256: try Digest.hash(.sha256, [0x01, 0x02])),
        ]))
        try store.commit(record, to: slot).get()
    }

    /// The running load that reached configured is the good one only when it is the load on
    /// trial; a failed trial's load is remembered while the marks say so.
    func testTheLoadOnTrialConfirmsItselfAndAFailedOneIsRemembered() throws {
        try stage("SIP2", in: .b)
        try store.markGood(.a).get()
        try store.markTry(.b).get()
        XCTAssertEqual(try store.confirm(running: "SIP2").get(), false, "tried at the next power-on: not yet trying")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("good A\ntrying B\n".utf8).write(to: URL(fileURLWithPath: directory + "/boot"))
        XCTAssertEqual(try store.confirm(running: "SIP1").get(), false, "another load runs: the recovery copy, say")
        XCTAssertEqual(store.marks(), SlotStore.Marks(good: .a, trying: .b))
        XCTAssertEqual(try store.confirm(running: "SIP2").get(), true)
        XCTAssertEqual(store.marks(), SlotStore.Marks(good: .b))

        XCTAssertNil(store.failedLoad())
        try Data("good B\nfailed A\n".utf8).write(to: URL(fileURLWithPath: directory + "/boot"))
        XCTAssertNil(store.failedLoad(), "a failed slot without a record names no load")
        try stage("SIP3", in: .a)
        try Data("good B\nfailed A\n".utf8).write(to: URL(fileURLWithPath: directory + "/boot"))
        XCTAssertEqual(store.failedLoad(), "SIP3")
    }

    func testARecordNamesALoadAndItsImagesAsFileNames() throws {
        let image = SlotRecord.Image(name: "a.sbn", size: 1, sha256: [UInt8](repeating: 0xAB, count: 32))
        XCTAssertNotNil(SlotRecord(load: "SIP42.9-4-2SR3-1S", images: [image]))
        for load in ["SIP 42", "SIP\nimage b.sbn 1 00", "../SIP", "", String(repeating: "A", count: 64)] {
            XCTAssertNil(SlotRecord(load: load, images: [image]), load)
        }
        XCTAssertNil(SlotRecord(load: "L", images: []))
        XCTAssertNil(SlotRecord(load: "L", images: [image, image]), "an image listed twice")
    }
}
