import Foundation
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The update's order, on a scripted platform: nothing is written before the load is
/// accepted, every image before the slot is staged, and nothing staged when one image fails.
final class LoadUpdateRunnerTests: XCTestCase {
    struct World: FileTransport, LoadSlots {
        var files: [String: [UInt8]] = [:]
        var failingImage: String?
        var calls: [String] = []

        mutating func fetch(_ name: String, server: Int) -> FetchResult {
            calls.append("fetch " + name)
            return files[name].map { .file($0) } ?? .notFound
        }

        mutating func clearInactiveSlot() -> Result<LoadSlot, LoadSlotFailure> {
            calls.append("clear")
            return .success(.b)
        }

        mutating func writeImage(_ name: String, server: Int, into slot: LoadSlot, anchor: ImageSigner,
                                 cap: Int) -> Result<WrittenImage, LoadSlotFailure> {
            calls.append("image " + name)
            if name == failingImage { return .failure(.image(.notSignedByTheAnchor(signer: "CN=other"))) }
            return .success(WrittenImage(name: name, size: 1, sha256: [UInt8](repeating: 0, count: 32)))
        }

        mutating func stage(_ slot: LoadSlot, load: String, images: [WrittenImage]) -> Result<Void, LoadSlotFailure> {
            calls.append("stage " + load + " " + images.map { $0.name }.joined(separator: ","))
            return .success(())
        }
    }

    static var signer: Identity {
        let path = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path
        return try! Identity(pem: [UInt8](try! Data(contentsOf: URL(fileURLWithPath: path))))
    }

    static func world(signedBy signer: Identity = signer) throws -> World {
        let body = Array("#HARDWARE_COMP_1 2\r\na.sbn\r\nb.sbn \r\n".utf8)
        return World(files: ["L.loads": try SignedFileWriter.signedConfig(body, filename: "L.loads", signer: signer, timestamp: 0,
                                                                          rng: testRNG())])
    }

    let request = LoadUpdateRequest(load: "L", server: 0, anchor: ImageSigner(LoadUpdateRunnerTests.signer.certificate), phoneLevel: 1)

    func testEveryImageThenTheStage() throws {
        var world = try Self.world()
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &world), .staged(load: "L", slot: .b, images: 2))
        XCTAssertEqual(world.calls, ["fetch L.loads", "clear", "image a.sbn", "image b.sbn", "stage L a.sbn,b.sbn"])
    }

    func testAFailingImageStagesNothing() throws {
        var world = try Self.world()
        world.failingImage = "a.sbn"
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &world), .slotFailed(.image(.notSignedByTheAnchor(signer: "CN=other"))))
        XCTAssertEqual(world.calls, ["fetch L.loads", "clear", "image a.sbn"], "no further image, no stage")
    }

    func testARefusedOrMissingLoadWritesNothing() throws {
        var cluster = try Self.world(signedBy: try Vectors.identity("interop/pki/ccm-tftp.pem"))
        guard case .loadRefused(.notSignedByTheAnchor) = LoadUpdateRunner().run(request, on: &cluster) else {
            return XCTFail("a load the cluster's key signed was taken")
        }
        XCTAssertEqual(cluster.calls, ["fetch L.loads"])
        var empty = World()
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &empty), .notServed("L.loads"))
        XCTAssertEqual(empty.calls, ["fetch L.loads"])
    }
}
