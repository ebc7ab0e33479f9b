@testable import CUCMLab
import CSQLite
import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// `cucm-lab load add` and what the lab serves of it: the load and its images signed by the
/// tests' fixed image-signing key, verifiable by its certificate and by no cluster key.
final class LabLoadTests: XCTestCase {
    static let signerPath = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path

    func testALoadAndItsImagesAreServedSignedByTheImageSigningKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-loads-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Lab.initialise(directory)
        let signer = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.signerPath))))
        let images = [directory.appendingPathComponent("jar99.1-0-0"), directory.appendingPathComponent("dsp99.1-0-0.sbn")]
        let contents: [[UInt8]] = [Array(repeating: 0xA5, count: 10_000), [0x01]]
        for (url, bytes) in zip(images, contents) { try Data(bytes).write(to: url) }
        let names = try Lab.addLoad("SIP99.1-0-0", images: images, signer: signer, hardwareLevel: 4, in: directory)
        XCTAssertEqual(names, ["jar99.1-0-0.sbn", "dsp99.1-0-0.sbn"])

        let lab = try Lab(directory, log: { _ in })
        guard case .file(let loadBytes) = lab.serve("SIP99.1-0-0.loads") else { return XCTFail("no .loads served") }
        let anchor = ImageSigner(signer.certificate)
        let load = try anchor.verifyLoad(loadBytes, servedAs: "SIP99.1-0-0.loads")
        XCTAssertEqual(load.hardwareLevel, 4)
        XCTAssertEqual(load.images.indices.map(load.imageName), names)
        for (name, expected) in zip(names, contents) {
            guard case .file(let imageBytes) = lab.serve(name) else { return XCTFail("no " + name + " served") }
            let image = try anchor.verifyImage(imageBytes, servedAs: name)
            XCTAssertEqual(Array(image[image.body]), expected, name)
            XCTAssertThrowsError(try anchor.verifyImage(imageBytes, servedAs: "other.sbn"))
        }
        // The cluster's own keys are no image-signing anchor.
        XCTAssertThrowsError(try ImageSigner(lab.tftp.certificate).verifyLoad(loadBytes, servedAs: "SIP99.1-0-0.loads")) { error in
            XCTAssertEqual(error as? LoadError, .notSignedByTheAnchor(signer: signer.certificate.subject))
        }
        guard case .notFound = lab.serve("SIP00.loads") else { return XCTFail("a load nobody added was served") }
        guard case .notFound = lab.serve("../loads/SIP99.1-0-0.loads") else { return XCTFail("a path was served") }
        XCTAssertThrowsError(try Lab.addLoad("../SIP", images: images, signer: signer, hardwareLevel: 1, in: directory))
    }
}
