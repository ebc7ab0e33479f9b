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
    case keyGenerationFailed(String)
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
    case finish(CAPFOutcome)
}

/// Why a CAPF session was abandoned.
public enum CAPFSessionError: Error, Equatable {
    case wire(CAPFWireError)
    case sessionIDChanged(expected: UInt32, received: UInt32)
    case unexpectedCommand(String, state: String)
    case missingElement(tag: UInt8, command: String)
    case unsupportedKeyRequest(String)
    case keyGenerationFailed(String)
    case signingFailed
    case closed(state: String)

    public var reason: String {
        switch self {
        case .wire(let error): return error.reason
        case .sessionIDChanged(let expected, let received):
            return "CAPF session id changed from " + String(expected) + " to " + String(received)
        case .unexpectedCommand(let command, let state): return "unexpected " + command + " while " + state
        case .missingElement(let tag, let command): return command + " lacks element " + String(tag)
        case .unsupportedKeyRequest(let what): return "unsupported key request: " + what
        case .keyGenerationFailed(let why): return "key generation failed: " + why
        case .signingFailed: return "could not sign the authentication data"
        case .closed(let state): return "server closed the connection while " + state
        }
    }
}

/// One step of the session: actions, and lines for the console (command names, never
/// key material or the authentication string).
public struct CAPFSessionStep {
    public var actions: [CAPFSessionAction] = []
    public var log: [String] = []
}
