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
    case capfEnded(CAPFOutcome<String>, then: BootNext)
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

extension BootEvent {
    /// What the event says, field by field: the JSON object and the C event are made from it.
    public var record: EventRecord {
        switch self {
        case .started(let device, let reset, let installed):
            return EventRecord(.started) { $0.device = device; $0.resets = reset; $0.installed = installed }
        case .trustListInstalled(let name, let kind, let outcome, let signer):
            return EventRecord(.trustListInstalled) {
                $0.file = name; $0.trustList = kind; $0.trustListOutcome = outcome; $0.signer = signer
            }
        case .trustListRejected(let name, let kind, let cause):
            return EventRecord(.trustListRejected) { $0.file = name; $0.trustList = kind; $0.cause = .trust(cause) }
        case .askingTVS(let name, let kind, let signer, let refusal, let servers):
            return EventRecord(.askingTVS) {
                $0.file = name; $0.trustList = kind; $0.signer = signer; $0.cause = .trust(refusal); $0.tvsServers = servers
            }
        case .trustListNotVouched(let name, let kind, let refusal, let verdict):
            return EventRecord(.trustListNotVouched) {
                $0.file = name; $0.trustList = kind; $0.cause = .trust(refusal); $0.verdict = verdict
            }
        case .fileNotFound(let name, let then):
            return EventRecord(.fileNotFound) { $0.file = name; $0.next = then }
        case .fetchFailed(let name, let server, let cause, let nextServer):
            return EventRecord(.fetchFailed) {
                $0.file = name; $0.fileServer = server + 1; $0.cause = .fetch(cause); $0.nextFileServer = nextServer.map { $0 + 1 }
            }
        case .noTrustList(let then):
            return EventRecord(.noTrustList) { $0.next = then }
        case .configApplied(let name, let signer, let encrypted):
            return EventRecord(.configApplied) { $0.file = name; $0.signer = signer; $0.encrypted = encrypted }
        case .httpsConfigApplied(let name, let server, let vouched):
            return EventRecord(.httpsConfigApplied) { $0.file = name; $0.serverCertificate = server; $0.vouchedByTVS = vouched }
        case .askingTVSAboutHTTPSServer(let subject, let servers):
            return EventRecord(.askingTVSAboutHTTPSServer) { $0.serverCertificate = subject; $0.tvsServers = servers }
        case .httpsServerVouched(let subject, let verdict):
            return EventRecord(.httpsServerVouched) { $0.serverCertificate = subject; $0.verdict = verdict }
        case .httpsConfigFallback(let cause, let then):
            return EventRecord(.httpsConfigFallback) { $0.cause = .httpsFallback(cause); $0.next = then }
        case .partialConfig(let check, let then):
            return EventRecord(.partialConfig) { $0.file = check.name; $0.signer = check.signer; $0.partialConfig = check; $0.next = then }
        case .directDecryptFailed(let name, let cause, let then):
            return EventRecord(.directDecryptFailed) { $0.file = name; $0.failure = cause; $0.next = then }
        case .decryptionFailed(let name, let cause, let then):
            return EventRecord(.decryptionFailed) { $0.file = name; $0.cause = .trust(cause); $0.next = then }
        case .capfStarting(let attempt):
            return EventRecord(.capfStarting) { $0.set(attempt) }
        case .capfEnded(let result, let then):
            return EventRecord(.capfEnded) { $0.capfResult = result; $0.next = then }
        case .authStringRefused:
            return EventRecord(.authStringRefused)
        case .resumed(let then):
            return EventRecord(.resumed) { $0.next = then }
        case .stillWaiting(let until):
            return EventRecord(.stillWaiting) { $0.untilMs = until }
        case .failed(let failure):
            return EventRecord(.failed) { $0.failure = failure }
        case .ignored(let input, let state):
            return EventRecord(.ignored) { $0.ignoredInput = input; $0.ignoredIn = state }
        }
    }
}
