import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What a file fetch came to.
public enum FetchResult {
    case file([UInt8])
    case notFound
    /// Timeout, connection failure, transfer error: the next server may do better.
    case failed(String)
}

/// The platform contract: everything the core needs from a board, and nothing more.
/// A port implements this protocol (used as a generic constraint, which Embedded
/// Swift accepts) and hands it to `BootRunner`. No method decides policy.
public protocol PhonePlatform {
    associatedtype Connection: ByteStream

    /// File transport (TFTP or HTTP) from the configured server `server` (an index into
    /// the list the platform was given).
    mutating func fetch(_ name: String, server: Int) -> FetchResult
    /// TCP, for TLS to CAPF: the core runs TLS and the CAPF session over it.
    mutating func connect(host: String, port: UInt16, timeoutMs: Int32) -> Result<Connection, StreamError>
    /// Storage: replace a trust list atomically.
    mutating func saveTrustList(_ kind: TrustListKind, _ bytes: [UInt8]) -> Bool
    /// Storage: remember whether the last applied configuration was encrypted.
    mutating func saveEncryptedFlag(_ value: Bool) -> Bool
    /// Storage: the new LSC and its private key, atomically and together (key owner-only).
    mutating func saveLSC(_ identity: Identity) -> Bool
    /// Storage: remove the LSC and its key.
    mutating func deleteLSC() -> Bool
    /// The prompt: an authentication string from the user, or nil when nobody can answer.
    mutating func askForAuthString(retry: Bool) -> [UInt8]?
    /// Monotonic clock, milliseconds.
    func now() -> UInt64
    mutating func sleep(until time: UInt64)
    /// The phone resets (after a new LSC): drop caches, re-initialise the network.
    mutating func reset()
    /// Logging: one console event per boot step.
    mutating func log(_ event: BootEvent)
    /// Logging: a line from a session (CAPF message names; never secrets).
    mutating func log(line: String)
}

/// How `BootRunner.run` ended.
public enum BootResult {
    case configured(DeviceConfiguration)
    case failed(BootFailure)
    /// capfAuthMode 1 and nobody entered a string.
    case needsAuthString
}

/// Carries out the boot machine's actions on a platform until the boot ends.
public enum BootRunner {
    public static func run<P: PhonePlatform>(_ machine: inout BootMachine, on platform: inout P, rng: RandomGenerator,
                                             capf: CAPFRunner = CAPFRunner()) -> BootResult {
        var inputs: [BootInput] = [.start]
        while !inputs.isEmpty {
            let input = inputs.removeFirst()
            let step = machine.handle(input, now: platform.now())
            platform.log(step.event)
            for action in step.actions {
                switch action {
                case .fetch(let name, let server):
                    switch platform.fetch(name, server: server) {
                    case .file(let bytes): inputs.append(.fileArrived(name: name, bytes: bytes))
                    case .notFound: inputs.append(.fileNotFound(name: name))
                    case .failed(let reason): inputs.append(.fetchFailed(name: name, reason: reason))
                    }
                case .persistTrustList(let kind, let bytes):
                    _ = platform.saveTrustList(kind, bytes)
                case .persistEncryptedFlag(let value):
                    _ = platform.saveEncryptedFlag(value)
                case .runCAPF(let request):
                    let pinned = machine.memory.trustStore.certificates(withRole: .capf)
                    inputs.append(.capfFinished(capf.run(request, pinned: pinned, lsc: machine.memory.lsc, mic: machine.memory.mic,
                                                         rng: rng, on: &platform)))
                case .askForAuthString(let retry):
                    guard let digits = platform.askForAuthString(retry: retry) else { return .needsAuthString }
                    inputs.append(.authStringEntered(digits))
                case .waitUntil(let time):
                    platform.sleep(until: time)
                    inputs.append(.timePassed)
                case .reset:
                    platform.reset()
                    inputs.append(.reset)
                case .configured(let configuration):
                    return .configured(configuration)
                case .failed(let failure):
                    return .failed(failure)
                }
            }
        }
        return .failed(.enrollmentFailed("internal: the boot stopped without an outcome"))
    }
}
