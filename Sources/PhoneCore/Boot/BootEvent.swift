import PhoneTrust
import PhoneWire

/// The one event each step of the boot emits: typed data for the console, the JSON
/// log and a C callback alike (`PhoneRuntime/Text` makes the text). Nothing secret is ever in an
/// event: no key, no authentication string, no configuration content beyond what the
/// boot uses.
public enum BootEvent: Equatable {
    case started(device: DeviceName, reset: Int, installed: [TrustListKind])
    case trustListInstalled(name: String, kind: TrustListKind, outcome: TrustListUpdate.Outcome, signer: String)
    /// The installed list stays; the phone goes on with what it trusts.
    case trustListRejected(name: String, kind: TrustListKind, cause: TrustError)
    /// The installed ITL does not list the new ITL's signer: asking the `servers` TVS
    /// servers of the last configuration about it.
    case askingTVS(name: String, kind: TrustListKind, signer: String, refusal: TrustError, servers: Int)
    /// TVS did not vouch for the new signer: the installed list stays.
    case trustListNotVouched(name: String, kind: TrustListKind, refusal: TrustError, verdict: TrustVerdict)
    case fileNotFound(name: String, then: BootNext)
    /// `nextServer` nil: no server left.
    case fetchFailed(name: String, server: Int, cause: FetchFailure, nextServer: Int?)
    case noTrustList(then: BootNext)
    case configApplied(name: String, signer: String?, encrypted: Bool)
    /// The full configuration came over HTTPS from the server with this subject.
    case httpsConfigApplied(name: String, server: String, vouchedByTVS: Bool)
    /// The HTTPS server's EC certificate is not listed: asking the TVS servers about it.
    case askingTVSAboutHTTPSServer(subject: String, servers: Int)
    case httpsServerVouched(subject: String, verdict: TrustVerdict)
    case httpsConfigFallback(HTTPSFallback, then: BootNext)
    case partialConfig(PartialConfigCheck, then: BootNext)
    /// The `.enc.sgn` asked for first (the last config was encrypted) was not usable.
    case directDecryptFailed(name: String, cause: BootFailure, then: BootNext)
    case decryptionFailed(name: String, cause: TrustError, then: BootNext)
    case capfStarting(CAPFAttempt)
    case capfEnded(CAPFResult, then: BootNext)
    case authStringRefused
    case resumed(then: BootNext)
    case stillWaiting(untilMs: UInt64)
    case failed(BootFailure)
    case ignored(input: BootInputKind, state: BootStateKind)
}

/// What the phone does after the step an event reports.
public enum BootNext: Equatable {
    case fetching(String)
    case fetchingOverHTTPS(String, port: UInt16)
    case enrolling(CAPFAttempt)
    case askingForAuthString(retry: Bool)
    case resetting
    /// A CAPF round failed: round `round` of `of` after the delay.
    case retryingCAPF(round: Int, of: Int, inMs: UInt64)
    /// CAPF said RetryLater.
    case retryingCAPFLater(inMs: UInt64)
    /// The encrypted configuration is not to be had yet: the config again after the delay.
    case askingAgain(UnavailableCause, inMs: UInt64)
    case stopping(BootFailure)
}

/// The partial configuration's certificate hash against the phone's own.
public struct PartialConfigCheck: Equatable {
    public enum Certificate: Equatable, Sendable {
        case lsc
        case mic
        case none
    }

    public let name: String
    public let signer: String?
    /// As the configuration says it (case folded); empty when the cluster holds none.
    public let certHash: String
    public let ownHash: String?
    public let ownCertificate: Certificate
    public let matches: Bool

    public init(name: String, signer: String?, certHash: String, ownHash: String?, ownCertificate: Certificate, matches: Bool) {
        self.name = name
        self.signer = signer
        self.certHash = certHash
        self.ownHash = ownHash
        self.ownCertificate = ownCertificate
        self.matches = matches
    }
}
