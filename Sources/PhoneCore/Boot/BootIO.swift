import PhoneTrust
import PhoneWire

/// What happened, fed into the machine. The time of every input comes beside it
/// (`BootMachine.handle(_:now:)`), in milliseconds of a monotonic clock.
public enum BootInput {
    case start
    case fileArrived(name: String, bytes: [UInt8])
    case fileNotFound(name: String)
    /// Timeout or connection failure from the server the fetch went to.
    case fetchFailed(name: String, reason: String)
    case capfFinished(CAPFOutcome)
    case timePassed
    case authStringEntered([UInt8])
    /// The platform has reset (acknowledging a `.reset` action).
    case reset

    var kind: BootInputKind {
        switch self {
        case .start: return .start
        case .fileArrived: return .fileArrived
        case .fileNotFound: return .fileNotFound
        case .fetchFailed: return .fetchFailed
        case .capfFinished: return .capfFinished
        case .timePassed: return .timePassed
        case .authStringEntered: return .authStringEntered
        case .reset: return .reset
        }
    }
}

/// What the platform must do next, in order.
public enum BootAction {
    case fetch(name: String, server: Int)
    /// Persist an accepted trust list (atomically; it replaces the installed one).
    case persistTrustList(TrustListKind, [UInt8])
    /// Persist whether the last configuration was encrypted.
    case persistEncryptedFlag(Bool)
    case runCAPF(CAPFRequest)
    /// Show the user a prompt for the authentication string (`retry`: the last was refused).
    case askForAuthString(retry: Bool)
    /// Feed `.timePassed` at or after this time.
    case waitUntil(UInt64)
    /// Reset as the phone does after a new LSC, then feed `.reset`.
    case reset
    /// Hand the full configuration to the next stage. Terminal.
    case configured(DeviceConfiguration)
    /// Stop with this cause. Terminal.
    case failed(BootFailure)
}

/// Why a boot ended without a configuration.
public enum BootFailure: Error, Equatable {
    /// Every file server failed for this file.
    case unreachable(file: String)
    case configNotFound
    case configRejected(file: String, TrustError)
    case configMalformed(file: String, ConfigError)
    /// A partial configuration arrived unsigned, with no trust list to verify the rest.
    case partialConfigWithoutTrustList
    /// A partial configuration that does not say `encrConfig`: nothing to fetch.
    case partialConfigWithoutEncryption
    case noCAPFServer
    case unsupportedCAPFAuthMode(Int)
    /// capfAuthMode 3/4 and the phone holds no certificate.
    case noCertificateForCAPF
    case enrollmentFailed(String)
    /// The encrypted configuration stayed out of reach; names the cause.
    case encryptedConfigUnavailable(String)
    /// Decryption failed again after a CAPF enrolment meant to fix it.
    case decryptionFailed(TrustError)
    case tooManyResets(Int)

    public var reason: String {
        switch self {
        case .unreachable(let file): return "no file server answered for " + file
        case .configNotFound: return "no configuration file found"
        case .configRejected(let file, let error): return file + " rejected: " + error.reason
        case .configMalformed(let file, let error): return file + " malformed: " + error.reason
        case .partialConfigWithoutTrustList: return "partial configuration but no trust list installed"
        case .partialConfigWithoutEncryption: return "partial configuration without encrConfig"
        case .noCAPFServer: return "partial configuration lists no CAPF server"
        case .unsupportedCAPFAuthMode(let mode): return "unsupported capfAuthMode " + String(mode)
        case .noCertificateForCAPF: return "CAPF wants a certificate and the phone has none"
        case .enrollmentFailed(let cause): return "enrollment failed: " + cause
        case .encryptedConfigUnavailable(let cause): return "encrypted configuration unavailable: " + cause
        case .decryptionFailed(let error): return "decryption failed after enrollment: " + error.reason
        case .tooManyResets(let count): return "too many resets (" + String(count) + ")"
        }
    }
}
