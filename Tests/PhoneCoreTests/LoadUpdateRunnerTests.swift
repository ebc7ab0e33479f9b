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
        /// A port that keeps an image without its check's word (a defect the runner refuses).
        var skipsTheCheck = false
        var calls: [String] = []

        mutating func fetch(_ name: String, server: Int) -> FetchResult {
            calls.append("fetch " + name)
            return files[name].map { .file($0) } ?? .notFound
        }

        mutating func clearInactiveSlot() -> Result<LoadSlot, LoadSlotFailure> {
            calls.append("clear")
            return .success(.b)
        }

        /// Feeds the image's signed file through the check in pieces of 100 bytes, as a port
        /// does; `failingImage` is served signed by the cluster's key.
        mutating func streamImage(_ name: String, server: Int, into slot: LoadSlot, cap: Int,
                                  check: (ArraySlice<UInt8>) -> ArraySlice<UInt8>?,
                                  finish: () -> ArraySlice<UInt8>?) -> Result<WrittenImage, LoadSlotFailure> {
            calls.append("image " + name)
            let signer = name == failingImage ? try! Vectors.identity("interop/pki/ccm-tftp.pem") : LoadUpdateRunnerTests.signer
            let file = try! SignedFileWriter.signedConfig([UInt8](repeating: 0x5A, count: 1000), filename: name, signer: signer,
                                                          timestamp: 0, rng: testRNG())
            var kept = 0
            if !skipsTheCheck {
                for start in stride(from: 0, to: file.count, by: 100) {
                    guard let image = check(file[start..<min(start + 100, file.count)]) else { return .failure(.checkRefused) }
                    kept += image.count
                }
                guard let rest = finish() else { return .failure(.checkRefused) }
                kept += rest.count
            }
            return .success(WrittenImage(name: name, size: kept, sha256: [UInt8](repeating: 0, count: 32)))
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
        guard case .slotFailed(.image(.notSignedByTheAnchor)) = LoadUpdateRunner().run(request, on: &world) else {
            return XCTFail("an image the cluster's key signed was kept")
        }
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

    /// The check is the runner's: a port that kept an image without the check's word on its
    /// end stages nothing; a load ID that is no file name is refused before any fetch.
    func testAnImageNotCheckedToItsEndAndABadLoadNameAreRefused() throws {
        var skipping = try Self.world()
        skipping.skipsTheCheck = true
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &skipping), .slotFailed(.checkRefused))
        XCTAssertFalse(skipping.calls.contains { $0.hasPrefix("stage") })
        var world = try Self.world()
        let bad = LoadUpdateRequest(load: "../L", server: 0, anchor: ImageSigner(Self.signer.certificate), phoneLevel: 1)
        XCTAssertEqual(LoadUpdateRunner().run(bad, on: &world), .badLoadName("../L"))
        XCTAssertEqual(world.calls, [])
    }
}
