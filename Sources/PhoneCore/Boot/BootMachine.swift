import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The boot flow of boot-flow.md as a sans-IO state machine: inputs in, actions out. It
/// never reads a clock, a file or a socket; verification and decryption are pure
/// computations on bytes it was given. Each phase lives in its own file
/// (`BootMachine+TrustLists`, `+HTTPSConfiguration`, `+Configuration`,
/// `+EncryptedConfiguration`, `+CAPF`, `+Waiting`); `BootTransitions.table` lists every edge and is checked on every step.
public struct BootMachine {
    // MARK: State

    /// A file fetch in progress: the names still to try, and the server in use.
    struct Fetch {
        var names: [String]
        var index = 0
        var server: Int
        var name: String { names[index] }
    }

    /// A CAPF attempt: the servers of the partial config, in order, and how far along.
    struct CAPFPlan {
        var servers: [DeviceConfiguration.CAPFServer]
        var index = 0
        var round = 0
        var reason: CAPFReason
        var authMode: CAPFAuthMode
    }

    /// What a wait resumes.
    enum Resume {
        case capf(CAPFPlan)
        case refetchConfig
    }

    enum State {
        /// Not started.
        case idle
        /// CTL names first, then ITL names (`kind` says which is being fetched).
        case fetchingTrustList(Fetch, kind: TrustListKind)
        /// A new ITL whose signer the installed ITL does not list: TVS is asked about it.
        case verifyingTrustListSigner(Fetch, candidate: InstalledTrustList, refusal: TrustError)
        /// ITL signer version 1.1: `SEP<MAC>.cnf.xml.sgn` over TLS to port 6971 first.
        case fetchingConfigOverHTTPS(HTTPSAttempt)
        /// The HTTPS server's EC certificate is not listed: TVS is asked about it.
        case verifyingHTTPSServer(HTTPSAttempt, certificate: [UInt8])
        /// `.enc.sgn` (when the last config was encrypted), `.sgn`, `XMLDefault…`.
        case fetchingConfig(Fetch)
        /// The partial config's hash matched: fetching `SEP<MAC>.cnf.xml.enc.sgn`.
        case fetchingEncryptedConfig(Fetch, partial: DeviceConfiguration)
        /// capfAuthMode 1 and no string: the user must enter one.
        case awaitingAuthString(CAPFPlan)
        case runningCAPF(CAPFPlan)
        case waiting(until: UInt64, then: Resume)
        /// Asked the platform to reset after a new LSC.
        case resetting
        case configured
        case failed(BootFailure)

        var kind: BootStateKind {
            switch self {
            case .idle: return .idle
            case .fetchingTrustList: return .fetchingTrustList
            case .verifyingTrustListSigner: return .verifyingTrustListSigner
            case .fetchingConfigOverHTTPS: return .fetchingConfigOverHTTPS
            case .verifyingHTTPSServer: return .verifyingHTTPSServer
            case .fetchingConfig: return .fetchingConfig
            case .fetchingEncryptedConfig: return .fetchingEncryptedConfig
            case .awaitingAuthString: return .awaitingAuthString
            case .runningCAPF: return .runningCAPF
            case .waiting: return .waiting
            case .resetting: return .resetting
            case .configured: return .configured
            case .failed: return .failed
            }
        }
    }

    public internal(set) var memory: BootMemory
    public let settings: BootSettings
    var state: State = .idle
    let rng: RandomGenerator

    // Kept across resets within one boot.
    var resets = 0
    var authString: [UInt8]?
    var authStringAttempts = 0
    var decryptionEnrollmentUsed = false
    var unavailableAttempts = 0
    var retryLaterCount = 0
    /// The file server in use: a failed one is not asked again in this boot.
    var server = 0

    public init(settings: BootSettings, memory: BootMemory, rng: RandomGenerator) {
        self.settings = settings
        self.memory = memory
        self.rng = rng
        authString = settings.authString
    }

    public var stateKind: BootStateKind { state.kind }
    public var isFinished: Bool { state.kind == .configured || state.kind == .failed }

    /// Feeds one input, at time `now` (monotonic milliseconds).
    public mutating func handle(_ input: BootInput, now: UInt64) -> BootStep {
        let from = state.kind
        let (actions, event) = transition(input, now: now)
        if case .ignored = event { return BootStep(actions: actions, event: event, transition: nil) }
        let to = state.kind
        guard let row = BootTransitions.table.first(where: { $0.from == from && $0.on == input.kind && $0.to == to }) else {
            // Not in the table: a defect of this machine. Stop cleanly, never half-way.
            let fault = BootFailure.internalFault(.untabledTransition(from: from, on: input.kind, to: to))
            state = .failed(fault)
            return BootStep(actions: [.failed(fault)], event: .failed(fault), transition: nil)
        }
        return BootStep(actions: actions, event: event, transition: row)
    }

