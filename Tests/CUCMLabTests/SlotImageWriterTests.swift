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
        let path = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path
        signer = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
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

    private func fetch(_ name: String, over transport: LinuxPhonePlatform.Transport, anchor: Certificate? = nil,
                       cap: Int = 1 << 20) -> Result<WrittenImage, LoadSlotFailure> {
        let port = transport == .http ? server.httpPort : server.tftpPort
        return SlotImageWriter.fetch(name, from: .init(host: "127.0.0.1", port: port), over: transport, into: .b, of: store,
                                     anchor: ImageSigner(anchor ?? signer.certificate), cap: cap)
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
            let slot = slots.inactive()
            let staged = LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, anchor: anchor, phoneLevel: 4),
                                                on: &platform)
            XCTAssertEqual(staged, .staged(load: "SIP99.1-0-0", slot: slot, images: 2), "\(transport)")
            XCTAssertEqual(slots.marks().tryNext, slot, "\(transport)")
            let record = try XCTUnwrap(slots.record(slot), "\(transport)")
            XCTAssertEqual(record.images.map { $0.size }, contents.map { $0.count }, "\(transport)")
            try slots.markGood(slot).get()

            XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP00", server: 0, anchor: anchor, phoneLevel: 4), on: &platform),
                           .notServed("SIP00.loads"), "\(transport)")
            XCTAssertEqual(LoadUpdateRunner().run(LoadUpdateRequest(load: "SIP99.1-0-0", server: 0, anchor: anchor, phoneLevel: 5),
                                                  on: &platform),
                           .loadRefused(.hardwareLevelBelow(load: 4, phone: 5)), "\(transport)")
            XCTAssertEqual(slots.marks(), SlotStore.Marks(good: slot), "\(transport): nothing changed by a refusal")
        }
    }

}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
