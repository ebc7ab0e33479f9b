import PhoneCore
import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

final class CAPFSessionTests: XCTestCase {
    let rng = testRNG()
    let device = DeviceName("SEPA45630BBFA40")!

    private func session(_ mode: CAPFAuthMode = .automatic, authString: [UInt8]? = nil, device: DeviceName? = nil,
                         lsc: Identity? = nil, mic: Identity? = nil) -> CAPFClientSession {
        CAPFClientSession(device: device ?? self.device, mode: mode, authString: authString, lsc: lsc, mic: mic, rng: rng)
    }

    private func sent(_ step: CAPFSessionStep) -> [[UInt8]] {
        step.actions.compactMap { if case .send(let bytes) = $0 { return bytes } else { return nil } }
    }

    private func outcome(_ step: CAPFSessionStep) -> CAPFOutcome<Identity>? {
        for action in step.actions { if case .finish(let outcome) = action { return outcome } }
        return nil
    }

    private func message(_ command: CAPFCommand, id: UInt32 = 1, _ elements: [CAPFMessage.Element] = []) -> [UInt8] {
        CAPFMessage(command, sessionID: id, elements).encoded()
    }

    /// The RSA transcript replayed: the phone's messages are the reference phone's, byte
    /// for byte, where they do not depend on its random key.
    func testRSAInstallTranscriptReplay() throws {
        let lines = TranscriptLine.load("capf/install-rsa2048-no-password.txt")
        var session = session()
        var step = try session.handle(.received(lines[0].bytes))
        XCTAssertEqual(sent(step), [lines[1].bytes])
        step = try session.handle(.received(lines[2].bytes))
        XCTAssertEqual(sent(step), [lines[3].bytes])
        guard case .generateKey(let request) = step.actions.last else { return XCTFail() }
        XCTAssertEqual(request, .rsa(bits: 2048))
        let key = try request.generate(rng: rng)
        step = try session.handle(.keyGenerated(key))
        let response = try CAPFMessage.decode(try XCTUnwrap(sent(step).first))
        let reference = try CAPFMessage.decode(lines[4].bytes)
        XCTAssertEqual(response.command, reference.command)
        XCTAssertEqual(response.sessionID, reference.sessionID)
        XCTAssertEqual(response.elements.map(\.tag), reference.elements.map(\.tag))
        XCTAssertEqual(response.value(CAPFTag.publicKey)?.count, reference.value(CAPFTag.publicKey)?.count)
        XCTAssertEqual(response.value(CAPFTag.publicKey), try key.subjectPublicKeyInfo())
        // The transcript's certificate was issued for the reference phone's key, not this
        // one: the phone refuses it with reason 7 and stores nothing.
        step = try session.handle(.received(lines[5].bytes))
        XCTAssertFalse(step.actions.contains { if case .storeLSC = $0 { return true } else { return false } })
        XCTAssertEqual(sent(step), [message(.storeCertificateResponse, [.init(1, [7])])])
        step = try session.handle(.received(lines[7].bytes))
        guard case .failed(let why) = outcome(step) else { return XCTFail() }
        XCTAssertEqual(why, .certificateRefused(.otherKey))
    }

    func testECTranscriptWithAuthenticationString() throws {
        let lines = TranscriptLine.load("capf/install-ec-p256-password-123456.txt")
        var session = session(.authenticationString, authString: Array("123456".utf8), device: DeviceName("SEP00000000EC01"))
        XCTAssertEqual(sent(try session.handle(.received(lines[0].bytes))), [lines[1].bytes])
        let step = try session.handle(.received(lines[2].bytes))
        XCTAssertEqual(sent(step), [lines[3].bytes])
        guard case .generateKey(.ec(.p256)) = step.actions.last else { return XCTFail() }
    }

    func testUnknownDeviceTranscript() throws {
        let lines = TranscriptLine.load("capf/unknown-device.txt")
        var session = session(device: DeviceName("SEP111111111111"))
        XCTAssertEqual(sent(try session.handle(.received(lines[0].bytes))), [lines[1].bytes])
        guard case .unknownDevice = outcome(try session.handle(.received(lines[2].bytes))) else { return XCTFail() }
        XCTAssertTrue(session.isFinished)
    }

