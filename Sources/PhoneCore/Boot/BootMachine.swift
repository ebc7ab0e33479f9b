import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The boot flow of boot-flow.md as a sans-IO state machine: inputs in, actions out. It
/// never reads a clock, a file or a socket; verification and decryption are pure
/// computations on bytes it was given.
///
/// Each state that waits for something is a phase type in `Phases/` that owns its data
/// (the names still to try, the CAPF round, the certificate TVS is asked about), answers
/// the inputs it expects with one `BootStep` — the actions, the one event, and the state
/// to enter — and has its entry point beside it. `handle` is the one place the state
/// changes, after checking the step against `BootTransitions.table`.
public struct BootMachine {
    enum State {
        /// Not started.
        case idle
        /// CTL names first, then ITL names.
        case fetchingTrustList(TrustListFetch)
        /// A new ITL whose signer the installed ITL does not list: TVS is asked about it.
        case verifyingTrustListSigner(TrustListSignerCheck)
        /// ITL signer version 1.1: `SEP<MAC>.cnf.xml.sgn` over TLS to port 6971 first.
        case fetchingConfigOverHTTPS(HTTPSConfigFetch)
        /// The HTTPS server's EC certificate is not listed: TVS is asked about it.
        case verifyingHTTPSServer(HTTPSServerCheck)
        /// `.enc.sgn` (when the last config was encrypted), `.sgn`, `XMLDefault…`.
        case fetchingConfig(ConfigFetch)
        /// The partial config's hash matched: fetching `SEP<MAC>.cnf.xml.enc.sgn`.
        case fetchingEncryptedConfig(EncryptedConfigFetch)
        /// capfAuthMode 1 and no string: the user must enter one.
        case awaitingAuthString(CAPFPlan)
        case runningCAPF(CAPFPlan)
        case waiting(Wait)
        /// Asked the platform to reset after a new LSC.
        case resetting
        /// The full configuration names another load: it is fetched, checked and written
        /// into the inactive slot.
        case updatingLoad(LoadUpdate)
        case configured
        /// Configured, and a new load staged: the board resets into it.
        case loadStaged
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
            case .updatingLoad: return .updatingLoad
            case .configured: return .configured
            case .loadStaged: return .loadStaged
            case .failed: return .failed
            }
        }
    }

    var boot: BootContext
    var state: State = .idle

    public init(settings: BootSettings, memory: BootMemory, rng: RandomGenerator) {
        var run = BootRun(authString: settings.authString)
        run.resets = memory.boardResets
        boot = BootContext(memory: memory, settings: settings, rng: rng, run: run)
    }

    public var memory: BootMemory { boot.memory }
    public var settings: BootSettings { boot.settings }
    public var stateKind: BootStateKind { state.kind }
    public var isFinished: Bool { state.kind == .configured || state.kind == .loadStaged || state.kind == .failed }

    /// Feeds one input, at time `now` (monotonic milliseconds).
    public mutating func handle(_ input: BootInput, now: UInt64) -> BootStep {
        let from = state.kind
        guard var step = phaseStep(input, now: now) else {
            return BootStep(to: state, [], .ignored(input: input.kind, state: from))
        }
        guard let row = BootTransitions.table.first(where: { $0.from == from && $0.on == input.kind && $0.to == step.next.kind })
        else {
            // Not in the table: a defect of this machine. Stop cleanly, never half-way.
            let fault = BootFailure.internalFault(.untabledTransition(from: from, on: input.kind, to: step.next.kind))
            state = .failed(fault)
            return BootStep(to: state, [.failed(fault)], .failed(fault))
        }
        state = step.next
        step.transition = row
        return step
    }

    /// The current phase's answer to the input; nil when it does not expect it.
    private mutating func phaseStep(_ input: BootInput, now: UInt64) -> BootStep? {
        switch state {
        case .idle:
            guard case .start = input else { return nil }
            return boot.startWithinResetBound()
        case .fetchingTrustList(let phase): return phase.on(input, &boot)
        case .verifyingTrustListSigner(let phase): return phase.on(input, &boot)
        case .fetchingConfigOverHTTPS(let phase): return phase.on(input, &boot)
        case .verifyingHTTPSServer(let phase): return phase.on(input, &boot)
        case .fetchingConfig(let phase): return phase.on(input, &boot)
        case .fetchingEncryptedConfig(let phase): return phase.on(input, &boot, now: now)
        case .awaitingAuthString(let plan): return plan.onAuthString(input, &boot)
        case .runningCAPF(let plan): return plan.onFinished(input, &boot, now: now)
        case .waiting(let wait): return wait.on(input, &boot, now: now)
        case .resetting:
            guard case .reset = input else { return nil }
            return boot.resetDone()
        case .updatingLoad(let phase): return phase.on(input)
        case .configured, .loadStaged, .failed:
            return nil
        }
    }
}

