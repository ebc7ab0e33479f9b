import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire

#if !hasFeature(Embedded)
/// `phone capf --host HOST[:PORT] --device SEP<MAC> --trust TLV --state DIR [--mic PEM] [--auth-string DIGITS]
///  [--pkcs11 MODULE --token LABEL --pin-file F]`
/// (Not `CAPFCommand`: that is the wire's command byte, in PhoneWire.)
enum CAPFEnrolCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let arguments: Arguments
        let hostPort: String
        let deviceText: String
        let stateDirectory: String
        let micPath: String?
        let authText: String?
        let keyLog: String?
        let keyStore: KeyStoreOptions?
        do throws(Arguments.UsageError) {
            arguments = try Arguments(words, valueOptions: ["--host", "--device", "--trust", "--state", "--mic", "--auth-string",
                                                            "--keylog", "--pkcs11", "--token", "--pin-file"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            hostPort = try arguments.required("--host")
            deviceText = try arguments.required("--device")
            stateDirectory = try arguments.required("--state")
            micPath = try arguments.value("--mic")
            authText = try arguments.value("--auth-string")
            keyLog = try arguments.value("--keylog")
            keyStore = try KeyStoreOptions.parse(arguments)
        } catch {
            throw PhoneFailure(error)
        }
        try PhoneFailure.refuseKeyLog(keyLog)
        guard let device = DeviceName(deviceText) else { throw .usage("--device must be SEP and 12 hex digits") }
        guard let (host, port) = HostPort.parse(hostPort, defaultPort: DeviceConfiguration.defaultCAPFPort) else {
            throw .usage("--host must be HOST or HOST:PORT")
        }
        var mode = CAPFAuthMode.automatic
        var authString: [UInt8]?
        if let authText {
            let digits = Array(authText.utf8)
            guard BootSettings.isValidAuthString(digits) else { throw .usage("--auth-string must be 4 to 16 digits") }
            mode = .authenticationString
            authString = digits
        }
        let trustPaths = arguments.values("--trust")
        guard !trustPaths.isEmpty else { throw .usage("--trust is required") }
        let store = try TrustFiles.store(trustPaths, io: io)
        let pinned = store.certificates(withRole: .capf)
        guard !pinned.isEmpty else { throw .rejected("the trust list has no CAPF record") }

        let storage = try StateFiles.open(stateDirectory, keys: keyStore, io: io)
        let (lsc, problem) = storage.loadLSC()
        if let error = problem?.keyStore { throw .keyStore(error) }
        io.ignored(problem)
        let mic = try StateFiles.mic(micPath, storage: storage, io: io)

        let rng = try io.randomGenerator()
        var platform = LinuxPhonePlatform(servers: [], transport: .http, storage: storage) { _, entry in
            io.diagnostic(ConsoleText.line(entry))
        }
        if let keyLog { platform.logTLSSecrets(to: keyLog) }
        let request = CAPFRequest(server: .init(host: host, port: port), device: device, mode: mode, authString: authString,
                                  reason: .keyMismatch, pinned: pinned, lsc: lsc, mic: mic)
        let outcome = platform.enroll(request, rng: rng)
        io.outputLine("operation: " + operationName(outcome))
        io.outputLine("outcome:   " + FailureText.capf(outcome.shown))
        if case .failed(let problem) = outcome, let code = problem.keyStoreCode { throw .keyStoreFailed(code: code) }
        switch outcome {
        case .installed(let identity):
            for line in StateFiles.describe(identity.certificate) { io.outputLine("  " + line) }
        case .deleted, .fetched, .nothingScheduled:
            break
        case .failed(.channel(.connect(let error))):
            throw .unreachable(FailureText.capf(.channel(.connect(error))))
        case .retryLater, .invalidAuthentication, .unknownDevice, .failed:
            throw .enrollmentFailed(FailureText.capf(outcome.shown))
        }
    }

    static func operationName(_ outcome: CAPFOutcome<Identity>) -> String {
        switch outcome {
        case .installed: return "install"
        case .deleted: return "delete"
        case .fetched: return "fetch"
        case .nothingScheduled: return "none"
        default: return "unknown (session did not complete)"
        }
    }
}
#endif