    /// A full install with a certificate issued for the generated key; the server
    /// messages are the sparse ones a real CUCM sends.
    func testSparseCUCMInstallStoresTheLSC() throws {
        let lines = TranscriptLine.load("capf/real-cucm-style-server-messages.txt")
        let capf = try Vectors.identity("capf/capf-server.pem")
        var session = session()
        let auth = try CAPFMessage.decode(try XCTUnwrap(sent(try session.handle(.received(lines[0].bytes))).first))
        XCTAssertEqual(auth.byte(CAPFTag.version), 3)
        let step = try session.handle(.received(lines[1].bytes))
        guard case .generateKey(.rsa(bits: 2048)) = step.actions.last else { return XCTFail("a missing key type means RSA") }
        let key = try KeyKind.rsa(bits: 1024).generate(rng: rng)
        _ = try session.handle(.keyGenerated(key))
        let issued = try CertificateIssuer.issue(.init(subject: "CN=SEPA45630BBFA40,O=Lab", serialNumber: [1, 2, 3]),
                                                 publicKey: PublicKey(subjectPublicKeyInfo: try key.subjectPublicKeyInfo()[...]),
                                                 issuer: capf, rng: rng)
        var stored = try session.handle(.received(message(.storeCertificateRequest, id: 7, [
            .init(CAPFTag.certificateType, [1]), .init(CAPFTag.certificate, CAPFElements.certificate(issued.der, type: 1))])))
        guard case .storeLSC(let identity) = stored.actions.last else { return XCTFail() }
        XCTAssertEqual(identity.certificate.der, issued.der)
        stored = try session.handle(.stored(true))
        XCTAssertEqual(sent(stored), [message(.storeCertificateResponse, id: 7, [.init(1, [1])])])
        guard case .installed(let installed) = outcome(try session.handle(.received(lines[3].bytes))) else { return XCTFail() }
        XCTAssertEqual(installed.certificate.der, issued.der)
    }

    func testAlreadyIssuedEndSessionMeansInvalidAuthentication() throws {
        let lines = TranscriptLine.load("capf/real-cucm-style-server-messages.txt")
        var session = session()
        _ = try session.handle(.received(lines[0].bytes))
        guard case .invalidAuthentication = outcome(try session.handle(.received(lines[4].bytes))) else { return XCTFail() }
    }

    func testPersistFailureIsReportedToTheServer() throws {
        var session = session()
        _ = try session.handle(.received(message(.authRequest, [.init(7, [3]), .init(8, [0])])))
        _ = try session.handle(.received(message(.keyGenerateRequest, [.init(10, [2, 0]), .init(17, [0])])))
        let key = try PrivateKey.generateRSA(bits: 512, rng: rng)
        _ = try session.handle(.keyGenerated(key))
        let certificate = try CertificateIssuer.issue(.init(subject: "CN=SEPA45630BBFA40", serialNumber: [9]),
                                                      publicKey: PublicKey(subjectPublicKeyInfo: try key.subjectPublicKeyInfo()[...]),
                                                      issuer: try Vectors.identity("capf/capf-server.pem"), rng: rng)
        _ = try session.handle(.received(message(.storeCertificateRequest, [.init(3, [1]), .init(4, CAPFElements.certificate(certificate.der, type: 1))])))
        let step = try session.handle(.stored(false))
        XCTAssertEqual(sent(step), [message(.storeCertificateResponse, [.init(1, [7])])])
        guard case .failed = outcome(try session.handle(.received(message(.endSession, [.init(1, [1])])))) else { return XCTFail() }
    }

    func testCertificateForAnotherDeviceOrGarbageIsRefused() throws {
        for (subject, garbage) in [("CN=SEP000000000001", false), ("CN=SEPA45630BBFA40", true)] {
            var session = session()
            _ = try session.handle(.received(message(.authRequest, [.init(7, [3])])))
            _ = try session.handle(.received(message(.keyGenerateRequest, [.init(10, [2, 0])])))
            let key = try PrivateKey.generateRSA(bits: 512, rng: rng)
            _ = try session.handle(.keyGenerated(key))
            var der = try CertificateIssuer.issue(.init(subject: subject, serialNumber: [9]),
                                                  publicKey: PublicKey(subjectPublicKeyInfo: try key.subjectPublicKeyInfo()[...]),
                                                  issuer: try Vectors.identity("capf/capf-server.pem"), rng: rng).der
            if garbage { der = Array(der.prefix(40)) + [UInt8](repeating: 0xAB, count: 100) }
            let step = try session.handle(.received(message(.storeCertificateRequest, [.init(3, [1]), .init(4, CAPFElements.certificate(der, type: 1))])))
            XCTAssertEqual(sent(step), [message(.storeCertificateResponse, [.init(1, [7])])], subject)
            XCTAssertFalse(step.actions.contains { if case .storeLSC = $0 { return true } else { return false } })
        }
    }

