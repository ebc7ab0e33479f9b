import PhoneCrypto
import PhoneWire

/// How `BootRunner.run` ended.
public enum BootResult {
    case configured(DeviceConfiguration)
    case failed(BootFailure)
    /// capfAuthMode 1 and nobody entered a string.
    case needsAuthString
    /// The phone asked for a reset that the board carries out (`ResetKind.board`).
    case resetByBoard
    /// Configured, and `load` staged in `slot` (marked to try): a reset starts it, which only
    /// the board can do — whoever runs the boot, in-process resets or not.
    case loadStaged(DeviceConfiguration, load: String, slot: LoadSlot)

    /// Whether the board's resets of this boot still count at the next start
    /// (`BootMemory.boardResets`). They do across a reset, and across an end the board
    /// tries again on its own — no file server answered, or none had the configuration
    /// (`phone boot`'s exit 3) — or one that waits for an authentication string: were
    /// those to start a new count, a cluster could enrol, reboot and then answer "not
    /// found" once, for ever. Configured, or failed for good, the boot is over.
    public var keepsBoardResetCount: Bool {
        switch self {
        case .resetByBoard, .needsAuthString, .failed(.unreachable), .failed(.configNotFound): return true
        case .configured, .loadStaged, .failed: return false
        }
    }
}

/// Carries out the boot machine's actions on a platform until the boot ends.
public enum BootRunner {
    /// `inputs`: `.start` for a boot; a test resumes a paused boot with the input it
    /// waited for (an entered string).
    public static func run<P: PhonePlatform>(_ machine: inout BootMachine, on platform: inout P, rng: RandomGenerator,
                                             inputs first: [BootInput] = [.start]) -> BootResult {
        var inputs = first
        // One decider a boot: its TVS answers are cached for their TTL across the resets.
        var decider = TrustDecider()
        while !inputs.isEmpty {
            let input = inputs.removeFirst()
            let step = machine.handle(input, now: platform.now())
            platform.log(step.event, transition: step.transition)
            for action in step.actions {
                switch action {
                case .fetch(let name, let server):
                    switch platform.fetch(name, server: server) {
                    case .file(let bytes): inputs.append(.fileArrived(name: name, bytes: bytes))
                    case .notFound: inputs.append(.fileNotFound(name: name))
                    case .failed(let failure): inputs.append(.fetchFailed(name: name, failure))
                    }
                case .fetchConfigOverHTTPS(let request):
                    inputs.append(.httpsFetched(platform.fetchOverHTTPS(request, rng: rng)))
                case .persistTrustList(let kind, let bytes):
                    _ = platform.saveTrustList(kind, bytes)
                case .persistEncryptedFlag(let value):
                    _ = platform.saveEncryptedFlag(value)
                case .persistTVSServers(let servers):
                    _ = platform.saveTVSServers(servers)
                case .decideTrust(let question):
                    inputs.append(.trustDecided(decider.decide(question, now: platform.now(), rng: rng, on: &platform)))
                case .runCAPF(let request):
                    inputs.append(.capfFinished(platform.enroll(request, rng: rng)))
                case .askForAuthString(let retry):
                    guard let digits = platform.askForAuthString(retry: retry) else { return .needsAuthString }
                    inputs.append(.authStringEntered(digits))
                case .waitUntil(let time):
                    platform.sleep(until: time)
                    inputs.append(.timePassed)
                case .reset(let count):
                    guard platform.reset(count: count) == .inProcess else { return .resetByBoard }
                    inputs.append(.reset)
                case .confirmRunningLoad(let load):
                    platform.confirmRunningLoad(load)
                case .updateLoad(let request):
                    inputs.append(.loadUpdated(LoadUpdateRunner().run(request, on: &platform)))
                case .configured(let configuration):
                    return .configured(configuration)
                case .loadStaged(let configuration, let load, let slot):
                    return .loadStaged(configuration, load: load, slot: slot)
                case .failed(let failure):
                    return .failed(failure)
                }
            }
        }
        return .failed(.internalFault(.stoppedWithoutOutcome))
    }
}
