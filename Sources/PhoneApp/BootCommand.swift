import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// `phone boot --server HOST[:PORT] [--server …] [--transport http|tftp] --mac MAC --state DIR
///  [--mic PEM] [--auth-string DIGITS] [--json] [--https-port N]`
enum BootCommand {
    static func run(_ words: ArraySlice<String>, io: some CommandIO) throws(CommandFailure) {
        let arguments: Arguments
        let macText: String
        let stateDirectory: String
        let micPath: String?
        let authText: String?
        let transportText: String?
        let backoffText: String?
        let deadlineText: String?
        let keyLog: String?
        let model: String?
        let httpsPortText: String?
        do throws(Arguments.UsageError) {
            arguments = try Arguments(words, valueOptions: ["--server", "--transport", "--mac", "--state", "--mic", "--auth-string",
                                                            "--backoff-ms", "--fetch-deadline-ms", "--keylog", "--model",
                                                            "--https-port"],
                                      flagOptions: ["--json"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            macText = try arguments.required("--mac")
            stateDirectory = try arguments.required("--state")
            micPath = try arguments.value("--mic")
            authText = try arguments.value("--auth-string")
            transportText = try arguments.value("--transport")
            backoffText = try arguments.value("--backoff-ms")
            deadlineText = try arguments.value("--fetch-deadline-ms")
            keyLog = try arguments.value("--keylog")
            model = try arguments.value("--model")
            httpsPortText = try arguments.value("--https-port")
        } catch {
            throw CommandFailure(error)
        }
        let json = arguments.flag("--json")
        guard let device = DeviceName(macText) else { throw .usage("--mac must be 12 hex digits (or SEP and 12 hex digits)") }
        var transport = LinuxPhonePlatform.Transport.http
        if let transportText {
            if sameText(transportText, "tftp") { transport = .tftp } else if !sameText(transportText, "http") {
                throw .usage("--transport is http or tftp")
            }
        }
        var servers: [LinuxPhonePlatform.Server] = []
        for text in arguments.values("--server") {
            guard let (host, port) = HostPort.parse(text, defaultPort: transport.defaultPort) else {
                throw .usage("--server must be HOST or HOST:PORT")
            }
            servers.append(.init(host: host, port: port))
        }
        guard !servers.isEmpty else { throw .usage("at least one --server is required") }
        var authString: [UInt8]?
        if let authText {
            authString = Array(authText.utf8)
            guard BootSettings.isValidAuthString(authString!) else { throw .usage("--auth-string must be 4 to 16 digits") }
        }

        // The flash: leftovers of an interrupted write are removed, corrupt files ignored.
        let storage = try StateFiles.open(stateDirectory, io: io)
        storage.removeTemporaryFiles()
        let mic = try StateFiles.mic(micPath, storage: storage, io: io)
        let (lsc, lscProblem) = storage.loadLSC()
        if let lscProblem { io.diagnostic("phone: " + lscProblem.file + " is corrupt, ignored: " + lscProblem.reason) }
        let (trustStore, problems) = storage.loadTrustStore()
        for problem in problems { io.diagnostic("phone: " + problem.file + " is corrupt, ignored: " + problem.reason) }
        let (tvsServers, tvsProblem) = storage.loadTVSServers()
        if let tvsProblem { io.diagnostic("phone: " + tvsProblem.file + " is corrupt, ignored: " + tvsProblem.reason) }
        let memory = BootMemory(trustStore: trustStore, mic: mic, lsc: lsc,
                                lastConfigEncrypted: storage.loadLastConfigEncrypted(), tvsServers: tvsServers)

        let rng = try io.randomGenerator()
        var settings = BootSettings(device: device, serverCount: servers.count, authString: authString)
        if let model {
            guard TVSDeviceName(device: device, model: model) != nil else { throw .usage("--model must start with four digits (8841)") }
            settings.model = model
        }
        if let httpsPortText {
            // formats.md §5: 6971 on a cluster; a lab or a test serves it elsewhere.
            guard let port = UInt16(httpsPortText), port > 0 else { throw .usage("--https-port must be 1 to 65535") }
            settings.httpsPort = port
        }
        if let backoffText {
            // The base delay of both back-offs (30 s on a phone); a lab shortens it.
            guard let base = UInt64(backoffText), base >= 1, base <= 600_000 else { throw .usage("--backoff-ms must be 1 to 600000") }
            settings.capfRetryDelayMs = base
            settings.unavailableBackoffMs = [base, 2 * base, 4 * base, 8 * base]
        }
        var machine = BootMachine(settings: settings, memory: memory, rng: rng)
        var platform = LinuxPhonePlatform(servers: servers, transport: transport, storage: storage) { elapsed, entry in
            if json {
                io.outputLine(EventJSON.line(entry, elapsedMs: elapsed))
            } else {
                io.diagnostic("[" + ConsoleText.seconds(elapsed) + "] " + ConsoleText.line(entry))
            }
        }
        if let deadlineText {
            guard let deadline = UInt64(deadlineText), deadline >= 100, deadline <= 600_000 else {
                throw .usage("--fetch-deadline-ms must be 100 to 600000")
            }
            platform.fetchDeadlineMs = deadline
        }
        if let keyLog { platform.logTLSSecrets(to: keyLog) }
        let result = BootRunner.run(&machine, on: &platform, rng: rng)
        switch result {
        case .configured(let configuration):
            let lines = Summary.lines(configuration, device: device)
            if json {
                io.outputLine(JSON.object([("result", .string("configured")), ("device", .string(device.text)),
                                           ("summary", .array(lines.map { .string($0) }))]).text)
            } else {
                for line in lines { io.outputLine(line) }
            }
        case .needsAuthString:
            if json { io.outputLine(JSON.object([("result", .string("needs-auth-string"))]).text) }
            throw .needsAuthString
        case .failed(let failure):
            let exit = exitFailure(failure)
            if json {
                io.outputLine(JSON.object([("result", .string("failed"))] + EventJSON.failure(failure)
                                          + [("exit", .number(Int64(exit.exitCode)))]).text)
            }
            throw exit
        }
    }

    /// Which exit code a boot failure gets (README).
    static func exitFailure(_ failure: BootFailure) -> CommandFailure {
        let reason = FailureText.boot(failure)
        switch failure {
        case .unreachable, .configNotFound:
            return .unreachable(reason)
        case .configRejected, .configMalformed, .decryptionFailed, .partialConfigWithoutTrustList:
            return .rejected(reason)
        case .partialConfigWithoutEncryption, .noCAPFServer, .unsupportedCAPFAuthMode, .noCertificateForCAPF,
             .capfRefused, .encryptedConfigUnavailable, .tooManyResets:
            return .enrollmentFailed(reason)
        case .internalFault:
            return .internalFault(reason)
        }
    }
}

/// The configuration summary `phone boot` prints: what the next stage (registration) gets.
enum Summary {
    static func lines(_ configuration: DeviceConfiguration, device: DeviceName) -> [String] {
        var lines = ["configured: " + device.text]
        if let load = configuration.loadInformation { lines.append("  load:           " + load) }
        if let mode = configuration.deviceSecurityMode {
            let name = mode == 1 ? "non-secure" : mode == 2 ? "authenticated" : mode == 3 ? "encrypted" : "unknown"
            lines.append("  security mode:  " + String(mode) + " (" + name + ")")
        }
        if let transport = configuration.transportLayerProtocol { lines.append("  transport:      " + String(transport)) }
        for manager in configuration.callManagers {
            var ports: [String] = []
            for (name, port) in manager.ports { ports.append(name + " " + String(port)) }
            lines.append("  call manager " + String(manager.priority) + ": " + manager.host
                         + (ports.isEmpty ? "" : " (" + ports.joined(separator: ", ") + ")"))
        }
        for server in configuration.tvsServers { lines.append("  TVS:            " + server.host + ":" + String(server.port)) }
        for server in configuration.capfServers { lines.append("  CAPF:           " + server.host + ":" + String(server.port)) }
        if let stamp = configuration.versionStamp { lines.append("  version stamp:  " + stamp) }
        return lines
    }
}
