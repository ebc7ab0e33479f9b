/// boot-flow.md step 7: bounded, growing waits while the encrypted configuration is out
/// of reach, and the waits between CAPF rounds; what a wait resumes.
struct Wait {
    enum Resume {
        case capf(CAPFPlan)
        case refetchConfig
    }

    let until: UInt64
    let resume: Resume

    /// Waiting until `until`, then `resume`, with `event` saying so.
    static func until(_ until: UInt64, then resume: Resume, _ event: BootEvent) -> BootStep {
        BootStep(to: .waiting(Wait(until: until, resume: resume)), [.waitUntil(until)], event)
    }

    func on(_ input: BootInput, _ boot: inout BootContext, now: UInt64) -> BootStep? {
        guard case .timePassed = input else { return nil }
        guard now >= until else { return Self.until(until, then: resume, .stillWaiting(untilMs: until)) }
        switch resume {
        case .capf(let plan):
            return plan.run(boot) { .capfStarting($0) }
        case .refetchConfig:
            let next = ConfigFetch(fetch: Fetch(names: [boot.settings.device.signedConfig], server: boot.run.server))
            return BootStep(to: .fetchingConfig(next), [.fetch(name: next.fetch.name, server: next.fetch.server)],
                            .resumed(then: .fetching(next.fetch.name)))
        }
    }
}

extension BootContext {
    /// Bounded, growing delays, then an error that names the cause.
    mutating func backOffUnavailable(_ cause: UnavailableCause, now: UInt64, logged: (BootNext) -> BootEvent) -> BootStep {
        guard run.unavailableAttempts < settings.unavailableBackoffMs.count else {
            let failure = BootFailure.encryptedConfigUnavailable(cause)
            return .failing(failure, logged(.stopping(failure)))
        }
        let delay = settings.unavailableBackoffMs[run.unavailableAttempts]
        run.unavailableAttempts += 1
        return Wait.until(now + delay, then: .refetchConfig, logged(.askingAgain(cause, inMs: delay)))
    }
}
