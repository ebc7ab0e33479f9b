import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The one server-acceptance policy, as a table: purpose and key rule × a certificate
/// listed or not for the purpose × RSA or EC × TVS vouching, refusing or silent →
/// connect (pinned, or again after TVS vouched) or refuse, with the cause. The same rows
/// run against the policy driven on its own and against the boot machine's HTTPS step,
/// its user in the core; the secure channel, its other user, meets the call-control rows
/// against the lab: `PhoneSecTests.ChannelAPITests` the RSA ones (a listed call manager; an
/// unlisted server TVS vouches for, refuses, or cannot be asked about) and
/// `PhoneSecTests.ChannelECRowsTests` the EC ones (an unlisted server × TVS vouching,
/// refusing, silent; the listed TFTP certificate × a TVS that knows it as TFTP, or silent).
final class ServerAcceptanceTests: XCTestCase {
    enum TVS: CaseIterable { case vouches, refuses, silent }

    enum Outcome: Equatable {
        case connected(vouchedByTVS: Bool)
        case refusedForItsKey
        case refusedNotVouched
    }

    struct Row {
        let acceptance: ServerAcceptance
        /// A PEM of the interop vectors' PKI.
        let certificate: String
        let tvs: TVS
        let outcome: Outcome
        /// How many TVS questions the row asks.
        let questions: Int
    }

