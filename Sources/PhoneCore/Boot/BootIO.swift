import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What happened, fed into the machine. The time of every input comes beside it
/// (`BootMachine.handle(_:now:)`), in milliseconds of a monotonic clock.
public enum BootInput {
    case start
    case fileArrived(name: String, bytes: [UInt8])
    case fileNotFound(name: String)
    /// Timeout or connection failure from the server the fetch went to.
    case fetchFailed(name: String, FetchFailure)
    case capfFinished(CAPFOutcome<Identity>)
    /// What a `.fetchConfigOverHTTPS` came to.
    case httpsFetched(HTTPSConfigResult)
    /// The answer to a `.decideTrust` question.
    case trustDecided(TrustVerdict)
    case timePassed
    case authStringEntered([UInt8])
    /// The platform has reset (acknowledging a `.reset` action).
    case reset
    /// What an `.updateLoad` came to.
    case loadUpdated(LoadUpdateResult)

    var kind: BootInputKind {
        switch self {
        case .start: return .start
        case .fileArrived: return .fileArrived
        case .fileNotFound: return .fileNotFound
        case .fetchFailed: return .fetchFailed
        case .capfFinished: return .capfFinished
        case .httpsFetched: return .httpsFetched
        case .trustDecided: return .trustDecided
        case .timePassed: return .timePassed
        case .authStringEntered: return .authStringEntered
        case .reset: return .reset
        case .loadUpdated: return .loadUpdated
        }
    }
}

/// What the platform must do next, in order.
public enum BootAction {
    case fetch(name: String, server: Int)
    /// Download the configuration over HTTPS (`HTTPSConfigRunner`), then feed `.httpsFetched`.
    case fetchConfigOverHTTPS(HTTPSConfigRequest)
    /// Persist an accepted trust list (atomically; it replaces the installed one).
    case persistTrustList(TrustListKind, [UInt8])
    /// Persist whether the last configuration was encrypted.
    case persistEncryptedFlag(Bool)
    /// Persist the TVS servers of the configuration just applied (asked on the next boot).
    case persistTVSServers([DeviceConfiguration.TVSServer])
    /// Decide this certificate's trust (`TrustDecider`: lists, cache, TVS), then feed
    /// `.trustDecided`.
    case decideTrust(TrustQuestion)
    /// Run this CAPF session (it carries its pinned certificates and identities).
    case runCAPF(CAPFRequest)
    /// Show the user a prompt for the authentication string (`retry`: the last was refused).
    case askForAuthString(retry: Bool)
    /// Feed `.timePassed` at or after this time.
    case waitUntil(UInt64)
    /// Reset as the phone does after a new LSC, then feed `.reset`. `count`: the resets of
    /// this boot so far, this one included; a board keeps it on its flash for the next
    /// power-on (`BootMemory.boardResets`).
    case reset(count: Int)
    /// The running load (this ID) reached configured: on trial, it is the good one now —
    /// before anything else, so that an update it is named starts from a good slot.
    case confirmRunningLoad(String)
    /// Run this firmware update (`LoadUpdateRunner`), then feed `.loadUpdated`.
    case updateLoad(LoadUpdateRequest)
    /// Hand the full configuration to the next stage. Terminal.
    case configured(DeviceConfiguration)
    /// Configured, and `load` staged in `slot`: only a reset starts it (the running program
    /// cannot become another load), so the boot ends asking the board for one. Terminal.
    case loadStaged(DeviceConfiguration, load: String, slot: LoadSlot)
    /// Stop with this cause. Terminal.
    case failed(BootFailure)
}

/// One step of the machine: what to do, the one event to log, and the transition it
/// took (nil when the input was ignored). Every phase answers with one.
public struct BootStep {
    public let actions: [BootAction]
    public let event: BootEvent
    public internal(set) var transition: BootTransition?
    /// The state the step enters (`handle` enters it once the table allows it).
    let next: BootMachine.State

    init(to next: BootMachine.State, _ actions: [BootAction], _ event: BootEvent) {
        self.next = next
        self.actions = actions
        self.event = event
    }

    /// The boot stops with `failure`, after `before`.
    static func failing(_ failure: BootFailure, _ event: BootEvent, _ before: [BootAction] = []) -> BootStep {
        BootStep(to: .failed(failure), before + [.failed(failure)], event)
    }
}