    func testFetchAndDelete() throws {
        let lsc = try Vectors.identity("cucm-style/pki/phone-mic.pem")
        var fetch = session(lsc: lsc)
        _ = try fetch.handle(.received(message(.authRequest, [.init(7, [3])])))
        let answer = try CAPFMessage.decode(try XCTUnwrap(sent(try fetch.handle(.received(message(.fetchCertificateRequest)))).first))
        XCTAssertEqual(answer.byte(CAPFTag.reason), 1)
        XCTAssertEqual(CAPFElements.parseCertificate(try XCTUnwrap(answer.value(CAPFTag.certificate)))?.der, lsc.certificate.der)
        guard case .fetched = outcome(try fetch.handle(.received(message(.endSession, [.init(1, [1])])))) else { return XCTFail() }

        var none = session()
        _ = try none.handle(.received(message(.authRequest, [.init(7, [3])])))
        XCTAssertEqual(sent(try none.handle(.received(message(.fetchCertificateRequest)))),
                       [message(.fetchCertificateResponse, [.init(1, [7])])])

        var delete = session(lsc: lsc)
        _ = try delete.handle(.received(message(.authRequest, [.init(7, [3])])))
        guard case .deleteLSC = try delete.handle(.received(message(.deleteCertificateRequest))).actions.last else { return XCTFail() }
        XCTAssertEqual(sent(try delete.handle(.deleted(true))), [message(.deleteCertificateResponse, [.init(1, [1])])])
        guard case .deleted = outcome(try delete.handle(.received(message(.endSession, [.init(1, [1])])))) else { return XCTFail() }
    }

    func testNothingScheduledAndRetryLater() throws {
        var idle = session()
        _ = try idle.handle(.received(message(.authRequest, [.init(7, [3])])))
        guard case .nothingScheduled = outcome(try idle.handle(.received(message(.endSession, [.init(1, [0])])))) else { return XCTFail() }
        var busy = session()
        guard case .retryLater(seconds: 90) = outcome(try busy.handle(.received(message(.retryLater, [.init(12, [0, 90])])))) else {
            return XCTFail()
        }
    }

    func testCertificateAuthenticationWithAnRSAMICCarriesSignedAndSUDIData() throws {
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        var session = session(.existingCertificate(lscFirst: true), mic: mic)
        let step = try session.handle(.received(message(.authRequest, id: 0x01020304, [.init(7, [3]), .init(8, [4])])))
        let auth = try CAPFMessage.decode(try XCTUnwrap(sent(step).first))
        XCTAssertEqual(auth.elements.map(\.tag), [1, 7, 11, 13, 4, 6, 20, 16])
        XCTAssertEqual(CAPFElements.parseCertificate(try XCTUnwrap(auth.value(4)))?.type, 2)
        let data = Array("SEPA45630BBFA40".utf8) + [0] + mic.certificate.der
        XCTAssertNoThrow(try mic.certificate.verifyBareHash(try Digest.hash(.sha1, data), signature: try XCTUnwrap(auth.value(6))[...]))
        let sha2 = try XCTUnwrap(CAPFElements.parseTyped(try XCTUnwrap(auth.value(20))))
        XCTAssertEqual(sha2.map(\.type), [3])
        XCTAssertNoThrow(try mic.certificate.verifyBareHash(try Digest.hash(.sha512, data), signature: sha2[0].bytes[...]))
        let sudi = try XCTUnwrap(CAPFElements.parseTyped(try XCTUnwrap(auth.value(16))))
        XCTAssertEqual(sudi.map(\.type), [0, 1, 3])
        XCTAssertEqual(sudi[0].bytes, mic.certificate.der)
        // Over the session id, little-endian, then the DER.
        let sudiData: [UInt8] = [0x04, 0x03, 0x02, 0x01] + mic.certificate.der
        XCTAssertNoThrow(try mic.certificate.verifyBareHash(try Digest.hash(.sha1, sudiData), signature: sudi[1].bytes[...]))
        XCTAssertNoThrow(try mic.certificate.verifyBareHash(try Digest.hash(.sha512, sudiData), signature: sudi[2].bytes[...]))
    }

