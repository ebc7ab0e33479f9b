import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// A TVS world for the decision: answers by server, in order, recorded.
private struct ScriptedTVS: TVSQuerying {
    var answers: [String: TVSQueryResult] = [:]
    var asked: [TVSQuery] = []

    mutating func ask(_ query: TVSQuery, rng: RandomGenerator) -> TVSQueryResult {
        asked.append(query)
        return answers[query.server.host] ?? .failed(.channel(.connect(.refused)))
    }
}

final class TrustDecisionTests: XCTestCase {
    let servers: [DeviceConfiguration.TVSServer] = [.init(host: "tvs-1"), .init(host: "tvs-2")]
    let deviceName = TVSDeviceName("CP-8841-SEPA45630BBFA40")

    func store() throws -> TrustStore {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"), kind: .itl, servedAs: "ITLSEPA45630BBFA40.tlv")
        return store
    }

    func question(_ pem: String, _ purpose: TrustPurpose, servers: [DeviceConfiguration.TVSServer]? = nil,
                  store: TrustStore? = nil) throws -> TrustQuestion {
        TrustContext(store: try store ?? self.store(), tvsServers: servers ?? self.servers, deviceName: deviceName)
            .question(about: try Vectors.certificate("interop/pki/" + pem).der, for: purpose)
    }

    func testTheInstalledListsDecideFirstWithoutTVS() throws {
        var decider = TrustDecider()
        var tvs = ScriptedTVS()
        let verdict = decider.decide(try question("tftp-ec.pem", .configuration), now: 0, rng: testRNG(), on: &tvs)
        XCTAssertEqual(verdict.answer, .listed(kind: .itl, record: 3, subject: "CN=tftp-ec,O=Lab,OU=Voice", role: .tftp))
        XCTAssertTrue(tvs.asked.isEmpty)
        // The ITL lists the SAST2 as SAST: a trust-list signer by the list alone.
        XCTAssertTrue(decider.decide(try question("sast2.pem", .trustListSigner), now: 0, rng: testRNG(), on: &tvs).isTrusted)
        XCTAssertTrue(tvs.asked.isEmpty)
    }

    func testListedForAnotherUseAsksTVSAndSaysSo() throws {
        var decider = TrustDecider()
        var tvs = ScriptedTVS(answers: ["tvs-1": .answered(.invalid)])
        // The CallManager is listed as CCM: not a configuration signer by the lists.
        let verdict = decider.decide(try question("ccm-tftp.pem", .configuration), now: 0, rng: testRNG(), on: &tvs)
        XCTAssertEqual(verdict.answer, .notTrusted(.tvsSaysInvalid(server: servers[0])))
        XCTAssertEqual(verdict.listed, .listedForOtherUse(subject: "CN=cucm-A45630BBFA40,O=Lab,OU=Voice", roles: [.ccm]))
        // For call control, CCM fits.
        XCTAssertTrue(decider.decide(try question("ccm-tftp.pem", .callControl), now: 0, rng: testRNG(), on: &tvs).isTrusted)
    }

    func testServersInOrderPinnedToTheTVSRecordWithTheDeviceName() throws {
        var decider = TrustDecider()
        var tvs = ScriptedTVS(answers: ["tvs-2": .answered(.valid(roles: [.ccmTFTP], ttlSeconds: 3600))])
        let verdict = decider.decide(try question("rogue-sast.pem", .configuration), now: 0, rng: testRNG(), on: &tvs)
        XCTAssertEqual(verdict.answer, .vouched(server: servers[1], roles: [.ccmTFTP], ttlSeconds: 3600, fromCache: false))
        XCTAssertEqual(tvs.asked.map(\.server), servers)
        XCTAssertEqual(verdict.attempts.map(\.result), [.failed(.channel(.connect(.refused))),
                                                        .answered(.valid(roles: [.ccmTFTP], ttlSeconds: 3600))])
        XCTAssertEqual(tvs.asked[0].pinned.map(\.der), [try Vectors.certificate("interop/pki/tvs.pem").der])
        XCTAssertEqual(tvs.asked[0].request.deviceName, deviceName?.bytes)
    }