/// What the phases share: what the phone remembers, the settings, the random source, and
/// what this run of the boot has spent.
struct BootContext {
    var memory: BootMemory
    let settings: BootSettings
    let rng: RandomGenerator
    var run: BootRun

    /// What the boot decides trust with: its lists, its TVS servers, its TVS name.
    var trustContext: TrustContext {
        TrustContext(store: memory.trustStore, tvsServers: memory.tvsServers,
                     deviceName: .ofPhone(device: settings.device, micSubject: memory.mic?.certificate.subject, model: settings.model))
    }

    /// A fetch timed out or failed: the same file from the next server, which later
    /// fetches then use; with no server left, the boot fails naming the file.
    mutating func failOver(_ fetch: Fetch, _ failure: FetchFailure, _ phase: (Fetch) -> BootMachine.State) -> BootStep {
        let failed = fetch.server
        guard failed + 1 < settings.serverCount else {
            return .failing(.unreachable(file: fetch.name), .fetchFailed(name: fetch.name, server: failed, cause: failure, nextServer: nil))
        }
        var next = fetch
        next.server = failed + 1
        run.server = next.server
        return BootStep(to: phase(next), [.fetch(name: next.name, server: next.server)],
                        .fetchFailed(name: fetch.name, server: failed, cause: failure, nextServer: next.server))
    }

    /// The platform has reset: the boot starts over, within its bound of resets.
    mutating func resetDone() -> BootStep {
        run.resets += 1
        return startWithinResetBound()
    }

    /// The boot starts (again) with the trust lists, unless it has reset more often than
    /// its bound: in-process resets, and a board's reboots counted on its flash, so that
    /// a cluster that installs an LSC at every boot cannot reboot a board forever.
    mutating func startWithinResetBound() -> BootStep {
        guard run.resets <= settings.maxResets else { return .failing(.tooManyResets(run.resets), .failed(.tooManyResets(run.resets))) }
        return TrustListFetch.start(&self)
    }
}

/// What one run of the boot carries across its phases and resets: the file server in use,
/// the string entered on the phone, and the counts each bounded by `BootSettings`.
struct BootRun {
    /// The file server in use: a failed one is not asked again in this boot.
    var server = 0
    var resets = 0
    var authString: [UInt8]?
    var authStringAttempts = 0
    /// Enrolment because the `.enc.sgn` could not be decrypted happens once per boot.
    var decryptionEnrollmentUsed = false
    /// Waits so far while the encrypted configuration was out of reach.
    var unavailableAttempts = 0
    var retryLaterCount = 0

    init(authString: [UInt8]?) { self.authString = authString }
}

/// A file fetch in progress: the names still to try, and the server in use.
struct Fetch {
    var names: [String]
    var index = 0
    var server: Int
    var name: String { names[index] }

    /// The input is about the file this fetch waits for.
    func awaits(_ name: String) -> Bool { sameText(name, self.name) }
}