    func testECCertificateAuthenticationUsesECDSA() throws {
        let lsc = try Vectors.identity("interop/pki/phone-lsc-ec.pem")
        var session = session(lsc: lsc)
        let step = try session.handle(.received(message(.authRequest, [.init(7, [3]), .init(8, [3])])))
        let auth = try CAPFMessage.decode(try XCTUnwrap(sent(step).first))
        XCTAssertEqual(auth.elements.map(\.tag), [1, 7, 11, 13, 4, 6, 20])
        let data = Array("SEPA45630BBFA40".utf8) + [0] + lsc.certificate.der
        XCTAssertNoThrow(try lsc.certificate.verify(.sha1, digest: try Digest.hash(.sha1, data), signature: try XCTUnwrap(auth.value(6))[...]))
    }

    func testHostileServerSessions() throws {
        // A changed session id.
        var changed = session()
        _ = try changed.handle(.received(message(.authRequest, id: 1, [.init(7, [3])])))
        XCTAssertThrowsError(try changed.handle(.received(message(.keyGenerateRequest, id: 2, [.init(10, [2, 0])])))) { error in
            XCTAssertEqual(error as? CAPFSessionError, .sessionIDChanged(expected: 1, received: 2))
        }
        // Out of order: a certificate before any key was asked for.
        var early = session()
        _ = try early.handle(.received(message(.authRequest, [.init(7, [3])])))
        XCTAssertThrowsError(try early.handle(.received(message(.storeCertificateRequest, [.init(3, [1])])))) { error in
            XCTAssertEqual(error as? CAPFSessionError, .unexpectedCommand(.storeCertificateRequest, phase: .awaitingOperation))
        }
        // Wrong protocol byte, a length over the cap.
        var wrong = session()
        XCTAssertThrowsError(try wrong.handle(.received([0x17, 1, 0, 0, 0, 1, 0, 0]))) { error in
            XCTAssertEqual(error as? CAPFSessionError, .wire(.wrongProtocol(0x17)))
        }
        var long = session()
        XCTAssertThrowsError(try long.handle(.received([0x55, 1, 0, 0, 0, 1, 0xF0, 0]))) { error in
            XCTAssertEqual(error as? CAPFSessionError, .wire(.tooLong(length: 0xF000, limit: CAPFMessage.maxPayload)))
        }
        // EndSession in the middle of an install.
        var middle = session()
        _ = try middle.handle(.received(message(.authRequest, [.init(7, [3])])))
        _ = try middle.handle(.received(message(.keyGenerateRequest, [.init(10, [2, 0])])))
        _ = try middle.handle(.keyGenerated(try PrivateKey.generateRSA(bits: 512, rng: rng)))
        guard case .failed(.endedBeforeCertificate(reason: 1)) = outcome(try middle.handle(.received(message(.endSession, [.init(1, [1])])))) else {
            return XCTFail()
        }
        // A server that hangs up mid-session.
        var hangup = session()
        _ = try hangup.handle(.received(message(.authRequest, [.init(7, [3])])))
        XCTAssertThrowsError(try hangup.handle(.closed)) { error in
            XCTAssertEqual(error as? CAPFSessionError, .closed(phase: .awaitingOperation))
        }
        // Unsupported key requests.
        for elements: [CAPFMessage.Element] in [[.init(10, [0, 100])], [.init(17, [1]), .init(18, [7])], [.init(17, [5])], [.init(17, [0])]] {
            var odd = session()
            _ = try odd.handle(.received(message(.authRequest, [.init(7, [3])])))
            XCTAssertThrowsError(try odd.handle(.received(message(.keyGenerateRequest, elements))))
        }
    }

    func testMessagesSplitAcrossReadsAndCoalesced() throws {
        let lines = TranscriptLine.load("capf/unknown-device.txt")
        var session = session(device: DeviceName("SEP111111111111"))
        let both = lines[0].bytes + lines[2].bytes
        var finished: CAPFOutcome<Identity>?
        for byte in both {
            let step = try session.handle(.received([byte]))
            finished = finished ?? outcome(step)
        }
        guard case .unknownDevice = finished else { return XCTFail() }
    }
}
