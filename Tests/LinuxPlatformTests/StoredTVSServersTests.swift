import Foundation
import LinuxPlatform
import PhoneWire
import XCTest

/// The flash's `tvs-servers` file: what a boot writes reads back; anything else is a
/// reported problem and no server at all, never a guess.
final class StoredTVSServersTests: XCTestCase {
    func testRoundTripAndHostileFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tvs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = PhoneStorage(directory: directory)
        guard case .success = storage.prepare() else { return XCTFail("cannot make the state directory") }
        XCTAssertTrue(storage.loadTVSServers().0.isEmpty, "absent: none, no problem")
        XCTAssertNil(storage.loadTVSServers().1)

        let servers: [DeviceConfiguration.TVSServer] = [.init(host: "10.0.0.1", port: 2445, priority: 0), .init(host: "tvs-b", port: 2446, priority: 1)]
        guard case .success = storage.saveTVSServers(servers) else { return XCTFail("cannot save") }
        XCTAssertEqual(storage.loadTVSServers().0, servers)

        let path = directory + "/tvs-servers"
        for hostile in ["tvs\n", "tvs 0\n", "tvs 70000\n", "tvs 2445 extra\n", String(repeating: "a 1\n", count: DeviceConfiguration.maxServers + 1),
                        String(repeating: "h", count: 256) + " 2445\n"] {
            try hostile.write(toFile: path, atomically: true, encoding: .utf8)
            let (loaded, problem) = storage.loadTVSServers()
            XCTAssertTrue(loaded.isEmpty, hostile)
            XCTAssertEqual(problem?.reason, "not HOST PORT lines", hostile)
        }
        try Data(count: 5000).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(storage.loadTVSServers().1?.reason, path + ": larger than 4096 bytes")
    }
}
