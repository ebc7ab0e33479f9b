import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// The boot machine's HTTPS configuration path, one test per transition (formats.md §5).
final class HTTPSConfigMachineTests: XCTestCase {
    let device = BootScenarios.device

    private func fallbacks(_ world: ScriptedWorld) -> [HTTPSFallback] {
        world.events.compactMap { event in
            if case .httpsConfigFallback(let cause, .fetching(let name)) = event, name == device.signedConfig { return cause }
            return nil
        }
    }

    /// fetchingTrustList -fileArrived-> fetchingConfigOverHTTPS, then -httpsFetched->
    /// configured: the 1.1 ITL sends the phone to 6971 with its MIC, pinned to the EC TFTP
    /// record only; the body is applied without any signed file.
    func testSignerVersion11FetchesOverHTTPSFirst() throws {
        let (world, machine) = try BootScenarios.signerVersion11([BootScenarios.httpsAnswer(from: try BootScenarios.tftpEC())])
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        let request = try XCTUnwrap(world.httpsRequests.first)
        XCTAssertEqual(world.httpsRequests.count, 1)
        XCTAssertEqual(request.name, "SEPA45630BBFA40.cnf.xml.sgn")
        XCTAssertEqual(request.port, 6971)
        XCTAssertEqual(request.pinned.map(\.der), [try BootScenarios.tftpEC().der], "the EC TFTP record, not the RSA ones")
        XCTAssertEqual(request.clientIdentity.certificate.der, try BootScenarios.mic().certificate.der)
        XCTAssertFalse(world.fetched.contains(device.signedConfig), "no signed configuration fetched: \(world.fetched)")
        XCTAssertTrue(world.events.contains(.httpsConfigApplied(name: device.signedConfig, server: "CN=tftp-ec,O=Lab,OU=Voice",
                                                                vouchedByTVS: false)), world.log)
        XCTAssertEqual(world.transitions.suffix(2).map(\.to), [.fetchingConfigOverHTTPS, .configured])
    }

    /// fetchingConfigOverHTTPS -httpsFetched-> failed: the phone's key store failed under the
    /// handshake; no fallback to 6970 (the same key would sign nothing there either, and
    /// the boot must say the store failed, not that the server did).
    func testAKeyStoreFailureEndsTheBootWithoutFallingBack() throws {
        let (world, machine) = try BootScenarios.signerVersion11([{ _ in BootScenarios.keyStoreBrokeTheHandshake }])
        XCTAssertEqual(machine.stateKind, .failed, world.log)
        XCTAssertEqual(world.failure, .keyStoreFailed(code: 0x30))
        XCTAssertEqual(world.httpsRequests.count, 1)
        XCTAssertFalse(world.fetched.contains(device.signedConfig), "no fallback: \(world.fetched)")
    }

    /// The LSC, when there is one, is the client certificate; `httpsPort` moves the port.
    func testTheLSCIsPresentedAndThePortMoves() throws {
        let lsc = try BootScenarios.issuedLSC()
        let (world, _) = try BootScenarios.signerVersion11([BootScenarios.httpsAnswer(from: try BootScenarios.tftpEC())],
                                                           memory: BootMemory(mic: try BootScenarios.mic(), lsc: lsc)) {
            $0.httpsPort = 16971
        }
        XCTAssertEqual(world.httpsRequests.first?.clientIdentity.certificate.der, lsc.certificate.der)
        XCTAssertEqual(world.httpsRequests.first?.port, 16971)
    }

