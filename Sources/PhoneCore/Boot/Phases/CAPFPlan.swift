import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md step 6: CAPF by capfAuthMode, server after server, rounds 30 s apart;
/// a new LSC resets the phone. The plan is the data of both CAPF states (waiting for the
/// string, running a session) and of a wait that resumes CAPF.
struct CAPFPlan {
    /// The servers of the partial config, in order, and how far along.
    let servers: [DeviceConfiguration.CAPFServer]
    var index = 0
    var round = 0
    let reason: CAPFReason
    let authMode: CAPFAuthMode

    /// The decision by capfAuthMode. `logged` makes the step's one event, given what the
    /// phone does next.
    static func enroll(_ config: DeviceConfiguration, reason: CAPFReason, _ boot: inout BootContext,
                       logged: (BootNext) -> BootEvent) -> BootStep {
        guard !config.capfServers.isEmpty else { return .failing(.noCAPFServer, logged(.stopping(.noCAPFServer))) }
        let mode = config.capfAuthMode ?? .automatic
        if case .unsupported(let value) = mode {
            let failure = BootFailure.unsupportedCAPFAuthMode(value)
            return .failing(failure, logged(.stopping(failure)))
        }
        if case .existingCertificate = mode, boot.memory.activeIdentity == nil {
            return .failing(.noCertificateForCAPF, logged(.stopping(.noCertificateForCAPF)))
        }
        let plan = CAPFPlan(servers: config.capfServers, reason: reason, authMode: mode)
        if mode == .authenticationString, boot.run.authString == nil {
            // Never started on its own: the string is entered on the phone.
            return BootStep(to: .awaitingAuthString(plan), [.askForAuthString(retry: false)], logged(.askingForAuthString(retry: false)))
        }
        let request = plan.request(boot)
        return BootStep(to: .runningCAPF(plan), [.runCAPF(request)], logged(.enrolling(request.attempt)))
    }

    /// The session to run for the current server: what the runner needs travels in it.
    func request(_ boot: BootContext) -> CAPFRequest {
        CAPFRequest(server: servers[index], device: boot.settings.device, mode: authMode,
                    authString: authMode == .authenticationString ? boot.run.authString : nil,
                    reason: reason, pinned: boot.memory.trustStore.certificates(withRole: .capf),
                    lsc: boot.memory.lsc, mic: boot.memory.mic)
    }

    /// Running a session for the current server, with `event` saying so.
    func run(_ boot: BootContext, logged: (CAPFAttempt) -> BootEvent) -> BootStep {
        let request = request(boot)
        return BootStep(to: .runningCAPF(self), [.runCAPF(request)], logged(request.attempt))
    }

    /// awaitingAuthString: the user entered a string.
    func onAuthString(_ input: BootInput, _ boot: inout BootContext) -> BootStep? {
        guard case .authStringEntered(var digits) = input else { return nil }
        guard BootSettings.isValidAuthString(digits) else {
            zeroize(&digits)
            return BootStep(to: .awaitingAuthString(self), [.askForAuthString(retry: true)], .authStringRefused)
        }
        boot.run.authString = digits
        return run(boot) { .capfStarting($0) }
    }

    /// runningCAPF: the session ended.
    func onFinished(_ input: BootInput, _ boot: inout BootContext, now: UInt64) -> BootStep? {
        guard case .capfFinished(let outcome) = input else { return nil }
        let result = outcome.shown
        let logged = { (next: BootNext) in BootEvent.capfEnded(result, then: next) }
        switch outcome {
        case .installed(let identity):
            // The session's runner persisted it before reporting; the machine only
            // switches to it and resets, as the phone does.
            boot.memory.lsc = identity
            return BootStep(to: .resetting, [.reset(count: boot.run.resets + 1)], logged(.resetting))
        case .deleted:
            boot.memory.lsc = nil
            return BootStep(to: .resetting, [.reset(count: boot.run.resets + 1)], logged(.resetting))
        case .failed(let problem):
            if let code = problem.keyStoreCode {
                return .failing(.keyStoreFailed(code: code), logged(.stopping(.keyStoreFailed(code: code))))
            }
            var next = self
            next.index += 1
            if next.index < servers.count { return next.run(boot) { logged(.enrolling($0)) } }
            guard round < boot.settings.capfRoundRetries else {
                let failure = BootFailure.encryptedConfigUnavailable(.capfUnreachable(rounds: round + 1, last: problem))
                return .failing(failure, logged(.stopping(failure)))
            }
            next.index = 0
            next.round += 1
            let delay = boot.settings.capfRetryDelayMs
            return Wait.until(now + delay, then: .capf(next),
                              logged(.retryingCAPF(round: next.round, of: boot.settings.capfRoundRetries, inMs: delay)))
        case .retryLater(let seconds):
            boot.run.retryLaterCount += 1
            guard boot.run.retryLaterCount <= boot.settings.maxRetryLater else {
                let failure = BootFailure.encryptedConfigUnavailable(.capfRetryLaterForever)
                return .failing(failure, logged(.stopping(failure)))
            }
            let delay = min(UInt64(seconds) * 1000, boot.settings.maxRetryLaterDelayMs)
            return Wait.until(now + delay, then: .capf(self), logged(.retryingCAPFLater(inMs: delay)))
        case .nothingScheduled, .fetched:
            // CAPF ended without a change while the hash still differs: do not loop.
            return boot.backOffUnavailable(.capfWithoutNewCertificate(result), now: now, logged: logged)
        case .invalidAuthentication:
            if authMode == .authenticationString {
                if var digits = boot.run.authString { zeroize(&digits) }
                boot.run.authString = nil
                boot.run.authStringAttempts += 1
                if boot.run.authStringAttempts < boot.settings.maxAuthStringAttempts {
                    return BootStep(to: .awaitingAuthString(self), [.askForAuthString(retry: true)],
                                    logged(.askingForAuthString(retry: true)))
                }
            }
            return .failing(.capfRefused(.invalidAuthentication), logged(.stopping(.capfRefused(.invalidAuthentication))))
        case .unknownDevice:
            return .failing(.capfRefused(.unknownDevice), logged(.stopping(.capfRefused(.unknownDevice))))
        }
    }
}
