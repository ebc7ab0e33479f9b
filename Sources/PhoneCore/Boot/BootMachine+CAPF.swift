import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md step 6: CAPF by capfAuthMode, server after server, rounds 30 s apart;
/// a new LSC resets the phone.
extension BootMachine {
    /// The decision by capfAuthMode. `logged` makes the transition's one event, given
    /// what the phone does next.
    mutating func enroll(_ config: DeviceConfiguration, reason: CAPFReason, before: [BootAction],
                         logged: (BootNext) -> BootEvent) -> ([BootAction], BootEvent) {
        guard !config.capfServers.isEmpty else { return fail(.noCAPFServer, logged(.stopping(.noCAPFServer)), before) }
        let mode = config.capfAuthMode ?? .automatic
        if case .unsupported(let value) = mode {
            let failure = BootFailure.unsupportedCAPFAuthMode(value)
            return fail(failure, logged(.stopping(failure)), before)
        }
        if case .existingCertificate = mode, memory.activeIdentity == nil {
            return fail(.noCertificateForCAPF, logged(.stopping(.noCertificateForCAPF)), before)
        }
        let plan = CAPFPlan(servers: config.capfServers, reason: reason, authMode: mode)
        if mode == .authenticationString, authString == nil {
            // Never started on its own: the string is entered on the phone.
            state = .awaitingAuthString(plan)
            return (before + [.askForAuthString(retry: false)], logged(.askingForAuthString(retry: false)))
        }
        let request = startCAPF(plan)
        return (before + [.runCAPF(request)], logged(.enrolling(request.attempt)))
    }

    mutating func authStringEntered(_ entered: [UInt8], plan: CAPFPlan) -> ([BootAction], BootEvent) {
        var digits = entered
        guard BootSettings.isValidAuthString(digits) else {
            zeroize(&digits)
            return ([.askForAuthString(retry: true)], .authStringRefused)
        }
        authString = digits
        let request = startCAPF(plan)
        return ([.runCAPF(request)], .capfStarting(request.attempt))
    }

    /// Enters `runningCAPF` and makes the session's request: what the runner needs travels in it.
    mutating func startCAPF(_ plan: CAPFPlan) -> CAPFRequest {
        state = .runningCAPF(plan)
        let authentication: CAPFAuthentication
        switch plan.authMode {
        case .authenticationString: authentication = .string(authString ?? [])
        case .nullString: authentication = .nullString
        case .existingCertificate(let lscFirst): authentication = .certificate(lscFirst: lscFirst)
        case .automatic, .unsupported: authentication = .automatic
        }
        return CAPFRequest(server: plan.servers[plan.index], device: settings.device, authentication: authentication,
                           reason: plan.reason, pinned: memory.trustStore.certificates(withRole: .capf),
                           lsc: memory.lsc, mic: memory.mic)
    }

    mutating func capfFinished(_ plan: CAPFPlan, _ outcome: CAPFOutcome, now: UInt64) -> ([BootAction], BootEvent) {
        let result = outcome.result
        let logged = { (next: BootNext) in BootEvent.capfEnded(result, then: next) }
        switch outcome {
        case .installed(let identity):
            // The session's runner persisted it before reporting; the machine only
            // switches to it and resets, as the phone does.
            memory.lsc = identity
            state = .resetting
            return ([.reset], logged(.resetting))
        case .deleted:
            memory.lsc = nil
            state = .resetting
            return ([.reset], logged(.resetting))
        case .failed(let problem):
            var next = plan
            next.index += 1
            if next.index < plan.servers.count {
                let request = startCAPF(next)
                return ([.runCAPF(request)], logged(.enrolling(request.attempt)))
            }
            guard plan.round < settings.capfRoundRetries else {
                let failure = BootFailure.encryptedConfigUnavailable(.capfUnreachable(rounds: plan.round + 1, last: problem))
                return fail(failure, logged(.stopping(failure)))
            }
            next.index = 0
            next.round += 1
            let until = now + settings.capfRetryDelayMs
            state = .waiting(until: until, then: .capf(next))
            return ([.waitUntil(until)],
                    logged(.retryingCAPF(round: next.round, of: settings.capfRoundRetries, inMs: settings.capfRetryDelayMs)))
        case .retryLater(let seconds):
            retryLaterCount += 1
            guard retryLaterCount <= settings.maxRetryLater else {
                let failure = BootFailure.encryptedConfigUnavailable(.capfRetryLaterForever)
                return fail(failure, logged(.stopping(failure)))
            }
            let delay = min(UInt64(seconds) * 1000, settings.maxRetryLaterDelayMs)
            state = .waiting(until: now + delay, then: .capf(plan))
            return ([.waitUntil(now + delay)], logged(.retryingCAPFLater(inMs: delay)))
        case .nothingScheduled, .fetched:
            // CAPF ended without a change while the hash still differs: do not loop.
            return backOffUnavailable(.capfWithoutNewCertificate(result), now: now, logged: logged)
        case .invalidAuthentication:
            if plan.authMode == .authenticationString {
                if var digits = authString { zeroize(&digits) }
                authString = nil
                authStringAttempts += 1
                if authStringAttempts < settings.maxAuthStringAttempts {
                    state = .awaitingAuthString(plan)
                    return ([.askForAuthString(retry: true)], logged(.askingForAuthString(retry: true)))
                }
            }
            return fail(.capfRefused(.invalidAuthentication), logged(.stopping(.capfRefused(.invalidAuthentication))))
        case .unknownDevice:
            return fail(.capfRefused(.unknownDevice), logged(.stopping(.capfRefused(.unknownDevice))))
        }
    }
}
