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
    /// `load` is in `slot`, every one of its `images` checked, the slot marked to try: the
    /// phone resets into it.
    case loadStaged(load: String, slot: LoadSlot, images: Int)
    /// The configuration's load was not staged: the phone keeps the one it runs.
    case loadNotStaged(load: String, cause: LoadUpdateFailure)
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
        // One record, its kind set by each arm: a record made and returned in every arm
        // cost the x86_64 firmware 14 KiB of copies.
        var record = EventRecord(.started)
        switch self {
        case .started(let device, let reset, let installed):
            record.kind = .started
            record.device = device.text
            record.resets = reset
            record.installed = installed
        case .trustListInstalled(let name, let kind, let outcome, let signer):
            record.kind = .trustListInstalled
            record.file = name
            record.trustList = kind
            record.trustListOutcome = outcome
            record.signer = signer
        case .trustListRejected(let name, let kind, let cause):
            record.kind = .trustListRejected
            record.file = name
            record.trustList = kind
            record.cause = .trust(cause)
        case .askingTVS(let name, let kind, let signer, let refusal, let servers):
            record.kind = .askingTVS
            record.file = name
            record.trustList = kind
            record.signer = signer
            record.cause = .trust(refusal)
            record.tvsServers = servers
        case .trustListNotVouched(let name, let kind, let refusal, let verdict):
            record.kind = .trustListNotVouched
            record.file = name
            record.trustList = kind
            record.cause = .trust(refusal)
            record.verdict = verdict
        case .fileNotFound(let name, let then):
            record.kind = .fileNotFound
            record.file = name
            record.next = then
        case .fetchFailed(let name, let server, let cause, let nextServer):
            record.kind = .fetchFailed
            record.file = name
            record.fileServer = server + 1
            record.cause = .fetch(cause)
            record.nextFileServer = nextServer.map { $0 + 1 }
        case .noTrustList(let then):
            record.kind = .noTrustList
            record.next = then
        case .configApplied(let name, let signer, let encrypted):
            record.kind = .configApplied
            record.file = name
            record.signer = signer
            record.encrypted = encrypted
        case .httpsConfigApplied(let name, let server, let vouched):
            record.kind = .httpsConfigApplied
            record.file = name
            record.serverCertificate = server
            record.vouchedByTVS = vouched
        case .askingTVSAboutHTTPSServer(let subject, let servers):
            record.kind = .askingTVSAboutHTTPSServer
            record.serverCertificate = subject
            record.tvsServers = servers
        case .httpsServerVouched(let subject, let verdict):
            record.kind = .httpsServerVouched
            record.serverCertificate = subject
            record.verdict = verdict
        case .httpsConfigFallback(let cause, let then):
            record.kind = .httpsConfigFallback
            record.cause = .httpsFallback(cause)
            record.next = then
        case .partialConfig(let check, let then):
            record.kind = .partialConfig
            record.file = check.name
            record.signer = check.signer
            record.partialConfig = check
            record.next = then
        case .directDecryptFailed(let name, let cause, let then):
            record.kind = .directDecryptFailed
            record.file = name
            record.failure = cause
            record.next = then
        case .decryptionFailed(let name, let cause, let then):
            record.kind = .decryptionFailed
            record.file = name
            record.cause = .trust(cause)
            record.next = then
        case .capfStarting(let attempt):
            record.kind = .capfStarting
            record.setCAPFAttempt(attempt)
        case .capfEnded(let result, let then):
            record.kind = .capfEnded
            record.capfResult = result
            if case .installed(let subject) = result { record.issuedCertificate = subject }
            record.next = then
        case .authStringRefused:
            record.kind = .authStringRefused
        case .resumed(let then):
            record.kind = .resumed
            record.next = then
        case .stillWaiting(let until):
            record.kind = .stillWaiting
            record.untilMs = until
        case .failed(let failure):
            record.kind = .failed
            record.failure = failure
        case .ignored(let input, let state):
            record.kind = .ignored
            record.ignoredInput = input
            record.ignoredIn = state
        case .loadStaged(let load, let slot, let images):
            record.kind = .loadStaged
            record.load = load
            record.slot = slot
            record.images = images
            record.next = .resetting
        case .loadNotStaged(let load, let cause):
            record.kind = .loadNotStaged
            record.load = load
            record.cause = .loadUpdate(cause)
        }
        return record
    }
}
