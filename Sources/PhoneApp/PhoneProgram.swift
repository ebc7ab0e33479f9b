import LinuxPlatform
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire

/// The `phone` program: one entry point for the host and the Embedded ARM build.
public enum PhoneProgram {
    /// Exit codes of every subcommand (README lists them).
    public enum ExitCode {
        public static let success: Int32 = 0
        /// Trust failure: bad signature, unknown signer, cannot decrypt, …
        public static let rejected: Int32 = 1
        /// Wrong arguments, or a file that cannot be read or written.
        public static let usage: Int32 = 2
        /// No server answered.
        public static let unreachable: Int32 = 3
        /// CAPF enrolment did not complete.
        public static let enrollmentFailed: Int32 = 4
        /// capfAuthMode 1 and no authentication string was given.
        public static let needsAuthString: Int32 = 5
        /// A defect of the core itself (never a cluster's doing): report it.
        public static let internalFault: Int32 = 6
        /// `boot --board-reset`: the phone asked for a reset (an LSC stored or deleted);
        /// the board's init reboots, and the next power-on boots from the flash.
        public static let resetByBoard: Int32 = 7
        /// The key store (`--pkcs11`) cannot be used: the module, the token, the PIN.
        /// The key store cannot be used: `--pkcs11`'s module, token or PIN, a stored key on a
        /// token and no token given, or the token failing under an operation.
        public static let keyStore: Int32 = 8
    }

    /// The commands this build runs: the firmware's are the phone's own (its boot, its
    /// status, the files it checks); the workstation's (a lab's, a technician's, a factory's)
    /// are the host build's alone.
    public static var usage: String {
        #if hasFeature(Embedded)
        return "usage: phone <command> [options]\n" + phoneCommands + "\n" + commonNotes
        #else
        return "usage: phone <command> [options]\n" + phoneCommands + "\n" + workstationCommands + "\n" + commonNotes
        #endif
    }

    static let phoneCommands = """
          boot --server HOST[:PORT] [--server …] [--transport http|tftp] --mac MAC --state DIR
               [--mic PEM] [--auth-string DIGITS] [--backoff-ms N] [--fetch-deadline-ms N] [--json] [--keylog FILE]
               [--model NNNN] [--https-port N] [--factory-mic PEM] [--board-reset] [--slots DIR]
                                                        the whole boot: trust lists, config, CAPF, decryption;
                                                        with --slots, the firmware load the config names
                                                        (the firmware's console is always its JSON log)
          status --state DIR [--factory-mic PEM] [--slots DIR] [--json]
                                                        MIC, LSC (MD5 as the cluster stores it), trust lists
                                                        (JSON in the firmware)
          --version                                     the running load's ID
        """

    #if !hasFeature(Embedded)
    static let workstationCommands = """
        host build only:
          inspect FILE                                  print every header field and record
          verify FILE [--trust TLV]... [--name NAME]    check a signature (and trust-list update rules)
          verify X.loads [--image-signer CERT] [--name NAME]
                                                        a firmware load, by the vendor's image-signing certificate
          decrypt FILE --key PEM --trust TLV [--trust TLV] [--name NAME] [--output OUT]
                                                        verify and decrypt an .enc.sgn
          capf --host HOST[:PORT] --device SEP<MAC> --trust TLV --state DIR [--mic PEM] [--auth-string DIGITS] [--keylog FILE]
                                                        one CAPF session (TLS, port 3804 by default)
          trust CERT --purpose call-control|config|https|itl-signer (--state DIR | --trust TLV [--trust TLV])
               [--tvs HOST[:PORT]]... [--device CP-<model>-SEP<MAC>] [--keylog FILE] [--json]
                                                        is CERT trusted for this use: the installed lists, then TVS
                                                        (exit 0 trusted, 1 not trusted, 3 no TVS answered)
          provision-mic --key PEM --cert PEM --pkcs11 MODULE --token LABEL --pin-file F
                                                        the factory step: the MIC's key onto the token
        """
    #endif

    static let commonNotes = """
        boot, capf, decrypt and status take --pkcs11 MODULE --token LABEL --pin-file F: the keys on a token.
        NAME is the name the file was served under (default: FILE's own name).
        --keylog FILE (debug builds only) appends each TLS session's secrets to FILE (mode 0600) for Wireshark.
        With --pkcs11, decrypt's --key is the certificate whose key is on the token.
        Exit codes: 0 success, 1 rejected (trust failure; the reason is printed), 2 usage or file error,
        3 unreachable, 4 enrollment failed, 5 needs an authentication string, 6 internal fault, 7 board reset
        (an LSC stored or deleted with --board-reset, or a load staged), 8 the key store cannot be used.
        """

