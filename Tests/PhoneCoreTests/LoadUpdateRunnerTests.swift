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
        /// Each image's cap and deadline, as the runner passed them.
        var imageLimits: [[UInt64]] = []

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
        mutating func streamImage(_ name: String, server: Int, into slot: LoadSlot, cap: Int, deadlineMs: UInt64,
                                  check: (ArraySlice<UInt8>) -> ArraySlice<UInt8>?,
                                  finish: () -> ArraySlice<UInt8>?) -> Result<WrittenImage, LoadSlotFailure> {
            calls.append("image " + name)
            imageLimits.append([UInt64(cap), deadlineMs])
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

        mutating func confirmRunningLoad(_ load: String) {}

        mutating func stage(_ slot: LoadSlot, load: String, images: [WrittenImage]) -> Result<Void, LoadSlotFailure> {
            calls.append("stage " + load + " " + images.map { $0.name }.joined(separator: ","))
            return .success(())
        }
    }

    static var signer: Identity { try! Vectors.imageSigner() }

    static func world(signedBy signer: Identity = signer) throws -> World {
        let body = Array("#HARDWARE_COMP_1 2\r\na.sbn\r\nb.sbn \r\n".utf8)
        return World(files: ["L.loads": try SignedFileWriter.signedConfig(body, filename: "L.loads", signer: signer, timestamp: 0,
                                                                          rng: testRNG())])
    }

    let request = LoadUpdateRequest(load: "L", server: 0,
                                    LoadUpdateSettings(anchor: ImageSigner(LoadUpdateRunnerTests.signer.certificate), hardwareLevel: 1))

    func testEveryImageThenTheStage() throws {
        var world = try Self.world()
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &world), .staged(load: "L", slot: .b, images: 2))
        XCTAssertEqual(world.calls, ["fetch L.loads", "clear", "image a.sbn", "image b.sbn", "stage L a.sbn,b.sbn"])
        // 64 MiB each, within a minute and the cap at 64 KiB/s.
        XCTAssertEqual(world.imageLimits, [[67_108_864, 1_108_576], [67_108_864, 1_108_576]])
    }

    func testAFailingImageStagesNothing() throws {
        var world = try Self.world()
        world.failingImage = "a.sbn"
        guard case .notStaged(.slotFailed(.image(.notSignedByTheAnchor))) = LoadUpdateRunner().run(request, on: &world) else {
            return XCTFail("an image the cluster's key signed was kept")
        }
        XCTAssertEqual(world.calls, ["fetch L.loads", "clear", "image a.sbn"], "no further image, no stage")
    }

    func testARefusedOrMissingLoadWritesNothing() throws {
        var cluster = try Self.world(signedBy: try Vectors.identity("interop/pki/ccm-tftp.pem"))
        guard case .notStaged(.loadRefused(.notSignedByTheAnchor)) = LoadUpdateRunner().run(request, on: &cluster) else {
            return XCTFail("a load the cluster's key signed was taken")
        }
        XCTAssertEqual(cluster.calls, ["fetch L.loads"])
        var empty = World()
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &empty), .notStaged(.notServed("L.loads")))
        XCTAssertEqual(empty.calls, ["fetch L.loads"])
    }

    /// The check is the runner's: a port that kept an image without the check's word on its
    /// end stages nothing; a load ID that is no file name is refused before any fetch.
    func testAnImageNotCheckedToItsEndAndABadLoadNameAreRefused() throws {
        var skipping = try Self.world()
        skipping.skipsTheCheck = true
        XCTAssertEqual(LoadUpdateRunner().run(request, on: &skipping), .notStaged(.slotFailed(.checkRefused)))
        XCTAssertFalse(skipping.calls.contains { $0.hasPrefix("stage") })
        var world = try Self.world()
        let bad = LoadUpdateRequest(load: "../L", server: 0, request.settings)
        XCTAssertEqual(LoadUpdateRunner().run(bad, on: &world), .notStaged(.badLoadName("../L")))
        XCTAssertEqual(world.calls, [], "no file is fetched for a name that is no file name")
        let failed = LoadUpdateRequest(load: "L", server: 0, LoadUpdateSettings(anchor: ImageSigner(Self.signer.certificate),
                                                                                hardwareLevel: 1, failedLoad: "L"))
        XCTAssertEqual(LoadUpdateRunner().run(failed, on: &world), .notStaged(.failedItsTrial("L")))
        XCTAssertEqual(world.calls, [], "a load that failed its trial is not fetched again")
    }
}

/// When a configuration starts an update: a full one, naming a load other than the one
/// running, on a phone with slots. The real clusters' configurations name loads; without
/// slots (the host's default) they keep what runs, as they always did.
final class LoadDecisionTests: XCTestCase {
    static func config(_ load: String?, full: Bool = true) throws -> DeviceConfiguration {
        let loadLine = load.map { "<loadInformation>" + $0 + "</loadInformation>" } ?? ""
        return try DeviceConfiguration.parse(Array(("<device><fullConfig>" + (full ? "true" : "false") + "</fullConfig>" + loadLine
                                                    + "</device>").utf8))
    }

    func testOnlyAFullConfigurationNamingAnotherLoadOnAPhoneWithSlotsUpdates() throws {
        XCTAssertEqual(LoadDecision.after(try Self.config("SIP99.1-0-0"), running: "SIP98.0-0-0", hasSlots: true), .update(load: "SIP99.1-0-0"))
        XCTAssertEqual(LoadDecision.after(try Self.config("  SIP99.1-0-0 "), running: "SIP98.0-0-0", hasSlots: true),
                       .update(load: "SIP99.1-0-0"), "Cisco's padding")
        XCTAssertEqual(LoadDecision.after(try Self.config("SIP98.0-0-0"), running: "SIP98.0-0-0", hasSlots: true), .keep(.alreadyRunning))
        XCTAssertEqual(LoadDecision.after(try Self.config(""), running: "SIP98.0-0-0", hasSlots: true), .keep(.noLoadNamed))
        XCTAssertEqual(LoadDecision.after(try Self.config(nil), running: "SIP98.0-0-0", hasSlots: true), .keep(.noLoadNamed))
        XCTAssertEqual(LoadDecision.after(try Self.config("SIP99.1-0-0", full: false), running: "SIP98.0-0-0", hasSlots: true),
                       .keep(.partialConfiguration))
        XCTAssertEqual(LoadDecision.after(try Self.config("SIP99.1-0-0"), running: "SIP98.0-0-0", hasSlots: false), .keep(.noSlots))
    }

    func testTheRealClustersConfigurationsKeepWhatRunsWithoutSlots() throws {
        let folder = Vectors.projectRoot.appendingPathComponent("Tests/RealClusterConfigs")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".xml") {
            let config = try DeviceConfiguration.parse([UInt8](try Data(contentsOf: folder.appendingPathComponent(name))))
            let decision = LoadDecision.after(config, running: "phonesec-dev", hasSlots: false)
            XCTAssertTrue(decision == .keep(.noSlots) || decision == .keep(.partialConfiguration), name + ": \(decision)")
        }
    }
}
