import PhoneCrypto
import PhoneWire

/// The phone's side of one CAPF session (formats.md §3), sans-IO: plaintext in, messages
/// and requests out. The server speaks first; its first message fixes the session id.
public struct CAPFClientSession {
    enum State {
        case awaitingAuthRequest
        case awaitingOperation
        case generatingKey
        case awaitingCertificate(PrivateKey)
        case storing(Identity)
        case deleting
        /// Our last answer is sent; the outcome stands once the server ends the session.
        case awaitingEndSession(CAPFOutcome<Identity>)
        case finished

        var phase: CAPFSessionPhase {
            switch self {
            case .awaitingAuthRequest: return .awaitingAuthRequest
            case .awaitingOperation: return .awaitingOperation
            case .generatingKey: return .generatingKey
            case .awaitingCertificate: return .awaitingCertificate
            case .storing: return .storing
            case .deleting: return .deleting
            case .awaitingEndSession: return .awaitingEndSession
            case .finished: return .finished
            }
        }
    }

    /// The protocol version the phone speaks.
    public static let protocolVersion: UInt8 = 3

    let device: DeviceName
    let mode: CAPFAuthMode
    let authString: [UInt8]?
    let lsc: Identity?
    let mic: Identity?
    let rng: RandomGenerator
    private var state: State = .awaitingAuthRequest
    private var sessionID: UInt32?
    private var framer = CAPFFramer()

    /// `authString`: the string entered on the phone, sent when `mode` asks for one.
    public init(device: DeviceName, mode: CAPFAuthMode, authString: [UInt8]?, lsc: Identity?, mic: Identity?,
                rng: RandomGenerator) {
        self.device = device
        self.mode = mode
        self.authString = authString
        self.lsc = lsc
        self.mic = mic
        self.rng = rng
    }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    public var phase: CAPFSessionPhase { state.phase }

    public mutating func handle(_ input: CAPFSessionInput) throws(CAPFSessionError) -> CAPFSessionStep {
        guard !isFinished else { return CAPFSessionStep() }
        var step = CAPFSessionStep()
        switch input {
        case .received(let bytes):
            framer.append(bytes)
            while let message = try nextMessage() {
                try receive(message, &step)
                if isFinished { break }
            }
        case .keyGenerated(let key):
            guard case .generatingKey = state else { return step }
            let spki: [UInt8]
            do { spki = try key.subjectPublicKeyInfo() } catch { throw .keyGenerationFailed(error) }
            send(.keyGenerateResponse, [.init(CAPFTag.publicKey, spki)], &step)
            state = .awaitingCertificate(key)
        case .keyGenerationFailed(let error):
            throw .keyGenerationFailed(error)
        case .stored(let ok):
            guard case .storing(let identity) = state else { return step }
            step.events.append(.lscStored(ok))
            send(.storeCertificateResponse, [reason(ok ? CAPFReasonCode.success : CAPFReasonCode.invalidElement)], &step)
            state = .awaitingEndSession(ok ? .installed(identity) : .failed(.couldNotStoreLSC))
        case .deleted(let ok):
            guard case .deleting = state else { return step }
            send(.deleteCertificateResponse, [reason(ok ? CAPFReasonCode.success : CAPFReasonCode.invalidElement)], &step)
            state = .awaitingEndSession(ok ? .deleted : .failed(.couldNotDeleteLSC))
        case .closed:
            if case .awaitingEndSession(let outcome) = state {
                // The answer was sent; a server that hangs up instead of EndSession
                // still leaves the outcome standing.
                state = .finished
                step.actions.append(.finish(outcome))
                return step
            }
            throw .closed(phase: state.phase)
        }
        return step
    }

    // MARK: - Messages

    private mutating func nextMessage() throws(CAPFSessionError) -> CAPFMessage? {
        let next: CAPFMessage?
        do { next = try framer.next() } catch { throw .wire(error) }
        guard let message = next else { return nil }
        if let sessionID, sessionID != message.sessionID {
            throw .sessionIDChanged(expected: sessionID, received: message.sessionID)
        }
        sessionID = message.sessionID
        return message
    }

