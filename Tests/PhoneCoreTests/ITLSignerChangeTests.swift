import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The ITL signer change (formats.md §1): TVS is asked about a new ITL's signer the
/// installed ITL does not list, one test per transition.
final class ITLSignerChangeTests: XCTestCase {
    /// fetchingTrustList -fileArrived-> verifyingTrustListSigner, then
    /// verifyingTrustListSigner -trustDecided-> fetchingConfig with the new ITL installed.
    func testTVSVouchesForTheNewSignerAndTheNewITLIsInstalled() throws {
        let (world, machine) = try BootScenarios.itlSignerChanged { _ in
            .answered(.valid(roles: [.sast, .ccmTFTP], ttlSeconds: 3600))
        }
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        let taken = world.transitions.map { "\($0.from)->\($0.to)" }
        XCTAssertTrue(taken.contains("fetchingTrustList->verifyingTrustListSigner"), world.log)
        XCTAssertTrue(taken.contains("verifyingTrustListSigner->fetchingConfig"), world.log)
        // The question: the new signer's certificate, pinned to the installed ITL's TVS record,
        // with the MIC's model in the device name.
        let query = try XCTUnwrap(world.tvsQueries.first)
        XCTAssertEqual(world.tvsQueries.count, 1)
        XCTAssertEqual(query.request.certificate, try Vectors.identity("interop/pki/ccm-tftp.pem").certificate.der)
        XCTAssertEqual(String(decoding: query.request.deviceName, as: UTF8.self), "CP-7942-SEPA45630BBFA40")
        XCTAssertEqual(query.pinned.map(\.der), [try Vectors.identity("interop/pki/tvs.pem").certificate.der])
        XCTAssertEqual(query.server, .init(host: "127.0.0.1"))
        XCTAssertTrue(world.events.contains { event in
            if case .trustListInstalled(_, .itl, .vouchedByTVS, let signer) = event { return signer.hasPrefix("CN=cucm-A45630BBFA40") }
            return false
        }, world.log)
        XCTAssertEqual(world.persistedTrustLists.map(\.0), [.itl])
        XCTAssertEqual(machine.memory.trustStore.itl?.list.bytes, world.files["ITLSEPA45630BBFA40.tlv"])
    }

    /// verifyingTrustListSigner -trustDecided-> fetchingConfig with the installed ITL kept:
    /// TVS says invalid, nothing is persisted, and the configuration the new key signed is
    /// refused by the old list.
    func testTVSSaysInvalidAndTheInstalledITLStays() throws {
        let (world, machine) = try BootScenarios.itlSignerChanged { _ in .answered(.invalid) }
        XCTAssertEqual(machine.stateKind, .failed, world.log)
        XCTAssertTrue(world.persistedTrustLists.isEmpty)
        XCTAssertEqual(machine.memory.trustStore.itl?.list.bytes, Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"))
        XCTAssertTrue(world.events.contains { event in
            // The installed ITL lists the new signer, but as CCM only.
            guard case .trustListNotVouched(_, .itl, .signerLacksRole(_, "CCM"), let verdict) = event else { return false }
            return verdict.answer == .notTrusted(.tvsSaysInvalid(server: .init(host: "127.0.0.1")))
        }, world.log)
    }

    /// Roles that do not fit an ITL signer (APP-SERVER) are no vouching.
    func testRolesThatDoNotFitAreNoVouching() throws {
        let (world, machine) = try BootScenarios.itlSignerChanged { _ in .answered(.valid(roles: [.appServer], ttlSeconds: 60)) }
        XCTAssertTrue(world.persistedTrustLists.isEmpty, world.log)
        XCTAssertEqual(machine.memory.trustStore.itl?.list.bytes, Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"))
    }

    /// The TVS servers are asked in order until one answers; none answering keeps the list.
    func testServersInOrderAndNoneAnswering() throws {
        let servers: [DeviceConfiguration.TVSServer] = [.init(host: "tvs-a"), .init(host: "tvs-b", port: 2446)]
        let (world, _) = try BootScenarios.itlSignerChanged(tvs: { _ in .failed(.channel(.stoppedAnswering(afterMs: 5000))) },
                                                           servers: servers)
        XCTAssertEqual(world.tvsQueries.map(\.server), servers)
        XCTAssertTrue(world.persistedTrustLists.isEmpty)
        XCTAssertTrue(world.events.contains { event in
            if case .trustListNotVouched(_, _, _, let verdict) = event { return verdict.answer == .unanswered }
            return false
        }, world.log)
    }

    /// No TVS in the last configuration: the lists alone decide, as before.
    func testWithoutTVSServersTheListsAloneDecide() throws {
        let (world, _) = try BootScenarios.itlSignerChanged(tvs: { _ in .answered(.invalid) }, servers: [])
        XCTAssertTrue(world.tvsQueries.isEmpty)
        XCTAssertTrue(world.events.contains { event in
            if case .trustListNotVouched(_, _, _, let verdict) = event { return verdict.answer == .notTrusted(.noTVSServer) }
            return false
        }, world.log)
    }

    /// An applied configuration's TVS servers are persisted for the next boot.
    func testTheConfigurationsTVSServersArePersisted() throws {
        let (world, machine) = try BootScenarios.itlSignerChanged(tvs: { _ in .answered(.valid(roles: [.sast], ttlSeconds: 1)) },
                                                                  servers: [.init(host: "old-tvs")])
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.persistedTVSServers, [[.init(host: "127.0.0.1", port: 2445)]])
        XCTAssertEqual(machine.memory.tvsServers, [.init(host: "127.0.0.1", port: 2445)])
    }
}
