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

/// `device add --load`: the configuration names the load for that device alone, and a
/// device table made before loads gains the column empty.
final class DeviceLoadTests: XCTestCase {
    func testTheConfigurationNamesTheDevicesLoadOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lab-device-load-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Lab.initialise(directory)
        let table = try DeviceTable(path: Lab.databasePath(in: directory))
        for (name, load) in [("SEPA45630BBFA40", "SIP99.1-0-0"), ("SEP000000000099", "")] {
            try table.upsert(DeviceTable.Device(name: name, profile: .authenticated, capfAuth: "auto", operation: "none",
                                                key: "rsa:2048", certificate: nil, md5hash: "", publicKey: nil, load: load))
        }
        let lab = try Lab(directory, log: { _ in })
        func loadInformation(_ device: String) throws -> String? {
            guard case .file(let bytes) = lab.serve(device + ".cnf.xml.sgn") else { return "not served" }
            return try DeviceConfiguration.parse(Array(bytes[try SignedFile.parse(bytes).body])).loadInformation
        }
        XCTAssertEqual(try loadInformation("SEPA45630BBFA40"), "SIP99.1-0-0")
        XCTAssertNil(try loadInformation("SEP000000000099"))
    }

    func testATableMadeBeforeLoadsGainsTheColumn() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("old-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var database: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path, &database), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(database, """
            create table device (name text primary key, profile text not null, capfauthmode integer not null,
                authstring text, capfoperation text not null, keyspec text not null, certificate blob,
                md5hash text not null default '', publickey blob);
            insert into device (name, profile, capfauthmode, capfoperation, keyspec) values ('SEPA45630BBFA40', 'encrypted', 0, 'install', 'rsa:2048')
            """, nil, nil, nil), SQLITE_OK)
        sqlite3_close(database)
        let table = try DeviceTable(path: path)
        let device = try XCTUnwrap(try table.device("SEPA45630BBFA40"))
        XCTAssertEqual(device.load, "")
        XCTAssertEqual(device.operation, "install")
    }
}
