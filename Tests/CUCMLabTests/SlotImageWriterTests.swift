@testable import CUCMLab
import Foundation
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// A load's images fetched from the lab into a slot as they arrive, over HTTP and TFTP:
/// each file the image's bytes with the record's size and SHA-256, and a refused image
/// (another anchor, over its cap, not served) leaves nothing in the slot.
final class SlotImageWriterTests: XCTestCase {
    var directory: URL!
    var server: LabServer!
    var store: SlotStore!
    let contents: [[UInt8]] = [(0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }, [0x01, 0x02, 0x03]]
    var signer: Identity!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("slot-writer-\(UUID().uuidString)")
        try Lab.initialise(directory)
        signer = try Vectors.imageSigner()
        let images = [directory.appendingPathComponent("jar99.1-0-0"), directory.appendingPathComponent("dsp99.1-0-0")]
        for (url, bytes) in zip(images, contents) { try Data(bytes).write(to: url) }
        _ = try Lab.addLoad("SIP99.1-0-0", images: images, signer: signer, hardwareLevel: 4, in: directory)
        server = try LabServer(lab: try Lab(directory, log: { _ in }), host: "127.0.0.1", tftpPort: 0, httpPort: 0, capfPort: 0)
        server.start()
        store = SlotStore(directory: directory.appendingPathComponent("slots").path)
        try store.clear(.b).get()
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// One image through the runner's check into slot B of `store`, as an update fetches it.
    private func fetch(_ name: String, over transport: LinuxPhonePlatform.Transport, anchor: Certificate? = nil,
                       cap: Int = 1 << 20) -> Result<WrittenImage, LoadSlotFailure> {
        let port = transport == .http ? server.httpPort : server.tftpPort
        var platform = LinuxPhonePlatform(servers: [.init(host: "127.0.0.1", port: port)], transport: transport,
                                          storage: PhoneStorage(directory: directory.appendingPathComponent("state").path)) { _, _ in }
        platform.slots = store
        let request = LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, LoadUpdateSettings(anchor: ImageSigner(anchor ?? signer.certificate), hardwareLevel: 1, imageCap: cap))
        return LoadUpdateRunner().image(name, request, into: .b, on: &platform)
    }

    private var slotFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.directory + "/B")) ?? []).sorted()
    }

    func testImagesStreamIntoTheSlotOverHTTPAndTFTP() throws {
        for transport in [LinuxPhonePlatform.Transport.http, .tftp] {
            try store.clear(.b).get()
            for (name, expected) in zip(["jar99.1-0-0.sbn", "dsp99.1-0-0.sbn"], contents) {
                let image = try fetch(name, over: transport).get()
                XCTAssertEqual(image.size, expected.count, name)
                XCTAssertEqual(image.sha256, try Digest.hash(.sha256, expected), name)
                XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: store.directory + "/B/" + name))), expected, name)
            }
            XCTAssertEqual(slotFiles, ["dsp99.1-0-0.sbn", "jar99.1-0-0.sbn"], "\(transport): the images, no temporary")
        }
    }

    func testARefusedImageLeavesNothingInTheSlot() throws {
        for transport in [LinuxPhonePlatform.Transport.http, .tftp] {
            let cluster = try Lab(directory, log: { _ in }).tftp.certificate
            guard case .failure(.image(.notSignedByTheAnchor)) = fetch("jar99.1-0-0.sbn", over: transport, anchor: cluster) else {
                return XCTFail("\(transport): the cluster's key is no image-signing key")
            }
            XCTAssertEqual(slotFiles, [], "\(transport)")
            XCTAssertEqual(fetch("jar99.1-0-0.sbn", over: transport, cap: 100_000).failure,
                           .image(.tooLarge(name: "jar99.1-0-0.sbn", cap: 100_000)), "\(transport)")
            XCTAssertEqual(slotFiles, [], "\(transport)")
            XCTAssertEqual(fetch("nothing.sbn", over: transport).failure, .imageNotFound("nothing.sbn"), "\(transport)")
            XCTAssertEqual(slotFiles, [], "\(transport)")
        }
    }

    /// A whole update on the Linux board's platform: the `.loads` fetched and accepted,
    /// every image streamed into the inactive slot, the record, the mark to try; a load the
    /// lab does not serve, or one below the phone's hardware level, changes nothing.
    func testALoadIsStagedInTheInactiveSlot() throws {
        let slots = SlotStore(directory: directory.appendingPathComponent("board-slots").path)
        for transport in [LinuxPhonePlatform.Transport.http, .tftp] {
            let port = transport == .http ? server.httpPort : server.tftpPort
            let state = directory.appendingPathComponent("state").path
            var platform = LinuxPhonePlatform(servers: [.init(host: "127.0.0.1", port: port)], transport: transport,
                                              storage: PhoneStorage(directory: state)) { _, _ in }
            platform.slots = slots
            let anchor = ImageSigner(signer.certificate)
            let slot = try XCTUnwrap(slots.inactive())
            let staged = LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 4)),
                                                on: &platform)
            XCTAssertEqual(staged, .staged(load: "SIP99.1-0-0", slot: slot, images: 2), "\(transport)")
            XCTAssertEqual(slots.marks().tryNext, slot, "\(transport)")
            let record = try XCTUnwrap(slots.record(slot), "\(transport)")
            XCTAssertEqual(record.images.map { $0.size }, contents.map { $0.count }, "\(transport)")
            try slots.markGood(slot).get()

            XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP00", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 4)), on: &platform),
                           .notStaged(.notServed("SIP00.loads")), "\(transport)")
            XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 5)),
                                                  on: &platform),
                           .notStaged(.loadRefused(.hardwareLevelBelow(load: 4, phone: 5))), "\(transport)")
            XCTAssertEqual(slots.marks(), SlotStore.Marks(good: slot), "\(transport): nothing changed by a refusal")
        }
    }


    /// The evil rows of an update: each refused with its cause named, no slot staged, the
    /// marks as they were (the running load unchanged). Over HTTP and TFTP.
    func testEveryLoadAttackIsRefusedWithItsCause() throws {
        // A second load, for the attacks that serve one load as another.
        let other = directory.appendingPathComponent("cnu98")
        try Data([0x0C, 0x0E]).write(to: other)
        _ = try Lab.addLoad("SIP98.0-0-0", images: [other], signer: signer, hardwareLevel: 4, in: directory)
        let lab = try Lab(directory, log: { _ in })
        let evil = try LabServer(lab: lab, host: "127.0.0.1", tftpPort: 0, httpPort: 0, capfPort: 0)
        evil.start()
        defer { evil.stop() }
        let anchor = ImageSigner(signer.certificate)
        let expected: [(Attack, (LoadUpdateResult) -> Bool)] = [
            (.loadSignedByTFTP, { if case .notStaged(.loadRefused(.notSignedByTheAnchor)) = $0 { return true } else { return false } }),
            (.loadUnknownSigner, { if case .notStaged(.loadRefused(.notSignedByTheAnchor)) = $0 { return true } else { return false } }),
            (.loadOtherName, { $0 == .notStaged(.loadRefused(.filenameMismatch(served: "SIP99.1-0-0.loads", inFile: "SIP98.0-0-0.loads"))) }),
            (.loadImageMissing, { $0 == .notStaged(.slotFailed(.imageNotFound("jar99.1-0-0.sbn"))) }),
            (.loadImageSwapped, { if case .notStaged(.slotFailed(.image(.filenameMismatch))) = $0 { return true } else { return false } }),
            (.loadImageTruncated, { if case .notStaged(.slotFailed(.image(.notSignedByTheAnchor))) = $0 { return true } else { return false } }),
            (.loadImageFlipped, { if case .notStaged(.slotFailed(.image(.notSignedByTheAnchor))) = $0 { return true } else { return false } }),
            // HTTP announces 2 GB: refused before a byte (the TFTP row is below).
            (.loadImageEndless, { $0 == .notStaged(.slotFailed(.image(.tooLarge(name: "jar99.1-0-0.sbn", cap: 1_000_000)))) }),
        ]
        XCTAssertEqual(Set(expected.map { $0.0.rawValue }), Set(Attack.allCases.filter { $0.isLoad }.map { $0.rawValue }), "every load attack")
        let slots = SlotStore(directory: directory.appendingPathComponent("evil-slots").path)
        try slots.markGood(.a).get()
        for transport in [LinuxPhonePlatform.Transport.http, .tftp] {
            let port = transport == .http ? evil.httpPort : evil.tftpPort
            for (attack, refused) in expected {
                lab.attack = attack
                var platform = LinuxPhonePlatform(servers: [.init(host: "127.0.0.1", port: port)], transport: transport,
                                                  storage: PhoneStorage(directory: directory.appendingPathComponent("state").path)) { _, _ in }
                platform.slots = slots
                let result = LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 1, imageCap: 1_000_000)), on: &platform)
                if attack == .loadImageEndless, transport == .tftp {
                    // Garbage blocks without end: cut where no header can parse (16 KiB).
                    guard case .notStaged(.slotFailed(.image(.malformed(.header)))) = result else { return XCTFail("endless over TFTP: \(result)") }
                } else {
                    XCTAssertTrue(refused(result), attack.rawValue + " over \(transport): \(result)")
                }
                XCTAssertNil(slots.record(.b), attack.rawValue + " over \(transport): no record")
                XCTAssertEqual(slots.marks(), SlotStore.Marks(good: .a), attack.rawValue + " over \(transport): the marks unchanged")
            }
        }
        lab.attack = nil
    }

    /// The rows the lab needs no attack for: a load below the phone's hardware level, and one
    /// listing 10 000 images (signed by the anchor: the bound is the parser's, not the signature's).
    func testALoadBelowThePhonesLevelOrListingTenThousandImagesIsRefused() throws {
        let anchor = ImageSigner(signer.certificate)
        let names = (0..<10_000).map { "i" + String($0) + ".sbn" }.joined(separator: "\r\n")
        let many = try SignedFileWriter.signedConfig(Array(("#HARDWARE_COMP_1 4\r\n" + names + "\r\n").utf8), filename: "MANY.loads",
                                                     signer: signer, timestamp: 0, rng: testRNG())
        try Data(many).write(to: Lab.loadsDirectory(in: directory).appendingPathComponent("MANY.loads"))
        var platform = LinuxPhonePlatform(servers: [.init(host: "127.0.0.1", port: server.httpPort)], transport: .http,
                                          storage: PhoneStorage(directory: directory.appendingPathComponent("state").path)) { _, _ in }
        platform.slots = store
        // 10 000 names are over the body's 16 KiB before they are over 32 images.
        XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "MANY", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 1)), on: &platform),
                       .notStaged(.loadRefused(.malformed(.bodyTooLong(limit: LoadFile.maximumBodyLength)))))
        let thirtyThree = (0..<33).map { "i" + String($0) + ".sbn" }.joined(separator: "\r\n")
        let over = try SignedFileWriter.signedConfig(Array(("#HARDWARE_COMP_1 4\r\n" + thirtyThree + "\r\n").utf8), filename: "OVER.loads",
                                                     signer: signer, timestamp: 0, rng: testRNG())
        try Data(over).write(to: Lab.loadsDirectory(in: directory).appendingPathComponent("OVER.loads"))
        XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "OVER", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 1)), on: &platform),
                       .notStaged(.loadRefused(.malformed(.tooManyImages(limit: LoadFile.maximumImages)))))
        XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, LoadUpdateSettings(anchor: anchor, hardwareLevel: 5)), on: &platform),
                       .notStaged(.loadRefused(.hardwareLevelBelow(load: 4, phone: 5))))
        XCTAssertNil(store.record(.b))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