    // MARK: - Dispatch

    private mutating func transition(_ input: BootInput, now: UInt64) -> ([BootAction], BootEvent) {
        switch (state, input) {
        case (.idle, .start):
            return startOver()

        case (.fetchingTrustList(let fetch, let kind), .fileArrived(let name, let bytes)) where sameText(name, fetch.name):
            return trustListArrived(fetch, kind: kind, bytes: bytes)
        case (.fetchingTrustList(let fetch, let kind), .fileNotFound(let name)) where sameText(name, fetch.name):
            return trustListNotFound(fetch, kind: kind)
        case (.fetchingTrustList(let fetch, let kind), .fetchFailed(let name, let failure)) where sameText(name, fetch.name):
            return failOver(fetch, failure) { .fetchingTrustList($0, kind: kind) }

        case (.verifyingTrustListSigner(let fetch, let candidate, let refusal), .trustDecided(let verdict)):
            return signerDecided(fetch, candidate: candidate, refusal: refusal, verdict: verdict)

        case (.fetchingConfigOverHTTPS(let attempt), .httpsFetched(let result)):
            return httpsFetched(attempt, result)
        case (.verifyingHTTPSServer(let attempt, let certificate), .trustDecided(let verdict)):
            return httpsServerDecided(attempt, certificate: certificate, verdict: verdict)

        case (.fetchingConfig(let fetch), .fileArrived(let name, let bytes)) where sameText(name, fetch.name):
            return configArrived(fetch, bytes: bytes)
        case (.fetchingConfig(let fetch), .fileNotFound(let name)) where sameText(name, fetch.name):
            return configNotFound(fetch)
        case (.fetchingConfig(let fetch), .fetchFailed(let name, let failure)) where sameText(name, fetch.name):
            return failOver(fetch, failure) { .fetchingConfig($0) }

        case (.fetchingEncryptedConfig(let fetch, let partial), .fileArrived(let name, let bytes)) where sameText(name, fetch.name):
            return encryptedConfigArrived(name: name, bytes: bytes, partial: partial)
        case (.fetchingEncryptedConfig(let fetch, _), .fileNotFound(let name)) where sameText(name, fetch.name):
            return backOffUnavailable(.notServed(file: name), now: now) { .fileNotFound(name: name, then: $0) }
        case (.fetchingEncryptedConfig(let fetch, let partial), .fetchFailed(let name, let failure)) where sameText(name, fetch.name):
            return failOver(fetch, failure) { .fetchingEncryptedConfig($0, partial: partial) }

        case (.awaitingAuthString(let plan), .authStringEntered(let digits)):
            return authStringEntered(digits, plan: plan)

        case (.runningCAPF(let plan), .capfFinished(let outcome)):
            return capfFinished(plan, outcome, now: now)

        case (.waiting(let until, let resume), .timePassed):
            return timePassed(until: until, resume: resume, now: now)

        case (.resetting, .reset):
            return resetDone()

        default:
            return ([], .ignored(input: input.kind, state: state.kind))
        }
    }

    // MARK: - Shared by the phases

    /// A fetch timed out or failed: the same file from the next server, which later
    /// fetches then use; with no server left, the boot fails naming the file.
    mutating func failOver(_ fetch: Fetch, _ failure: FetchFailure, _ makeState: (Fetch) -> State) -> ([BootAction], BootEvent) {
        let failed = fetch.server
        guard failed + 1 < settings.serverCount else {
            return fail(.unreachable(file: fetch.name), .fetchFailed(name: fetch.name, server: failed, cause: failure, nextServer: nil))
        }
        var next = fetch
        next.server = failed + 1
        server = next.server
        state = makeState(next)
        return ([.fetch(name: next.name, server: next.server)],
                .fetchFailed(name: fetch.name, server: failed, cause: failure, nextServer: next.server))
    }

    mutating func fail(_ failure: BootFailure, _ event: BootEvent, _ before: [BootAction] = []) -> ([BootAction], BootEvent) {
        state = .failed(failure)
        return (before + [.failed(failure)], event)
    }
}