    /// fetchingTrustList -fileNotFound-> fetchingConfigOverHTTPS: no list served, the
    /// installed 1.1 ITL still sends the phone to 6971.
    func testTheInstalledITLDecidesWhenNoListIsServed() throws {
        let (world, machine) = try BootScenarios.installedSignerVersion11()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.httpsRequests.count, 1)
        XCTAssertTrue(world.transitions.contains { $0.on == .fileNotFound && $0.to == .fetchingConfigOverHTTPS })
    }

    /// An ITL of signer version 1.0 (the vector ITLFile.tlv) never sends the phone to 6971.
    func testSignerVersion10StaysOnTheSignedFiles() throws {
        let (world, machine) = try BootScenarios.vectorsWithMIC()
        XCTAssertEqual(machine.memory.trustStore.itl?.list.file.signerVersion, FormatVersion(1, 0))
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertTrue(world.httpsRequests.isEmpty)
        XCTAssertFalse(world.transitions.contains { $0.to == .fetchingConfigOverHTTPS })
    }

    /// -httpsFetched-> fetchingConfig: refused, 403, a partial answer, a malformed one —
    /// each falls back to the signed configuration over 6970, with the cause.
    func testEveryFailureFallsBackWithItsCause() throws {
        let partial = Array("<device><fullConfig>false</fullConfig><encrConfig>true</encrConfig></device>".utf8)
        let cases: [(HTTPSConfigResult, HTTPSFallback)] = [
            (.failed(.channel(.connect(.refused))), .failed(.channel(.connect(.refused)))),
            (.failed(.status(403)), .failed(.status(403))),
            (.failed(.channel(.stoppedAnswering(afterMs: 10_000))), .failed(.channel(.stoppedAnswering(afterMs: 10_000)))),
            (.configuration(partial, server: try BootScenarios.tftpEC().der), .notFullConfiguration),
            (.configuration(Array("<device><fullConfig>true</fullConfig><certHash>00112233445566778899aabbccddeeff</certHash></device>".utf8),
                            server: try BootScenarios.tftpEC().der),
             .forAnotherCertificate(certHash: "00112233445566778899aabbccddeeff",
                                    presented: hexString(try BootScenarios.mic().certificate.md5()))),
        ]
        for (answer, cause) in cases {
            let (world, machine) = try BootScenarios.signerVersion11([{ _ in answer }])
            XCTAssertEqual(machine.stateKind, .configured, world.log)
            XCTAssertEqual(fallbacks(world), [cause], world.log)
            XCTAssertTrue(world.fetched.contains(device.signedConfig))
            XCTAssertTrue(world.events.contains { if case .configApplied(_, .some, false) = $0 { return true }; return false })
        }
        let (world, _) = try BootScenarios.signerVersion11([{ _ in .configuration(Array("<device><".utf8), server: []) }])
        guard case .malformed = fallbacks(world).first else { return XCTFail(world.log) }
    }

    /// An RSA server certificate on 6971 is refused without asking TVS.
    func testAnRSAServerIsRefusedWithoutTVS() throws {
        let rsa = try Vectors.certificate("interop/pki/ccm-tftp.pem")
        let (world, _) = try BootScenarios.signerVersion11([{ _ in .failed(.channel(.tls(.certificateNotTrusted(certificate: rsa.der)))) }],
                                                           tvs: { _ in .answered(.valid(roles: [.tftp], ttlSeconds: 60)) })
        XCTAssertEqual(fallbacks(world), [.serverRefused(.keyNotAllowed(subject: rsa.subject, key: .rsa(bits: 2048)))], world.log)
        XCTAssertTrue(world.tvsQueries.isEmpty)
    }

    /// -httpsFetched-> verifyingHTTPSServer -trustDecided-> fetchingConfigOverHTTPS: TVS
    /// vouches with a TFTP role, the phone connects again pinned to exactly that certificate.
    func testTVSVouchesForAnUnlistedECServer() throws {
        let stranger = try BootScenarios.strangerEC()
        let (world, machine) = try BootScenarios.signerVersion11(
            [{ _ in .failed(.channel(.tls(.certificateNotTrusted(certificate: stranger.der)))) }, BootScenarios.httpsAnswer(from: stranger)],
            tvs: { _ in .answered(.valid(roles: [.tftp], ttlSeconds: 600)) })
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.tvsQueries.count, 1)
        XCTAssertEqual(world.tvsQueries.first?.request.certificate, stranger.der)
        XCTAssertEqual(world.httpsRequests.count, 2)
        XCTAssertEqual(world.httpsRequests.last?.pinned.map(\.der), [stranger.der])
        XCTAssertTrue(world.events.contains(.httpsConfigApplied(name: device.signedConfig, server: stranger.subject, vouchedByTVS: true)))
    }

    /// -trustDecided-> fetchingConfig: TVS says invalid, or vouches with a role that does
    /// not fit a configuration server: fall back. A second refusal after vouching falls
    /// back too (no loop).
    func testNotVouchedFallsBack() throws {
        let stranger = try BootScenarios.strangerEC()
        let refused: (HTTPSConfigRequest) -> HTTPSConfigResult = { _ in
            .failed(.channel(.tls(.certificateNotTrusted(certificate: stranger.der))))
        }
        for answer in [TVSQueryResult.answered(.invalid), .answered(.valid(roles: [.appServer], ttlSeconds: 60))] {
            let (world, machine) = try BootScenarios.signerVersion11([refused], tvs: { _ in answer })
            XCTAssertEqual(machine.stateKind, .configured, world.log)
            guard case .serverRefused(.notVouched(let subject, _)) = fallbacks(world).first else { return XCTFail(world.log) }
            XCTAssertEqual(subject, stranger.subject)
            XCTAssertEqual(world.httpsRequests.count, 1)
        }
        let (world, _) = try BootScenarios.signerVersion11([refused, refused], tvs: { _ in .answered(.valid(roles: [.tftp], ttlSeconds: 60)) })
        XCTAssertEqual(world.httpsRequests.count, 2, "asked again once, then fell back")
        XCTAssertEqual(fallbacks(world), [.serverRefused(.certificateChanged(subject: stranger.subject))], world.log)
    }

    /// Configurations as production CUCM writes them (formats.md §2) boot over HTTPS too:
    /// undeclared prefixes, hundreds of unused elements, empty elements, and `certHash`
    /// in upper case as CUCM 15 writes it.
    func testRealClusterConfigurationsOverHTTPS() throws {
        let folder = Vectors.projectRoot.appendingPathComponent("Tests/RealClusterConfigs")
        let micHash = hexString(try BootScenarios.mic().certificate.md5()).uppercased()
        for name in ["encrypted-full-cucm15.cnf.xml", "nonsecure-sip-cucm12.cnf.xml"] {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                .replacingOccurrences(of: "56070B67898BE069C8F59540B8BD89F0", with: micHash)
            let body = Array(text.utf8)
            let (world, machine) = try BootScenarios.signerVersion11([{ _ in .configuration(body, server: try! BootScenarios.tftpEC().der) }])
            XCTAssertEqual(machine.stateKind, .configured, name + ": " + world.log)
            XCTAssertTrue(fallbacks(world).isEmpty, name + ": " + world.log)
            XCTAssertFalse(world.fetched.contains(device.signedConfig), name)
        }
    }

    /// The decrypted-equivalent body never reaches an event (it holds the config's secrets).
    func testTheBodyIsNotInAnyEvent() throws {
        let (world, _) = try BootScenarios.signerVersion11([BootScenarios.httpsAnswer(from: try BootScenarios.tftpEC())])
        XCTAssertFalse(world.log.contains("<device>"))
    }
}