    func testAValidAnswerIsCachedForItsTTLOnly() throws {
        var decider = TrustDecider()
        var tvs = ScriptedTVS(answers: ["tvs-1": .answered(.valid(roles: [.appServer], ttlSeconds: 60))])
        let ask = try question("rogue-sast.pem", .httpsService)
        XCTAssertTrue(decider.decide(ask, now: 1_000, rng: testRNG(), on: &tvs).isTrusted)
        let cached = decider.decide(ask, now: 60_999, rng: testRNG(), on: &tvs)
        XCTAssertEqual(cached.answer, .vouched(server: servers[0], roles: [.appServer], ttlSeconds: 60, fromCache: true))
        XCTAssertEqual(tvs.asked.count, 1)
        // A cached answer still has to fit the purpose.
        let other = decider.decide(try question("rogue-sast.pem", .configuration), now: 2_000, rng: testRNG(), on: &tvs)
        XCTAssertEqual(other.answer, .notTrusted(.rolesDoNotFit(server: servers[0], roles: [.appServer])))
        XCTAssertEqual(tvs.asked.count, 1)
        // Expired at 61 s: asked again.
        _ = decider.decide(ask, now: 61_000, rng: testRNG(), on: &tvs)
        XCTAssertEqual(tvs.asked.count, 2)
    }

    func testTTLZeroIsNotCachedAndTheLargestIsCappedAtADay() throws {
        var decider = TrustDecider()
        var tvs = ScriptedTVS(answers: ["tvs-1": .answered(.valid(roles: [.appServer], ttlSeconds: 0))])
        let ask = try question("rogue-sast.pem", .httpsService)
        XCTAssertTrue(decider.decide(ask, now: 0, rng: testRNG(), on: &tvs).isTrusted)
        XCTAssertTrue(decider.cache.entries.isEmpty)
        tvs.answers["tvs-1"] = .answered(.valid(roles: [.appServer], ttlSeconds: .max))
        _ = decider.decide(ask, now: UInt64.max - 10, rng: testRNG(), on: &tvs)
        XCTAssertEqual(decider.cache.entries.first?.expiresAtMs, UInt64.max, "no overflow")
        var fresh = TrustDecider()
        _ = fresh.decide(ask, now: 5, rng: testRNG(), on: &tvs)
        XCTAssertEqual(fresh.cache.entries.first?.expiresAtMs, 5 + UInt64(TVSCache.maxLifetimeSeconds) * 1000)
    }

    func testTheCacheIsBoundedAndKeepsValidAnswersOnly() throws {
        var cache = TVSCache()
        for index in 0..<(TVSCache.maxEntries + 5) {
            cache.remember([UInt8(index), 1], server: servers[0], roles: [.tftp], ttlSeconds: UInt32(100 + index), now: 0)
        }
        XCTAssertEqual(cache.entries.count, TVSCache.maxEntries)
        XCTAssertNil(cache.answer(for: [0, 1], now: 0), "the soonest to expire made room")
        XCTAssertNotNil(cache.answer(for: [UInt8(TVSCache.maxEntries + 4), 1], now: 0))
        var decider = TrustDecider()
        var tvs = ScriptedTVS(answers: ["tvs-1": .answered(.invalid)])
        _ = decider.decide(try question("rogue-sast.pem", .httpsService), now: 0, rng: testRNG(), on: &tvs)
        XCTAssertTrue(decider.cache.entries.isEmpty, "an invalid answer is not cached")
    }

    func testWhatStopsADecisionBeforeAnyTVS() throws {
        var decider = TrustDecider()
        var tvs = ScriptedTVS()
        XCTAssertEqual(decider.decide(try question("rogue-sast.pem", .httpsService, servers: []), now: 0, rng: testRNG(), on: &tvs).answer,
                       .notTrusted(.noTVSServer))
        var noTVSRecord = TrustStore()
        _ = try noTVSRecord.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        XCTAssertEqual(decider.decide(try question("rogue-sast.pem", .httpsService, store: noTVSRecord), now: 0, rng: testRNG(),
                                      on: &tvs).answer, .notTrusted(.noTVSCertificate))
        let nameless = TrustContext(store: try store(), tvsServers: servers, deviceName: nil)
            .question(about: try Vectors.certificate("interop/pki/rogue-sast.pem").der, for: .httpsService)
        XCTAssertEqual(decider.decide(nameless, now: 0, rng: testRNG(), on: &tvs).answer, .notTrusted(.noDeviceName))
        XCTAssertTrue(tvs.asked.isEmpty)
        // Every server failing: unanswered, each attempt kept.
        let verdict = decider.decide(try question("rogue-sast.pem", .httpsService), now: 0, rng: testRNG(), on: &tvs)
        XCTAssertEqual(verdict.answer, .unanswered)
        XCTAssertEqual(verdict.attempts.count, 2)
    }
}
