/// boot-flow.md step 7: bounded, growing waits while the encrypted configuration is out
/// of reach, the resume after a wait, and the reset after a new LSC.
extension BootMachine {
    mutating func timePassed(until: UInt64, resume: Resume, now: UInt64) -> ([BootAction], BootEvent) {
        guard now >= until else { return ([.waitUntil(until)], .stillWaiting(untilMs: until)) }
        switch resume {
        case .capf(let plan):
            let request = startCAPF(plan)
            return ([.runCAPF(request)], .capfStarting(request.attempt))
        case .refetchConfig:
            let fetch = Fetch(names: [settings.device.signedConfig], server: server)
            state = .fetchingConfig(fetch)
            return ([.fetch(name: fetch.name, server: fetch.server)], .resumed(then: .fetching(fetch.name)))
        }
    }

    /// Bounded, growing delays, then an error that names the cause.
    mutating func backOffUnavailable(_ cause: UnavailableCause, now: UInt64,
                                     logged: (BootNext) -> BootEvent) -> ([BootAction], BootEvent) {
        guard unavailableAttempts < settings.unavailableBackoffMs.count else {
            let failure = BootFailure.encryptedConfigUnavailable(cause)
            return fail(failure, logged(.stopping(failure)))
        }
        let delay = settings.unavailableBackoffMs[unavailableAttempts]
        unavailableAttempts += 1
        state = .waiting(until: now + delay, then: .refetchConfig)
        return ([.waitUntil(now + delay)], logged(.askingAgain(cause, inMs: delay)))
    }

    mutating func resetDone() -> ([BootAction], BootEvent) {
        resets += 1
        guard resets <= settings.maxResets else {
            return fail(.tooManyResets(resets), .failed(.tooManyResets(resets)))
        }
        return startOver()
    }
}