    private mutating func receive(_ message: CAPFMessage, _ step: inout CAPFSessionStep) throws(CAPFSessionError) {
        step.events.append(.received(message.command, skippedTags: message.skippedTags))
        // RetryLater may come at any time before the operation completes.
        if message.command == .retryLater {
            let delay = message.integer(CAPFTag.retryDelay) ?? 60
            finish(.retryLater(seconds: delay), &step)
            return
        }
        switch (state, message.command) {
        case (.awaitingAuthRequest, .authRequest):
            try answerAuthRequest(message, &step)
        case (.awaitingAuthRequest, .endSession), (.awaitingOperation, .endSession):
            finish(endOutcome(message.byte(CAPFTag.reason)), &step)
        case (.awaitingOperation, .keyGenerateRequest):
            let request = try keyRequest(message)
            step.events.append(.installRequested(request))
            send(.requestInProgress, [], &step)
            step.actions.append(.generateKey(request))
            state = .generatingKey
        case (.awaitingOperation, .fetchCertificateRequest):
            if let lsc {
                send(.fetchCertificateResponse, [reason(CAPFReasonCode.success),
                                                 .init(CAPFTag.certificate, CAPFElements.certificate(lsc.certificate.der,
                                                                                                     type: CAPFCertificateType.lsc))], &step)
            } else {
                // No LSC: reason 7, as formats.md §3 says.
                send(.fetchCertificateResponse, [reason(CAPFReasonCode.invalidElement)], &step)
            }
            state = .awaitingEndSession(.fetched)
        case (.awaitingOperation, .deleteCertificateRequest):
            step.actions.append(.deleteLSC)
            state = .deleting
        case (.awaitingCertificate(let key), .storeCertificateRequest):
            try receiveCertificate(message, key: key, &step)
        case (.awaitingCertificate, .endSession):
            finish(.failed(.endedBeforeCertificate(reason: message.byte(CAPFTag.reason) ?? 0)), &step)
        case (.awaitingEndSession(let outcome), .endSession):
            finish(outcome, &step)
        default:
            throw .unexpectedCommand(message.command, phase: state.phase)
        }
    }

    private mutating func finish(_ outcome: CAPFOutcome<Identity>, _ step: inout CAPFSessionStep) {
        state = .finished
        step.actions.append(.finish(outcome))
    }

    /// EndSession before any operation: 0 nothing scheduled, 9 unknown device, 7 bad
    /// authentication (a real CUCM also sends 7 when a certificate was already issued).
    private func endOutcome(_ code: UInt8?) -> CAPFOutcome<Identity> {
        switch code {
        case CAPFReasonCode.noAction, CAPFReasonCode.success, nil: return .nothingScheduled
        case CAPFReasonCode.invalidElement: return .invalidAuthentication
        case CAPFReasonCode.unknownDevice: return .unknownDevice
        default: return .failed(.endSession(reason: code ?? 0))
        }
    }

    private func keyRequest(_ message: CAPFMessage) throws(CAPFSessionError) -> KeyKind {
        // A real CUCM may send only the key size: a missing key type means RSA.
        switch message.byte(CAPFTag.keyType) ?? CAPFKeyType.rsa {
        case CAPFKeyType.rsa:
            guard let bits = message.integer(CAPFTag.keySize) else {
                throw .missingElement(tag: CAPFTag.keySize, command: message.command)
            }
            guard bits >= 512, bits <= 4096, bits % 8 == 0 else { throw .unsupportedKeyRequest(.rsaSize(bits)) }
            return .rsa(bits: Int(bits))
        case CAPFKeyType.ec:
            switch message.byte(CAPFTag.curve) ?? CAPFCurve.p256 {
            case CAPFCurve.p256: return .ec(.p256)
            case CAPFCurve.p384: return .ec(.p384)
            case CAPFCurve.p521: return .ec(.p521)
            case let other: throw .unsupportedKeyRequest(.curve(other))
            }
        case let other:
            throw .unsupportedKeyRequest(.keyType(other))
        }
    }

    private mutating func receiveCertificate(_ message: CAPFMessage, key: PrivateKey,
                                             _ step: inout CAPFSessionStep) throws(CAPFSessionError) {
        guard let value = message.value(CAPFTag.certificate) else {
            throw .missingElement(tag: CAPFTag.certificate, command: message.command)
        }
        let refusal: CertificateRefusal?
        var identity: Identity?
        if let parsed = CAPFElements.parseCertificate(value), let certificate = try? Certificate(der: parsed.der[...]) {
            if !Self.names(certificate.subject, device) {
                refusal = .otherDevice(subject: certificate.subject, expected: device)
            } else {
                // An identity exists only for a certificate of the key the phone generated.
                identity = try? Identity(certificate: certificate, privateKey: key)
                refusal = identity == nil ? .otherKey : nil
            }
        } else {
            refusal = .notDER
        }
        if let refusal {
            step.events.append(.certificateRefused(refusal))
            send(.storeCertificateResponse, [reason(CAPFReasonCode.invalidElement)], &step)
            state = .awaitingEndSession(.failed(.certificateRefused(refusal)))
            return
        }
        guard let identity else { return }
        step.events.append(.certificateReceived(subject: identity.certificate.subject))
        step.actions.append(.storeLSC(identity))
        state = .storing(identity)
    }

