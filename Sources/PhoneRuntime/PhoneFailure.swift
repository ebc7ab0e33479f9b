import LinuxPlatform
import PhoneCrypto

/// Caps on what the phone reads from files: far above any real file, far below memory.
public enum FileLimits {
    public static let signedFile = 8 * 1024 * 1024
    public static let keyFile = 64 * 1024
}

/// How a command of the phone ends when it does not succeed: `phone`'s subcommands and
/// the C API's calls alike. Each caller maps it: `phone` to its exit codes, the C API to
/// its statuses.
public enum PhoneFailure: Error {
    case usage(String)
    /// An option of the request that cannot be used, and what is wrong with it ("must be 1
    /// to 600000"): each caller names the option its own way (`message(naming:)`).
    case option(BootOption, String)
    /// Two options that exclude each other were both given.
    case optionsTogether(BootOption, BootOption)
    case file(FileError)
    /// A file that was read but is not what the option needs (e.g. no private key).
    case input(String)
    case rejected(String)
    case unreachable(String)
    case enrollmentFailed(String)
    case needsAuthString
    /// The boot asked for a reset that the board carries out (`BootRequest.resets`).
    case resetByBoard
    /// The key store (a PKCS#11 token) cannot be used: absent, wrong PIN, not a module…
    case keyStore(TokenError)
    case internalFault(String)

    /// A key log asked for (`--keylog`, the C API's `key_log_path`) from a build that keeps
    /// none (`LinuxPhonePlatform.keepsKeyLog`): refused before anything runs.
    public static func refuseKeyLog(_ path: String?) throws(PhoneFailure) {
        guard path == nil || LinuxPhonePlatform.keepsKeyLog else {
            throw .option(.keyLog, "is refused: this build keeps no TLS key log (only a debug build does)")
        }
    }

    /// The phone's key store failed under an operation (`keyStoreCode` of what it threw):
    /// every command and the C API end as the store's failure, whatever the operation was.
    public static func keyStoreFailed(code: UInt32) -> PhoneFailure { .keyStore(TokenError(code: code)) }

    /// The words: what `phone` prints after "phone: ", the C API's message; `name` says an
    /// option as that caller's user knows it (`--backoff-ms`, `options.backoff_ms`).
    public func message(naming name: (BootOption) -> String) -> String {
        switch self {
        case .usage(let message), .input(let message), .internalFault(let message): return message
        case .option(let option, let problem): return name(option) + " " + problem
        case .optionsTogether(let first, let second): return name(first) + " and " + name(second) + " exclude each other: give one"
        case .file(let fileError): return fileError.reason
        case .rejected(let reason): return "rejected: " + reason
        case .unreachable(let reason): return "unreachable: " + reason
        case .enrollmentFailed(let reason): return "enrollment failed: " + reason
        case .needsAuthString: return "an authentication string is needed (capfAuthMode 1): give " + name(.authString)
        case .resetByBoard: return "reset: the board restarts the phone"
        case .keyStore(let error): return "key store: " + error.reason
        }
    }
}

/// The options of a request the runtime checks: `phone` names them by its flags, the C API
/// by its fields, so no words of the runtime name either.
public enum BootOption: Sendable {
    case server, mic, factoryMIC, authString, model, httpsPort, backoffMs, fetchDeadlineMs, keyLog

    /// The numbers an option takes, where it is a number: one place for the check and its words.
    public var range: ClosedRange<UInt64>? {
        switch self {
        case .httpsPort: return 1...65535
        case .backoffMs: return 1...600_000
        case .fetchDeadlineMs: return 100...600_000
        default: return nil
        }
    }
}

extension PhoneFailure {
    /// `option` given a number outside its `range` (or no number at all).
    public static func outOfRange(_ option: BootOption) -> PhoneFailure {
        guard let range = option.range else { return .option(option, "is not a number it takes") }
        return .option(option, "must be " + String(range.lowerBound) + " to " + String(range.upperBound))
    }
}

extension PhoneIO {
    public func read(_ path: String, limit: Int) throws(PhoneFailure) -> [UInt8] {
        switch readFile(path, limit: limit) {
        case .success(let bytes): return bytes
        case .failure(let error): throw .file(error)
        }
    }

    public func write(_ path: String, _ bytes: [UInt8], mode: UInt32) throws(PhoneFailure) {
        if case .failure(let error) = writeFile(path, bytes, mode: mode) { throw .file(error) }
    }

    public func randomGenerator() throws(PhoneFailure) -> RandomGenerator {
        do {
            return try RandomGenerator(personalization: Array("phone".utf8)) { entropy($0) }
        } catch {
            throw .rejected(error.reason)
        }
    }
}
