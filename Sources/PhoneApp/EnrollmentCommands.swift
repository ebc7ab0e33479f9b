import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// `phone capf --host HOST[:PORT] --device SEP<MAC> --trust TLV --state DIR [--mic PEM] [--auth-string DIGITS]`
enum CAPFCommand {
    static func run(_ words: ArraySlice<String>, io: some CommandIO) throws(CommandFailure) {
        let arguments: Arguments
        let hostPort: String
        let deviceText: String
        let stateDirectory: String
        let micPath: String?
        let authText: String?
        let keyLog: String?
        do throws(Arguments.UsageError) {
            arguments = try Arguments(words, valueOptions: ["--host", "--device", "--trust", "--state", "--mic", "--auth-string",
                                                            "--keylog"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            hostPort = try arguments.required("--host")
            deviceText = try arguments.required("--device")
            stateDirectory = try arguments.required("--state")
            micPath = try arguments.value("--mic")
            authText = try arguments.value("--auth-string")
            keyLog = try arguments.value("--keylog")
        } catch {
            throw CommandFailure(error)
        }
        guard let device = DeviceName(deviceText) else { throw .usage("--device must be SEP and 12 hex digits") }
        guard let (host, port) = HostPort.parse(hostPort, defaultPort: DeviceConfiguration.defaultCAPFPort) else {
            throw .usage("--host must be HOST or HOST:PORT")
        }
        var authentication = CAPFAuthentication.automatic
        if let authText {
            let digits = Array(authText.utf8)
            guard BootSettings.isValidAuthString(digits) else { throw .usage("--auth-string must be 4 to 16 digits") }
            authentication = .string(digits)
        }
        let trustPaths = arguments.values("--trust")
        guard !trustPaths.isEmpty else { throw .usage("--trust is required") }
        let store = try TrustFiles.store(trustPaths, io: io)
        let pinned = store.certificates(withRole: .capf)
        guard !pinned.isEmpty else { throw .rejected("the trust list has no CAPF record") }

        let storage = try StateFiles.open(stateDirectory, io: io)
        let mic = try StateFiles.mic(micPath, storage: storage, io: io)
        let (lsc, problem) = storage.loadLSC()
        if let problem { io.diagnostic("phone: " + problem.file + " is corrupt, ignored: " + problem.reason) }

        let rng = try io.randomGenerator()
        var platform = LinuxPhonePlatform(servers: [], transport: .http, storage: storage) { _, entry in
            io.diagnostic(ConsoleText.line(entry))
        }
        if let keyLog { platform.logTLSSecrets(to: keyLog) }
        let request = CAPFRequest(server: .init(host: host, port: port), device: device, authentication: authentication,
                                  reason: .keyMismatch, pinned: pinned, lsc: lsc, mic: mic)
        let outcome = platform.enroll(request, rng: rng)
        io.outputLine("operation: " + operationName(outcome))
        io.outputLine("outcome:   " + FailureText.capf(outcome.result))
        switch outcome {
        case .installed(let identity):
            for line in StateFiles.describe(identity.certificate) { io.outputLine("  " + line) }
        case .deleted, .fetched, .nothingScheduled:
            break
        case .failed(.connect(let error)):
            throw .unreachable(FailureText.capf(.connect(error)))
        case .retryLater, .invalidAuthentication, .unknownDevice, .failed:
            throw .enrollmentFailed(FailureText.capf(outcome.result))
        }
    }

    static func operationName(_ outcome: CAPFOutcome) -> String {
        switch outcome {
        case .installed: return "install"
        case .deleted: return "delete"
        case .fetched: return "fetch"
        case .nothingScheduled: return "none"
        default: return "unknown (session did not complete)"
        }
    }
}

/// `phone status --state DIR`
enum StatusCommand {
    static func run(_ words: ArraySlice<String>, io: some CommandIO) throws(CommandFailure) {
        let stateDirectory: String
        do throws(Arguments.UsageError) {
            let arguments = try Arguments(words, valueOptions: ["--state"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            stateDirectory = try arguments.required("--state")
        } catch {
            throw CommandFailure(error)
        }
        let storage = PhoneStorage(directory: stateDirectory)
        for (label, loaded) in [("MIC", storage.loadMIC()), ("LSC", storage.loadLSC())] {
            if let problem = loaded.1 { io.outputLine(label + ": corrupt (" + problem.reason + "), treated as absent") }
            guard let identity = loaded.0 else {
                if loaded.1 == nil { io.outputLine(label + ": none") }
                continue
            }
            io.outputLine(label + ":")
            for line in StateFiles.describe(identity.certificate) { io.outputLine("  " + line) }
        }
        let (store, problems) = storage.loadTrustStore()
        for problem in problems { io.outputLine("trust list " + problem.file + ": corrupt (" + problem.reason + "), treated as absent") }
        if store.isEmpty { io.outputLine("trust lists: none installed") }
        for list in store.installed {
            let roles = list.list.records.map { $0.role.name }.joined(separator: ", ")
            io.outputLine(list.kind.name + ": " + list.list.file.filenameText + " signed by " + list.subject(of: list.signerRecord)
                          + ", " + String(list.list.records.count) + " records (" + roles + ")")
        }
        io.outputLine("last configuration encrypted: " + (storage.loadLastConfigEncrypted() ? "yes" : "no"))
    }
}

/// The state directory as the commands (and the C API) use it.
public enum StateFiles {
    public static func open(_ directory: String, io: some CommandIO) throws(CommandFailure) -> PhoneStorage {
        let storage = PhoneStorage(directory: directory)
        if case .failure(let error) = storage.prepare() { throw .file(error) }
        return storage
    }

    /// The MIC from `--mic` (kept in the state directory for later runs), else the stored one.
    public static func mic(_ path: String?, storage: PhoneStorage, io: some CommandIO) throws(CommandFailure) -> Identity? {
        guard let path else {
            let (stored, problem) = storage.loadMIC()
            if let problem { io.diagnostic("phone: " + problem.file + " is corrupt, ignored: " + problem.reason) }
            return stored
        }
        var bytes = try io.read(path, limit: PhoneProgram.keyFileLimit)
        defer { zeroize(&bytes) }
        let identity: Identity
        do { identity = try Identity(pem: bytes) } catch { throw .input(path + ": not a certificate with its key: " + error.reason) }
        if case .failure(let error) = storage.saveMIC(identity) { throw .file(error) }
        return identity
    }

    /// Subject, serial, MD5 of the DER (lowercase hex, as the cluster database shows it).
    static func describe(_ certificate: Certificate) -> [String] {
        ["subject: " + certificate.subject,
         "serial:  " + hexString(certificate.serialNumber),
         "md5:     " + ((try? certificate.md5()).map { hexString($0) } ?? "?"),
         "key:     " + certificate.keyKind.name]
    }
}

/// `HOST`, `HOST:PORT`, `[IPv6]:PORT`.
public enum HostPort {
    public static func parse(_ text: String, defaultPort: UInt16) -> (String, UInt16)? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var host: [UInt8]
        var portBytes: [UInt8]?
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = Array(bytes[1..<close])
            if close + 1 < bytes.count {
                guard bytes[close + 1] == UInt8(ascii: ":") else { return nil }
                portBytes = Array(bytes[(close + 2)...])
            }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes.lastIndex(of: UInt8(ascii: ":")) == colon {
            host = Array(bytes[..<colon])
            portBytes = Array(bytes[(colon + 1)...])
        } else {
            host = bytes
        }
        guard !host.isEmpty else { return nil }
        var port = defaultPort
        if let portBytes {
            guard !portBytes.isEmpty, portBytes.count <= 5, portBytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            let value = portBytes.reduce(0) { $0 * 10 + Int($1 - 48) }
            guard value > 0, value <= 65535 else { return nil }
            port = UInt16(value)
        }
        return (String(decoding: host, as: UTF8.self), port)
    }
}
