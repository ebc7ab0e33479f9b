import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// When the boot updates the firmware, and what it does with each outcome: a full
/// configuration naming another load, on a phone with slots, stages it and ends asking
/// for the board's reset; any failure keeps the running load and ends configured.
final class BootMachineLoadTests: XCTestCase {
    typealias Scenarios = BootScenarios
    let loadFile = BootScenarios.namedLoad + ".loads"

    func testAFullConfigNamingAnotherLoadStagesIt() throws {
        let (world, machine) = try Scenarios.loadAfterSignedConfig()
        guard case .loadStaged(let configuration, let load, let slot) = world.result else {
            return XCTFail("not staged: \(String(describing: world.result))\n" + world.log)
        }
        XCTAssertEqual(configuration.loadInformation, Scenarios.namedLoad)
        XCTAssertEqual(load, Scenarios.namedLoad)
        XCTAssertEqual(slot, .b)
        XCTAssertEqual(machine.stateKind, .loadStaged)
        XCTAssertTrue(machine.isFinished)
        XCTAssertEqual(world.staged.map { $0.0 }, [Scenarios.namedLoad])
        // The running load confirmed first (on trial, it is good now), the update after it.
        XCTAssertEqual(Array(world.fetched.suffix(5)),
                       ["confirm SIP00.0-0-0", loadFile, "kern75.sbn", "rootfs75.sbn", "stage " + Scenarios.namedLoad])
        XCTAssertEqual(world.events.last, .loadStaged(load: Scenarios.namedLoad, slot: .b, images: 2))
        guard case .configApplied(_, _, false) = world.events.dropLast().last else { return XCTFail("applied first:\n" + world.log) }
        XCTAssertEqual(world.resets, 0, "the machine asks the board, never an in-process reset")
    }

    func testTheEncryptedAndTheHTTPSConfigurationsStageItToo() throws {
        for (world, _) in [try Scenarios.loadAfterEncryptedConfig(), try Scenarios.loadAfterHTTPSConfig()] {
            guard case .loadStaged(_, let load, .b) = world.result else { return XCTFail(world.log) }
            XCTAssertEqual(load, Scenarios.namedLoad)
            XCTAssertEqual(world.events.last, .loadStaged(load: Scenarios.namedLoad, slot: .b, images: 2))
        }
    }

    /// Real clusters name loads nobody serves: one event, and the phone is configured.
    func testALoadNotServedKeepsTheRunningLoad() throws {
        let (world, machine) = try Scenarios.loadAfterSignedConfig(serve: false)
        guard case .configured = world.result else { return XCTFail(world.log) }
        XCTAssertEqual(machine.stateKind, .configured)
        XCTAssertEqual(world.events.last, .loadNotStaged(load: Scenarios.namedLoad, cause: .notServed(loadFile)))
        XCTAssertTrue(world.staged.isEmpty)
    }

    /// The cluster's own key cannot sign a load: refused, nothing staged, configured.
    func testALoadTheClusterSignedIsRefused() throws {
        let (world, _) = try Scenarios.loadAfterSignedConfig(signer: try Vectors.identity("interop/pki/ccm-tftp.pem"))
        guard case .configured = world.result else { return XCTFail(world.log) }
        guard case .loadNotStaged(_, .loadRefused(.notSignedByTheAnchor)) = world.events.last else { return XCTFail(world.log) }
        XCTAssertTrue(world.staged.isEmpty)
        XCTAssertFalse(world.fetched.contains("kern75.sbn"), "no image of a refused load is fetched")
    }

    /// The running load named again, or no slots: no update is even looked for.
    func testNoUpdateWhenTheLoadRunsOrThereAreNoSlots() throws {
        let (running, _) = try Scenarios.loadAfterSignedConfig(running: Scenarios.namedLoad)
        guard case .configured = running.result else { return XCTFail(running.log) }
        XCTAssertFalse(running.fetched.contains(loadFile))
        XCTAssertEqual(running.fetched.last, "confirm " + Scenarios.namedLoad, "the running load reached configured")
        let (noSlots, _) = try Scenarios.nonSecure()
        guard case .configured(let configuration) = noSlots.result else { return XCTFail(noSlots.log) }
        XCTAssertEqual(configuration.loadInformation, Scenarios.namedLoad)
        XCTAssertFalse(noSlots.fetched.contains(loadFile))
        XCTAssertFalse(noSlots.fetched.contains { $0.hasPrefix("confirm") }, "no slots, nothing to confirm")
    }

    /// A partial configuration on the way to CAPF names a load too: it is no cluster's
    /// word on loads, so the update waits for the full one (the troubleshooting note's
    /// enrolment, with slots: the load is fetched once, after the `.enc.sgn`).
    func testOnlyTheFullConfigurationStartsAnUpdate() throws {
        let (world, _) = try Scenarios.loadAfterEncryptedConfig()
        XCTAssertEqual(world.fetched.filter { $0 == loadFile }.count, 1)
        let applied = try XCTUnwrap(world.events.firstIndex { if case .configApplied = $0 { return true } else { return false } })
        XCTAssertGreaterThan(try XCTUnwrap(world.fetched.firstIndex(of: loadFile)),
                             try XCTUnwrap(world.fetched.firstIndex(of: Scenarios.device.encryptedConfig)))
        XCTAssertEqual(applied, world.events.count - 2)
    }
}