    /// The per-device vector ITL and the vector CTL: `ccm-tftp` (RSA) is CCM+TFTP in the
    /// CTL; `tftp-ec` (EC P-384) is TFTP in the ITL; `phone-lsc-ec` (EC P-256) and
    /// `rogue-sast` (RSA) are in neither.
    static func store() throws -> TrustStore {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/CTLFile.tlv"), kind: .ctl, servedAs: "CTLFile.tlv")
        _ = try store.install(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"), kind: .itl, servedAs: "ITLSEPA45630BBFA40.tlv")
        return store
    }

    static let rows: [Row] = {
        var rows: [Row] = []
        func add(_ acceptance: ServerAcceptance, _ certificate: String, _ outcome: (TVS) -> Outcome, questions: Int) {
            for tvs in TVS.allCases {
                rows.append(Row(acceptance: acceptance, certificate: certificate, tvs: tvs, outcome: outcome(tvs), questions: questions))
            }
        }
        let askTVS: (TVS) -> Outcome = { $0 == .vouches ? .connected(vouchedByTVS: true) : .refusedNotVouched }
        let https = ServerAcceptance.configurationOverHTTPS
        add(https, "ccm-tftp", { _ in .refusedForItsKey }, questions: 0)               // listed, RSA: never pinned on 6971
        add(https, "tftp-ec", { _ in .connected(vouchedByTVS: false) }, questions: 0)  // listed, EC
        add(https, "phone-lsc-ec", askTVS, questions: 1)                                // not listed, EC
        add(https, "rogue-sast", { _ in .refusedForItsKey }, questions: 0)             // not listed, RSA
        let callControl = ServerAcceptance.channel(.callControl)
        add(callControl, "ccm-tftp", { _ in .connected(vouchedByTVS: false) }, questions: 0)  // listed, RSA
        add(callControl, "tftp-ec", askTVS, questions: 1)        // listed, but TFTP is no call-control role
        add(callControl, "phone-lsc-ec", askTVS, questions: 1)   // not listed, EC
        add(callControl, "rogue-sast", askTVS, questions: 1)     // not listed, RSA
        return rows
    }()

    static func answer(_ tvs: TVS, for acceptance: ServerAcceptance) -> TVSQueryResult {
        switch tvs {
        case .vouches: return .answered(.valid(roles: acceptance.purpose.roles, ttlSeconds: 60))
        case .refuses: return .answered(.invalid)
        case .silent: return .failed(.channel(.stoppedAnswering(afterMs: 5_000)))
        }
    }

    /// The policy on its own, driven as its users drive it: a TLS peer that completes
    /// the handshake when pinned to its certificate and is refused otherwise.
    func testThePolicyAlone() throws {
        let store = try Self.store()
        for row in Self.rows {
            let presented = try Vectors.certificate("interop/pki/" + row.certificate + ".pem")
            var attempt = ServerAcceptance.Attempt(row.acceptance, store)
            var questions = 0
            var outcome: Outcome?
            while outcome == nil {
                if attempt.pinned.contains(where: { $0.der == presented.der }) {
                    outcome = .connected(vouchedByTVS: attempt.vouching != nil)
                    break
                }
                switch attempt.unpinned(presented.der) {
                case .refuse(.keyNotAllowed): outcome = .refusedForItsKey
                case .refuse(let other): return XCTFail(String(describing: row) + ": " + String(describing: other))
                case .askTVS:
                    questions += 1
                    let verdict = Self.verdict(Self.answer(row.tvs, for: row.acceptance), store: store, presented: presented.der,
                                               purpose: row.acceptance.purpose)
                    switch attempt.decided(presented.der, verdict) {
                    case .notVouched?: outcome = .refusedNotVouched
                    case let other?: return XCTFail(String(describing: row) + ": " + String(describing: other))
                    case nil: break
                    }
                }
            }
            XCTAssertEqual(outcome, row.outcome, String(describing: row))
            XCTAssertEqual(questions, row.questions, String(describing: row))
        }
    }

    /// The decider's verdict with one TVS server that answers `answer`.
    static func verdict(_ answer: TVSQueryResult, store: TrustStore, presented: [UInt8], purpose: TrustPurpose) -> TrustVerdict {
        struct OneAnswer: TVSQuerying {
            let answer: TVSQueryResult
            mutating func ask(_ query: TVSQuery, rng: RandomGenerator) -> TVSQueryResult { answer }
        }
        var tvs = OneAnswer(answer: answer)
        var decider = TrustDecider()
        let context = TrustContext(store: store, tvsServers: [.init(host: "127.0.0.1")],
                                   deviceName: TVSDeviceName(device: BootScenarios.device, model: "8841"))
        return decider.decide(context.question(about: presented, for: purpose), now: 0, rng: testRNG(), on: &tvs)
    }

    /// The boot machine's configuration over HTTPS: every row of its policy. A server
    /// presenting the row's certificate answers when the request pins it; anything else
    /// ends in the fallback to 6970, whose cause must be the policy's.
    func testTheBootsHTTPSStep() throws {
        for row in Self.rows where row.acceptance == .configurationOverHTTPS {
            let presented = try Vectors.certificate("interop/pki/" + row.certificate + ".pem")
            let server: (HTTPSConfigRequest) -> HTTPSConfigResult = { request in
                guard request.pinned.contains(where: { $0.der == presented.der }) else {
                    return .failed(.channel(.tls(.certificateNotTrusted(certificate: presented.der))))
                }
                return BootScenarios.httpsAnswer(from: presented)(request)
            }
            let (world, machine) = try BootScenarios.signerVersion11([server, server],
                                                                     tvs: { _ in Self.answer(row.tvs, for: row.acceptance) })
            XCTAssertEqual(machine.stateKind, .configured, world.log)
            let fallback = world.events.compactMap { event -> HTTPSFallback? in
                if case .httpsConfigFallback(let cause, _) = event { return cause }
                return nil
            }.first
            let outcome: Outcome?
            switch fallback {
            case nil:
                outcome = world.events.compactMap { event -> Outcome? in
                    if case .httpsConfigApplied(_, _, let vouched) = event { return .connected(vouchedByTVS: vouched) }
                    return nil
                }.first
            case .serverRefused(.keyNotAllowed)?: outcome = .refusedForItsKey
            case .serverRefused(.notVouched)?: outcome = .refusedNotVouched
            default: outcome = nil
            }
            XCTAssertEqual(outcome, row.outcome, String(describing: row) + "\n" + world.log)
            XCTAssertEqual(world.tvsQueries.count, row.questions, String(describing: row))
        }
    }

    /// A server that shows yet another certificate after TVS vouched for one is refused:
    /// never a third connection.
    func testAnotherCertificateAfterTheVouchedOneIsRefused() throws {
        var attempt = ServerAcceptance.Attempt(.channel(.callControl), try Self.store())
        let vouched = try Vectors.certificate("interop/pki/phone-lsc-ec.pem")
        let stranger = try Vectors.certificate("interop/pki/rogue-sast.pem")
        XCTAssertEqual(attempt.unpinned(vouched.der), .askTVS)
        let verdict = Self.verdict(Self.answer(.vouches, for: attempt.acceptance), store: try Self.store(), presented: vouched.der,
                                   purpose: .callControl)
        XCTAssertNil(attempt.decided(vouched.der, verdict), "vouched: connect again")
        XCTAssertEqual(attempt.pinned.map(\.der), [vouched.der], "pinned to exactly the vouched certificate")
        XCTAssertEqual(attempt.vouching, verdict)
        XCTAssertEqual(attempt.unpinned(stranger.der), .refuse(.certificateChanged(subject: stranger.subject)))
        XCTAssertEqual(attempt.unpinned(Array("not DER".utf8)),
                       .refuse(.keyNotAllowed(subject: Certificate.subject(of: Array("not DER".utf8)), key: nil)))
    }

    /// What each policy pins: the listed certificates whose role fits, EC only on 6971.
    func testWhatIsPinned() throws {
        let store = try Self.store()
        XCTAssertEqual(ServerAcceptance.configurationOverHTTPS.pinned(store).map(\.subject), ["CN=tftp-ec,O=Lab,OU=Voice"])
        XCTAssertEqual(ServerAcceptance.channel(.configuration).pinned(store).map(\.subject),
                       ["CN=cucm-A45630BBFA40,O=Lab,OU=Voice", "CN=tftp-ec,O=Lab,OU=Voice"], "the CTL's first")
        // A trust-list signer by the installed ITL's own rule is a SAST record only; the CTL
        // may vouch for a CCM+TFTP one.
        XCTAssertEqual(ServerAcceptance.channel(.trustListSigner).pinned(store).map(\.subject),
                       ["CN=SAST-A45630BBFA40,O=Lab,OU=Security", "CN=cucm-A45630BBFA40,O=Lab,OU=Voice",
                        "CN=SAST2-A45630BBFA40,O=Lab,OU=Security"])
        XCTAssertEqual(ServerAcceptance.channel(.callControl).pinned(store).map(\.subject), ["CN=cucm-A45630BBFA40,O=Lab,OU=Voice"])
    }
}
