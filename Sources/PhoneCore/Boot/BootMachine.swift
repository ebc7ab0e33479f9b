import PhoneCrypto
import PhoneTrust
import PhoneWire

/// One step of the machine: what to do, and the one event to log.
public struct BootStep {
    public let actions: [BootAction]
    public let event: BootEvent
}

/// The boot flow of boot-flow.md as a sans-IO state machine: inputs in, actions out. It
/// never reads a clock, a file or a socket; verification and decryption are pure
/// computations on bytes it was given.
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
        var authMode: Int
        var lastFailure = ""
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

    public private(set) var memory: BootMemory
    public let settings: BootSettings
    private var state: State = .idle
    private let rng: RandomGenerator

    // Kept across resets within one boot.
    private var resets = 0
    private var authString: [UInt8]?
    private var authStringAttempts = 0
    private var decryptionEnrollmentUsed = false
    private var unavailableAttempts = 0
    private var retryLaterCount = 0
    private var server = 0

    /// The last transition taken, for tests and the diagram check.
    public private(set) var lastTransition: BootTransition?

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
        let step = transition(input, now: now)
        let to = state.kind
        if case .ignored = step.event {
            return step
        }
        if let row = BootTransitions.table.first(where: { $0.from == from && $0.on == input.kind && $0.to == to }) {
            lastTransition = row
        } else {
            // Not in the table: a bug in this file. Never leave the phone half-way.
            state = .failed(.enrollmentFailed("internal: untabled transition"))
            lastTransition = nil
            assertionFailure("untabled transition " + from.rawValue + " -" + input.kind.rawValue + "-> " + to.rawValue)
        }
        return step
    }

    // MARK: - Transitions

    private mutating func transition(_ input: BootInput, now: UInt64) -> BootStep {
        switch (state, input) {
        case (.idle, .start):
            return startOver()

        case (.fetchingTrustList(let fetch, let kind), .fileArrived(let name, let bytes)) where sameText(name, fetch.name):
            return trustListArrived(fetch, kind: kind, bytes: bytes)
        case (.fetchingTrustList(var fetch, let kind), .fileNotFound(let name)) where sameText(name, fetch.name):
            fetch.index += 1
            if fetch.index < fetch.names.count {
                state = .fetchingTrustList(fetch, kind: kind)
                return step([.fetch(name: fetch.name, server: fetch.server)], .fileNotFound(name: name, next: "trying " + fetch.name))
            }
            if kind == .ctl {
                let next = itlFetch()
                state = .fetchingTrustList(next, kind: .itl)
                return step([.fetch(name: next.name, server: next.server)], .fileNotFound(name: name, next: "trying " + next.name))
            }
            if memory.trustStore.isEmpty {
                let next = configFetch()
                state = .fetchingConfig(next)
                return step([.fetch(name: next.name, server: next.server)], .noTrustList)
            }
            return fetchConfig(.fileNotFound(name: name, next: "trying " + configFetch().name))
        case (.fetchingTrustList(let fetch, let kind), .fetchFailed(let name, let reason)) where sameText(name, fetch.name):
            return failOver(fetch, reason: reason) { .fetchingTrustList($0, kind: kind) }

        case (.fetchingConfig(let fetch), .fileArrived(let name, let bytes)) where sameText(name, fetch.name):
            return configArrived(fetch, bytes: bytes, now: now)
        case (.fetchingConfig(var fetch), .fileNotFound(let name)) where sameText(name, fetch.name):
            fetch.index += 1
            guard fetch.index < fetch.names.count else {
                return fail(.configNotFound, .fileNotFound(name: name, next: nil))
            }
            state = .fetchingConfig(fetch)
            return step([.fetch(name: fetch.name, server: fetch.server)], .fileNotFound(name: name, next: "trying " + fetch.name))
        case (.fetchingConfig(let fetch), .fetchFailed(let name, let reason)) where sameText(name, fetch.name):
            return failOver(fetch, reason: reason) { .fetchingConfig($0) }

        case (.fetchingEncryptedConfig(let fetch, let partial), .fileArrived(let name, let bytes)) where sameText(name, fetch.name):
            return encryptedConfigArrived(name: name, bytes: bytes, partial: partial, now: now)
        case (.fetchingEncryptedConfig(let fetch, _), .fileNotFound(let name)) where sameText(name, fetch.name):
            return backOffUnavailable("the cluster does not serve " + name, now: now) { next in
                .fileNotFound(name: name, next: next)
            }
        case (.fetchingEncryptedConfig(let fetch, let partial), .fetchFailed(let name, let reason)) where sameText(name, fetch.name):
            return failOver(fetch, reason: reason) { .fetchingEncryptedConfig($0, partial: partial) }

        case (.awaitingAuthString(let plan), .authStringEntered(var digits)):
            guard BootSettings.isValidAuthString(digits) else {
                zeroize(&digits)
                return step([.askForAuthString(retry: true)], .authStringRefused)
            }
            authString = digits
            return runCAPF(plan)

        case (.runningCAPF(let plan), .capfFinished(let outcome)):
            return capfFinished(plan, outcome, now: now)

        case (.waiting(let until, let resume), .timePassed):
            guard now >= until else { return step([.waitUntil(until)], .stillWaiting(untilMs: until)) }
            switch resume {
            case .capf(let plan):
                return runCAPF(plan)
            case .refetchConfig:
                let fetch = Fetch(names: [settings.device.signedConfig], server: server)
                state = .fetchingConfig(fetch)
                return step([.fetch(name: fetch.name, server: fetch.server)],
                            .resumed("fetching " + fetch.name + " again"))
            }

        case (.resetting, .reset):
            resets += 1
            guard resets <= settings.maxResets else {
                return fail(.tooManyResets(resets), .failed(.tooManyResets(resets)))
            }
            return startOver()

        default:
            return BootStep(actions: [], event: .ignored(input: input.kind.rawValue, state: state.kind.rawValue))
        }
    }

    // MARK: - Trust lists

    private mutating func startOver() -> BootStep {
        let fetch = Fetch(names: [settings.device.perDeviceCTL, "CTLFile.tlv"], server: server)
        state = .fetchingTrustList(fetch, kind: .ctl)
        var installed: [String] = []
        if memory.trustStore.ctl != nil { installed.append("CTL") }
        if memory.trustStore.itl != nil { installed.append("ITL") }
        let trust = installed.isEmpty ? "no trust list installed" : installed.joined(separator: " and ") + " installed"
        return step([.fetch(name: fetch.name, server: fetch.server)],
                    .started(device: settings.device.text, reset: resets, trustLists: trust))
    }

    private func itlFetch() -> Fetch {
        Fetch(names: [settings.device.perDeviceITL, "ITLFile.tlv"], server: server)
    }

    /// Which configuration names to ask for, in order (boot-flow.md step 3).
    private func configFetch() -> Fetch {
        let device = settings.device
        if memory.trustStore.isEmpty {
            return Fetch(names: [device.plainConfig, DeviceName.defaultPlainConfig], server: server)
        }
        if memory.lastConfigEncrypted {
            return Fetch(names: [device.encryptedConfig, device.signedConfig, DeviceName.defaultSignedConfig], server: server)
        }
        return Fetch(names: [device.signedConfig, DeviceName.defaultSignedConfig], server: server)
    }

    private mutating func fetchConfig(_ event: BootEvent) -> BootStep {
        let fetch = configFetch()
        state = .fetchingConfig(fetch)
        return step([.fetch(name: fetch.name, server: fetch.server)], event)
    }

    private mutating func trustListArrived(_ fetch: Fetch, kind: TrustListKind, bytes: [UInt8]) -> BootStep {
        var actions: [BootAction] = []
        let event: BootEvent
        do {
            let update = try memory.trustStore.install(bytes, kind: kind, servedAs: fetch.name)
            if update.outcome != .unchanged { actions.append(.persistTrustList(kind, bytes)) }
            event = .trustListInstalled(name: fetch.name, kind: kind, outcome: update.outcome, signer: update.signer)
        } catch {
            // The installed list stays; the phone goes on with what it trusts.
            event = .trustListRejected(name: fetch.name, kind: kind, reason: error.reason)
        }
        if kind == .ctl {
            let next = itlFetch()
            state = .fetchingTrustList(next, kind: .itl)
            actions.append(.fetch(name: next.name, server: next.server))
            return step(actions, event)
        }
        let next = configFetch()
        state = .fetchingConfig(next)
        actions.append(.fetch(name: next.name, server: next.server))
        return step(actions, event)
    }

    // MARK: - Configuration

    private mutating func configArrived(_ fetch: Fetch, bytes: [UInt8], now: UInt64) -> BootStep {
        let name = fetch.name
        let device = settings.device
        if sameText(name, device.encryptedConfig) {
            // Asked first because the last config was encrypted (saves a round trip).
            switch decrypt(name: name, bytes: bytes) {
            case .success(let (config, signer)):
                return configured(config, name: name, signer: signer, encrypted: true)
            case .failure(let failure):
                var next = fetch
                next.index += 1
                state = .fetchingConfig(next)
                return step([.fetch(name: next.name, server: next.server)],
                            .directDecryptFailed(name: name, reason: failure.reason))
            }
        }
        let body: [UInt8]
        let signer: String?
        if memory.trustStore.isEmpty {
            body = bytes
            signer = nil
        } else {
            do {
                let verified = try memory.trustStore.verifyConfiguration(bytes, servedAs: name)
                body = Array(verified.file[verified.file.body])
                signer = verified.signer
            } catch {
                return fail(.configRejected(file: name, error), .failed(.configRejected(file: name, error)))
            }
        }
        let config: DeviceConfiguration
        do { config = try DeviceConfiguration.parse(body) } catch {
            return fail(.configMalformed(file: name, error), .failed(.configMalformed(file: name, error)))
        }
        guard config.isPartial else {
            return configured(config, name: name, signer: signer, encrypted: false)
        }
        guard signer != nil else { return fail(.partialConfigWithoutTrustList, .failed(.partialConfigWithoutTrustList)) }
        guard config.encrConfig else { return fail(.partialConfigWithoutEncryption, .failed(.partialConfigWithoutEncryption)) }
        var actions: [BootAction] = []
        // boot-flow.md step 5: MD5 of the LSC, else the MIC, against certHash (case folded).
        let certHash = config.certHash ?? ""
        let ownHash = ownCertificateHash()
        let matches = !certHash.isEmpty && ownHash != nil && certHash.utf8.elementsEqual(ownHash!.utf8)
        let ownCertificate = memory.lsc != nil ? "LSC" : (memory.mic != nil ? "MIC" : "no certificate")
        let logged = { (next: String) in
            BootEvent.partialConfig(name: name, signer: signer, certHash: certHash, ownHash: ownHash,
                                    ownCertificate: ownCertificate, matches: matches, next: next)
        }
        if matches {
            let fetch = Fetch(names: [settings.device.encryptedConfig], server: fetch.server)
            state = .fetchingEncryptedConfig(fetch, partial: config)
            actions.append(.fetch(name: fetch.name, server: fetch.server))
            return step(actions, logged("fetching " + fetch.name))
        }
        return enroll(config, reason: .keyMismatch, before: actions, logged: logged)
    }

    private mutating func encryptedConfigArrived(name: String, bytes: [UInt8], partial: DeviceConfiguration,
                                                 now: UInt64) -> BootStep {
        switch decrypt(name: name, bytes: bytes) {
        case .success(let (config, signer)):
            return configured(config, name: name, signer: signer, encrypted: true)
        case .failure(let failure):
            guard case .decryptionFailed(let error) = failure else {
                return fail(failure, .failed(failure))
            }
            // Enrol once to replace a key the cluster cannot encrypt to; not forever.
            guard !decryptionEnrollmentUsed else { return fail(failure, .failed(failure)) }
            decryptionEnrollmentUsed = true
            return enroll(partial, reason: .decryptionFailed, before: []) { next in
                .decryptionFailed(name: name, reason: error.reason, next: next)
            }
        }
    }

    /// Verifies and decrypts an `.enc.sgn` with the LSC's key, else the MIC's, and parses it.
    private func decrypt(name: String, bytes: [UInt8]) -> Result<(DeviceConfiguration, String), BootFailure> {
        let verified: VerifiedFile
        do { verified = try memory.trustStore.verifyConfiguration(bytes, servedAs: name) } catch {
            return .failure(.configRejected(file: name, error))
        }
        guard let key = memory.activeIdentity?.privateKey else { return .failure(.decryptionFailed(.keyUnwrapFailed)) }
        var plaintext: [UInt8]
        do { plaintext = try EncryptedConfig.decrypt(verified, privateKey: key, rng: rng) } catch {
            return .failure(.decryptionFailed(error))
        }
        defer { zeroize(&plaintext) }
        do {
            return .success((try DeviceConfiguration.parse(plaintext), verified.signer))
        } catch {
            return .failure(.configMalformed(file: name, error))
        }
    }

    /// Done. The flag that makes the next boot ask for the `.enc.sgn` first follows the
    /// configuration actually applied (not a partial one on the way), so the boot right
    /// after an enrolment fetches the `.sgn` again, as the troubleshooting note shows.
    private mutating func configured(_ config: DeviceConfiguration, name: String, signer: String?,
                                     encrypted: Bool) -> BootStep {
        var actions: [BootAction] = []
        if memory.lastConfigEncrypted != encrypted {
            memory.lastConfigEncrypted = encrypted
            actions.append(.persistEncryptedFlag(encrypted))
        }
        state = .configured
        actions.append(.configured(config))
        return step(actions, .configApplied(name: name, signer: signer, encrypted: encrypted))
    }

    private func ownCertificateHash() -> String? {
        guard let certificate = memory.activeIdentity?.certificate, let md5 = try? certificate.md5() else { return nil }
        return hexString(md5)
    }

    // MARK: - CAPF

    /// boot-flow.md step 6: the decision by capfAuthMode.
    /// `logged` makes the transition's one event, given what the phone does next.
    private mutating func enroll(_ config: DeviceConfiguration, reason: CAPFReason, before: [BootAction],
                                 logged: (String) -> BootEvent) -> BootStep {
        guard !config.capfServers.isEmpty else { return fail(.noCAPFServer, logged("no CAPF server"), before) }
        let mode = config.capfAuthMode ?? 0
        guard mode >= 0, mode <= 4 else {
            return fail(.unsupportedCAPFAuthMode(mode), logged("unsupported capfAuthMode"), before)
        }
        if mode >= 3, memory.activeIdentity == nil {
            return fail(.noCertificateForCAPF, logged("no certificate to authenticate with"), before)
        }
        let plan = CAPFPlan(servers: config.capfServers, reason: reason, authMode: mode)
        if mode == 1, authString == nil {
            // Never started on its own: the string is entered on the phone.
            state = .awaitingAuthString(plan)
            return step(before + [.askForAuthString(retry: false)], logged("authentication string required"))
        }
        let started = runCAPF(plan)
        guard case .capfStarting(let host, let port, let authentication, let why) = started.event else {
            return step(before + started.actions, logged("CAPF"))
        }
        return step(before + started.actions,
                    logged("CAPF " + host + ":" + String(port) + " (" + authentication + "), reason: " + why))
    }

    private func authentication(for plan: CAPFPlan) -> CAPFAuthentication {
        switch plan.authMode {
        case 1: return .string(authString ?? [])
        case 2: return .nullString
        case 3: return .certificate(lscFirst: true)
        case 4: return .certificate(lscFirst: false)
        default: return .automatic
        }
    }

    private mutating func runCAPF(_ plan: CAPFPlan) -> BootStep {
        let server = plan.servers[plan.index]
        let authentication = authentication(for: plan)
        state = .runningCAPF(plan)
        let request = CAPFRequest(server: server, device: settings.device, authentication: authentication, reason: plan.reason)
        return step([.runCAPF(request)], .capfStarting(host: server.host, port: server.port,
                                                       authentication: authentication.name, reason: plan.reason.name))
    }

    private mutating func capfFinished(_ plan: CAPFPlan, _ outcome: CAPFOutcome, now: UInt64) -> BootStep {
        let logged = { (next: String) in BootEvent.capfEnded(outcome: outcome.name, next: next) }
        switch outcome {
        case .installed(let identity):
            // The session's runner persisted it before reporting; the machine only
            // switches to it and resets, as the phone does.
            memory.lsc = identity
            state = .resetting
            return step([.reset], logged("resetting"))
        case .deleted:
            memory.lsc = nil
            state = .resetting
            return step([.reset], logged("resetting"))
        case .unreachable(let reason), .failed(let reason):
            var next = plan
            next.lastFailure = reason
            next.index += 1
            if next.index < plan.servers.count {
                let started = runCAPF(next)
                return step(started.actions, logged("trying " + plan.servers[next.index].host + ":"
                                                    + String(plan.servers[next.index].port)))
            }
            guard plan.round < settings.capfRoundRetries else {
                let failure = BootFailure.encryptedConfigUnavailable("CAPF unreachable after "
                    + String(plan.round + 1) + " rounds: " + reason)
                return fail(failure, logged("giving up until the next reset"))
            }
            next.index = 0
            next.round += 1
            let until = now + settings.capfRetryDelayMs
            state = .waiting(until: until, then: .capf(next))
            return step([.waitUntil(until)], logged("retry " + String(next.round) + " of " + String(settings.capfRoundRetries)
                                                    + " in " + Self.duration(settings.capfRetryDelayMs)))
        case .retryLater(let seconds):
            retryLaterCount += 1
            guard retryLaterCount <= settings.maxRetryLater else {
                return fail(.encryptedConfigUnavailable("CAPF keeps answering RetryLater"), logged("giving up"))
            }
            let delay = min(UInt64(seconds) * 1000, settings.maxRetryLaterDelayMs)
            state = .waiting(until: now + delay, then: .capf(plan))
            return step([.waitUntil(now + delay)], logged("retrying in " + Self.duration(delay)))
        case .nothingScheduled, .fetched:
            // CAPF ended without a change while the hash still differs: do not loop.
            return backOffUnavailable("CAPF ended without a new certificate (" + outcome.name + ")", now: now, logged: logged)
        case .invalidAuthentication:
            if plan.authMode == 1 {
                if var digits = authString { zeroize(&digits) }
                authString = nil
                authStringAttempts += 1
                if authStringAttempts < settings.maxAuthStringAttempts {
                    state = .awaitingAuthString(plan)
                    return step([.askForAuthString(retry: true)], logged("asking for the authentication string again"))
                }
            }
            return fail(.enrollmentFailed("invalid authentication"), logged("giving up"))
        case .unknownDevice:
            return fail(.enrollmentFailed("CAPF does not know this device"), logged("giving up"))
        }
    }

    static func duration(_ milliseconds: UInt64) -> String {
        milliseconds % 1000 == 0 ? String(milliseconds / 1000) + " s" : String(milliseconds) + " ms"
    }

    /// Bounded, growing delays, then an error that names the cause (boot-flow.md step 7).
    private mutating func backOffUnavailable(_ cause: String, now: UInt64, logged: (String) -> BootEvent) -> BootStep {
        guard unavailableAttempts < settings.unavailableBackoffMs.count else {
            return fail(.encryptedConfigUnavailable(cause), logged("encrypted configuration unavailable: " + cause))
        }
        let delay = settings.unavailableBackoffMs[unavailableAttempts]
        unavailableAttempts += 1
        state = .waiting(until: now + delay, then: .refetchConfig)
        return step([.waitUntil(now + delay)], logged("encrypted configuration unavailable (" + cause + "), asking again in "
                                                      + Self.duration(delay)))
    }

    // MARK: - Helpers

    /// A fetch timed out or failed: the same file from the next server, which later
    /// fetches then use; with no server left, the boot fails naming the file.
    private mutating func failOver(_ fetch: Fetch, reason: String, _ makeState: (Fetch) -> State) -> BootStep {
        let failed = fetch.server
        guard failed + 1 < settings.serverCount else {
            return fail(.unreachable(file: fetch.name), .fetchFailed(name: fetch.name, server: failed, reason: reason, next: nil))
        }
        var next = fetch
        next.server = failed + 1
        server = next.server
        state = makeState(next)
        return step([.fetch(name: next.name, server: next.server)],
                    .fetchFailed(name: fetch.name, server: failed, reason: reason, next: next.server))
    }

    private func step(_ actions: [BootAction], _ event: BootEvent) -> BootStep {
        BootStep(actions: actions, event: event)
    }

    private mutating func fail(_ failure: BootFailure, _ event: BootEvent, _ before: [BootAction] = []) -> BootStep {
        state = .failed(failure)
        return step(before + [.failed(failure)], event)
    }
}