    /// Runs one command; `arguments` excludes the program name.
    public static func run(_ arguments: [String], io: some PhoneIO) -> Int32 {
        guard let command = arguments.first else {
            io.diagnostic(usage)
            return ExitCode.usage
        }
        let rest = arguments.dropFirst()
        do throws(PhoneFailure) {
            if sameText(command, "boot") {
                try BootCommand.run(rest, io: io)
            } else if sameText(command, "status") {
                try StatusCommand.run(rest, io: io)
            } else if sameText(command, "--version") {
                io.outputLine(RunningLoad.id)
            } else if sameText(command, "help") || sameText(command, "--help") || sameText(command, "-h") {
                io.outputLine(usage)
            } else if try !runHostBuildCommand(command, rest, io: io) {
                throw PhoneFailure.usage("unknown command " + command)
            }
            return ExitCode.success
        } catch {
            io.diagnostic("phone: " + error.message(naming: { $0.flag }))
            switch error {
            case .usage, .option, .optionsTogether: io.diagnostic(usage)
            default: break
            }
            return error.exitCode
        }
    }

    /// The host build's commands, each with what it is: the firmware checks, decrypts and
    /// enrols in its boot alone, when the boot machine decides to, and the rest of its
    /// firmware asks trust questions through the C API (phonesec_trust_check, the same
    /// decision); their code went to the updater's room. The firmware refuses each by name;
    /// a host test holds the host build to running every one.
    public static let hostBuildCommands: [(name: String, what: String)] = [
        ("inspect", "a workstation's command"),
        ("verify", "a workstation's command (the phone checks and decrypts in its boot)"),
        ("decrypt", "a workstation's command (the phone checks and decrypts in its boot)"),
        ("capf", "a workstation's command (the phone enrols in its boot)"),
        ("trust", "a workstation's command (the firmware asks phonesec_trust_check)"),
        ("provision-mic", "a factory station's command"),
    ]

    #if hasFeature(Embedded)
    /// Refuses a host build's command by name; false for a command no build has.
    static func runHostBuildCommand(_ command: String, _ rest: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) -> Bool {
        if let hostOnly = hostBuildCommands.first(where: { sameText(command, $0.name) }) {
            throw PhoneFailure.usage(command + " is " + hostOnly.what + ": run the host build of phone")
        }
        return false
    }
    #else
    /// Runs a host build's command; false for a command no build has.
    static func runHostBuildCommand(_ command: String, _ rest: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) -> Bool {
        if sameText(command, "inspect") {
            try InspectCommand.run(rest, io: io)
        } else if sameText(command, "verify") {
            try VerifyCommand.run(rest, io: io)
        } else if sameText(command, "decrypt") {
            try DecryptCommand.run(rest, io: io)
        } else if sameText(command, "capf") {
            try CAPFEnrolCommand.run(rest, io: io)
        } else if sameText(command, "trust") {
            try TrustCommand.run(rest, io: io)
        } else if sameText(command, "provision-mic") {
            try ProvisionCommand.run(rest, io: io)
        } else {
            return false
        }
        return true
    }
    #endif
}

extension PhoneFailure {
    /// The exit code `phone` ends with (the C API has its own statuses).
    public var exitCode: Int32 {
        switch self {
        case .usage, .option, .optionsTogether, .file, .input: return PhoneProgram.ExitCode.usage
        case .rejected: return PhoneProgram.ExitCode.rejected
        case .unreachable: return PhoneProgram.ExitCode.unreachable
        case .enrollmentFailed: return PhoneProgram.ExitCode.enrollmentFailed
        case .needsAuthString: return PhoneProgram.ExitCode.needsAuthString
        case .internalFault: return PhoneProgram.ExitCode.internalFault
        case .resetByBoard: return PhoneProgram.ExitCode.resetByBoard
        case .keyStore: return PhoneProgram.ExitCode.keyStore
        }
    }

    init(_ error: Arguments.UsageError) { self = .usage(error.message) }
}

extension BootOption {
    /// The option as `phone`'s user gives it.
    var flag: String {
        switch self {
        case .server: return "--server"
        case .mic: return "--mic"
        case .factoryMIC: return "--factory-mic"
        case .authString: return "--auth-string"
        case .model: return "--model"
        case .httpsPort: return "--https-port"
        case .backoffMs: return "--backoff-ms"
        case .fetchDeadlineMs: return "--fetch-deadline-ms"
        case .keyLog: return "--keylog"
        }
    }
}
