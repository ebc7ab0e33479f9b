import PhoneCrypto
import PhoneWire

/// The key a KeyGenerateRequest asks for is a `KeyKind`: RSA with its size, or EC on
/// a curve.
extension KeyKind {
    /// Generates the key (mbedTLS); the runner calls this between `RequestInProgress`
    /// and `KeyGenerateResponse`, since a 4096-bit RSA key takes seconds on a phone.
    public func generate(rng: RandomGenerator) throws(CryptoError) -> PrivateKey {
        switch self {
        case .rsa(let bits): return try PrivateKey.generateRSA(bits: bits, rng: rng)
        case .ec(let curve): return try PrivateKey.generateEC(curve: curve, rng: rng)
        }
    }
}

/// Inputs to a CAPF client session.
public enum CAPFSessionInput {
    /// Plaintext from the TLS connection, in whatever chunks it arrived.
    case received([UInt8])
    case keyGenerated(PrivateKey)
    case keyGenerationFailed(CryptoError)
    /// The new LSC and key were (or were not) persisted atomically.
    case stored(Bool)
    /// The LSC and key were (or were not) removed.
    case deleted(Bool)
    /// The server closed the connection, or it broke.
    case closed
}

/// What the runner must do, in order.
public enum CAPFSessionAction {
    /// One message: write it in one piece (some servers stall on split writes).
    case send([UInt8])
    case generateKey(KeyKind)
    /// Persist the new LSC and its key atomically (key file 0600), then feed `.stored`.
    case storeLSC(Identity)
    /// Remove the LSC and its key, then feed `.deleted`.
    case deleteLSC
    /// The session is over: close the connection and report this to the boot machine.
    case finish(CAPFOutcome<Identity>)
}

/// Where a CAPF session stands (the session's states without their data).
public enum CAPFSessionPhase: Equatable, Sendable {
    case awaitingAuthRequest
    case awaitingOperation
    case generatingKey
    case awaitingCertificate
    case storing
    case deleting
    case awaitingEndSession
    case finished
}

/// A key request the phone does not serve.
public enum UnsupportedKeyRequest: Equatable, Sendable {
    case rsaSize(UInt32)
    case curve(UInt8)
    case keyType(UInt8)
}

/// Why a CAPF session was abandoned. Data only; `PhoneRuntime/Text` words it.
public enum CAPFSessionError: Error, Equatable {
    case wire(CAPFWireError)
    case sessionIDChanged(expected: UInt32, received: UInt32)
    case unexpectedCommand(CAPFCommand, phase: CAPFSessionPhase)
    case missingElement(tag: UInt8, command: CAPFCommand)
    case unsupportedKeyRequest(UnsupportedKeyRequest)
    case keyGenerationFailed(CryptoError)
    case signingFailed(CryptoError)
    case closed(phase: CAPFSessionPhase)
}

/// What a CAPF session shows on the console: command names and decisions, never key
/// material or the authentication string.
public enum CAPFEvent: Equatable {
    /// The runner: TLS is up and the server's certificate is a pinned CAPF record.
    case tlsEstablished(host: String, port: UInt16)
    /// A message from the server; `skippedTags`: elements the codec does not know.
    case received(CAPFCommand, skippedTags: [UInt8])
    case sent(CAPFCommand)
    /// AuthResponse, with how the phone authenticated.
    case answeredAuthRequest(CAPFAuthMode)
    case installRequested(KeyKind)
    case certificateReceived(subject: String)
    case certificateRefused(CertificateRefusal)
    case lscStored(Bool)
}

/// One step of the session: actions, and its console events.
public struct CAPFSessionStep {
    public var actions: [CAPFSessionAction] = []
    public var events: [CAPFEvent] = []
}

extension CAPFEvent {
    /// What the event says, field by field (see `EventRecord`).
    public var record: EventRecord {
        // One record, its kind set by each arm: a record made and returned in every arm
        // cost the x86_64 firmware 14 KiB of copies.
        var record = EventRecord(.started)
        switch self {
        case .tlsEstablished(let host, let port):
            record.kind = .capfTLSEstablished
            record.host = host
            record.port = port
        case .received(let command, let skipped):
            record.kind = .capfReceived
            record.capfCommand = command
            record.skippedTags = skipped
        case .sent(let command):
            record.kind = .capfSent
            record.capfCommand = command
        case .answeredAuthRequest(let mode):
            record.kind = .capfSent
            record.capfCommand = .authResponse
            record.capfMode = mode
        case .installRequested(let kind):
            record.kind = .capfInstallRequested
            record.keyKind = kind
        case .certificateReceived(let subject):
            record.kind = .capfCertificateReceived
            record.issuedCertificate = subject
        case .certificateRefused(let refusal):
            record.kind = .capfCertificateRefused
            record.cause = .certificateRefused(refusal)
        case .lscStored(let stored):
            record.kind = .capfLSCStored
            record.lscStored = stored
        }
        return record
    }
}
