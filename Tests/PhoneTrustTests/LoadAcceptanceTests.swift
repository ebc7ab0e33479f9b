import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// Which load a phone takes: signed by its anchor under the name asked for, and stating a
/// hardware level at or above the phone's own; any such load, older ones included.
final class LoadAcceptanceTests: XCTestCase {
    static var signer: Identity {
        let path = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path
        return try! Identity(pem: [UInt8](try! Data(contentsOf: URL(fileURLWithPath: path))))
    }

    static func load(level: Int?) throws -> [UInt8] {
        let line = level.map { "#HARDWARE_COMP_1 " + String($0) + "\r\n" } ?? ""
        return try SignedFileWriter.signedConfig(Array((line + "a.sbn\r\n").utf8), filename: "L.loads", signer: signer, timestamp: 0,
                                                 rng: testRNG())
    }

    func testTheHardwareLevelDecides() throws {
        let anchor = ImageSigner(Self.signer.certificate)
        XCTAssertEqual(try anchor.acceptLoad(try Self.load(level: 5), servedAs: "L.loads", phoneLevel: 4).hardwareLevel, 5)
        XCTAssertEqual(try anchor.acceptLoad(try Self.load(level: 4), servedAs: "L.loads", phoneLevel: 4).hardwareLevel, 4)
        XCTAssertThrowsError(try anchor.acceptLoad(try Self.load(level: 3), servedAs: "L.loads", phoneLevel: 4)) { error in
            XCTAssertEqual(error as? LoadError, .hardwareLevelBelow(load: 3, phone: 4))
            XCTAssertEqual((error as? LoadError)?.reason, "the load's hardware level 3 is below this phone's 4")
        }
        XCTAssertThrowsError(try anchor.acceptLoad(try Self.load(level: nil), servedAs: "L.loads", phoneLevel: 1)) { error in
            XCTAssertEqual(error as? LoadError, .hardwareLevelBelow(load: nil, phone: 1))
        }
        // The level is read only from a load the anchor signed.
        let cluster = try SignedFileWriter.resign(try Self.load(level: 9), signer: try Vectors.identity("interop/pki/ccm-tftp.pem"),
                                                  rng: testRNG())
        XCTAssertThrowsError(try anchor.acceptLoad(cluster, servedAs: "L.loads", phoneLevel: 1)) { error in
            guard case .notSignedByTheAnchor = error as? LoadError else { return XCTFail("\(error)") }
        }
    }
}