    /// The LSC's subject must name this phone (CN = device name, as CUCM issues it).
    static func names(_ subject: String, _ device: DeviceName) -> Bool {
        let wanted = Array(("CN=" + device.text).utf8)
        let bytes = Array(subject.utf8)
        guard bytes.count >= wanted.count else { return false }
        var index = 0
        while index + wanted.count <= bytes.count {
            if (index == 0 || bytes[index - 1] == UInt8(ascii: ",")) && Array(bytes[index..<(index + wanted.count)]) == wanted
                && (index + wanted.count == bytes.count || bytes[index + wanted.count] == UInt8(ascii: ",")) {
                return true
            }
            index += 1
        }
        return false
    }

    // MARK: - AuthResponse

    private mutating func answerAuthRequest(_ message: CAPFMessage, _ step: inout CAPFSessionStep) throws(CAPFSessionError) {
        let serverVersion = message.byte(CAPFTag.version) ?? Self.protocolVersion
        let version = serverVersion == 2 ? 2 : Self.protocolVersion
        var password: [UInt8] = []
        if mode == .authenticationString, let authString { password = authString }
        var elements: [CAPFMessage.Element] = [
            reason(CAPFReasonCode.success),
            .init(CAPFTag.version, [version]),
            .init(CAPFTag.password, CAPFElements.text(password)),
            .init(CAPFTag.deviceName, CAPFElements.text(Array(device.text.utf8))),
        ]
        // The AuthRequest's auth type (element 8) numbers the ways as capfAuthMode does; a
        // server that sends none leaves the configuration's mode in force.
        let asked = message.byte(CAPFTag.authType).map { CAPFAuthMode(Int($0)) } ?? mode
        var preferLSC: Bool?
        if case .existingCertificate(let lscFirst) = asked { preferLSC = lscFirst }
        if let preferLSC {
            let asLSC = lsc.map { ($0, CAPFCertificateType.lsc) }
            let asMIC = mic.map { ($0, CAPFCertificateType.mic) }
            let chosen: (Identity, UInt8)? = preferLSC ? (asLSC ?? asMIC) : (asMIC ?? asLSC)
            if let (identity, type) = chosen {
                elements += try certificateElements(identity, type: type)
            }
        }
        step.events.append(.answeredAuthRequest(mode))
        send(.authResponse, elements, &step)
        state = .awaitingOperation
    }

    /// The certificate, its signed data over `device name ‖ NUL ‖ certificate DER`
    /// (SHA-1 in tag 6, SHA-512 in tag 20) and, for an RSA MIC, SUDI data over the
    /// little-endian session id and the DER.
    private func certificateElements(_ identity: Identity, type: UInt8) throws(CAPFSessionError) -> [CAPFMessage.Element] {
        let der = identity.certificate.der
        let data = Array(device.text.utf8) + [0] + der
        do throws(CryptoError) {
            var elements: [CAPFMessage.Element] = [.init(CAPFTag.certificate, CAPFElements.certificate(der, type: type))]
            elements.append(.init(CAPFTag.signedData, try sign(identity.privateKey, .sha1, data)))
            elements.append(.init(CAPFTag.sha2SignedData, CAPFElements.sha2SignedData(try sign(identity.privateKey, .sha512, data))))
            if type == CAPFCertificateType.mic, identity.privateKey.kind.isRSA, let sessionID {
                let littleEndian: [UInt8] = [UInt8(truncatingIfNeeded: sessionID), UInt8(truncatingIfNeeded: sessionID >> 8),
                                             UInt8(truncatingIfNeeded: sessionID >> 16), UInt8(truncatingIfNeeded: sessionID >> 24)]
                let sudi = littleEndian + der
                elements.append(.init(CAPFTag.sudiData, CAPFElements.sudiData(
                    certificate: der, sha1Signature: try sign(identity.privateKey, .sha1, sudi),
                    sha512Signature: try sign(identity.privateKey, .sha512, sudi))))
            }
            return elements
        } catch {
            throw .signingFailed(error)
        }
    }

    /// RSA: type-1 padding of the bare hash; EC: ECDSA (formats.md §3).
    private func sign(_ key: PrivateKey, _ algorithm: HashAlgorithm, _ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        let digest = try Digest.hash(algorithm, data)
        return key.kind.isRSA ? try key.signBareHash(digest, rng: rng) : try key.sign(algorithm, digest: digest, rng: rng)
    }

    private func reason(_ code: UInt8) -> CAPFMessage.Element { .init(CAPFTag.reason, [code]) }

    private func send(_ command: CAPFCommand, _ elements: [CAPFMessage.Element], _ step: inout CAPFSessionStep) {
        if command != .authResponse { step.events.append(.sent(command)) }
        step.actions.append(.send(CAPFMessage(command, sessionID: sessionID ?? 0, elements).encoded()))
    }
}
