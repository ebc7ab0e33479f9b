@testable import CUCMLab
import CSQLite
import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

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
