import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire

/// `phone boot --server HOST[:PORT] [--server …] [--transport http|tftp] --mac MAC --state DIR
///  [--mic PEM | --factory-mic PEM] [--auth-string DIGITS] [--json] [--https-port N] [--board-reset] [--slots DIR]`
enum BootCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let arguments: Arguments
        let macText: String
        let stateDirectory: String
        let micPath: String?
        let factoryMICPath: String?
        let authText: String?
        let transportText: String?
        let backoffText: String?
        let deadlineText: String?
        let keyLog: String?
        let model: String?
        let httpsPortText: String?
        let keyStore: KeyStoreOptions?
        let slotsDirectory: String?
        do throws(Arguments.UsageError) {
            arguments = try Arguments(words, valueOptions: ["--server", "--transport", "--mac", "--state", "--mic", "--auth-string",
                                                            "--backoff-ms", "--fetch-deadline-ms", "--keylog", "--model",
                                                            "--https-port", "--factory-mic", "--pkcs11", "--token", "--pin-file",
                                                            "--slots"],
                                      flagOptions: ["--json", "--board-reset"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            macText = try arguments.required("--mac")
            stateDirectory = try arguments.required("--state")
            micPath = try arguments.value("--mic")
            factoryMICPath = try arguments.value("--factory-mic")
            authText = try arguments.value("--auth-string")
            transportText = try arguments.value("--transport")
            backoffText = try arguments.value("--backoff-ms")
            deadlineText = try arguments.value("--fetch-deadline-ms")
            keyLog = try arguments.value("--keylog")
            model = try arguments.value("--model")
            httpsPortText = try arguments.value("--https-port")
            keyStore = try KeyStoreOptions.parse(arguments)
            slotsDirectory = try arguments.value("--slots")
        } catch {
            throw PhoneFailure(error)
        }
        let json = Arguments.printsJSON(arguments)
        guard let device = DeviceName(macText) else { throw .usage("--mac must be 12 hex digits (or SEP and 12 hex digits)") }
        var transport = LinuxPhonePlatform.Transport.http
        if let transportText {
            if sameText(transportText, "tftp") { transport = .tftp } else if !sameText(transportText, "http") {
                throw .usage("--transport is http or tftp")
            }
        }
        var request = BootRequest(device: device, stateDirectory: stateDirectory, servers: [], transport: transport)
        for text in arguments.values("--server") {
            guard let (host, port) = HostPort.parse(text, defaultPort: transport.defaultPort) else {
                throw .usage("--server must be HOST or HOST:PORT")
            }
            request.servers.append(.init(host: host, port: port))
        }
        request.micPath = micPath
        request.factoryMICPath = factoryMICPath
        if arguments.flag("--board-reset") { request.resets = .board }
        request.authString = authText.map { Array($0.utf8) }
        request.model = model
        request.keyLogPath = keyLog
        request.keyStore = keyStore
        request.slotsDirectory = slotsDirectory
        if let httpsPortText {
            // Above 65535 is no port the request can hold: the runtime's words for it.
            guard let port = DecimalNumber.parse(Array(httpsPortText.utf8)[...], maxDigits: 5), port <= 65535 else { throw .outOfRange(.httpsPort) }
            request.httpsPort = UInt16(port)
        }
        if let backoffText {
            guard let base = DecimalNumber.parse(Array(backoffText.utf8)[...], maxDigits: 6) else { throw .outOfRange(.backoffMs) }
            request.backoffMs = UInt64(base)
        }
        if let deadlineText {
            guard let deadline = DecimalNumber.parse(Array(deadlineText.utf8)[...], maxDigits: 6) else { throw .outOfRange(.fetchDeadlineMs) }
            request.fetchDeadlineMs = UInt64(deadline)
        }
        let result = try PhoneBoot.run(request, io: io) { elapsed, entry in
            #if !hasFeature(Embedded)
            guard json else { return io.diagnostic("[" + ConsoleText.seconds(elapsed) + "] " + ConsoleText.line(entry)) }
            #endif
            io.outputLine(EventJSON.line(entry, elapsedMs: elapsed))
        }
        switch result {
        case .configured(let configuration):
            printConfigured(configuration, device: device, json: json, staged: nil, io: io)
        case .needsAuthString:
            if json { io.outputLine(JSON.object([("result", .string("needs-auth-string"))]).text) }
            throw .needsAuthString
        case .resetByBoard:
            if json { io.outputLine(JSON.object([("result", .string("reset"))]).text) }
            throw .resetByBoard
        case .loadStaged(let configuration, let load, let slot):
            // Configured, and a new load to start: only the board's reset starts it.
            printConfigured(configuration, device: device, json: json, staged: (load, slot.name), io: io)
            throw .resetByBoard
        case .failed(let failure):
            let exit = PhoneBoot.failure(failure)
            if json {
                io.outputLine(JSON.object([("result", .string("failed"))] + EventJSON.failure(failure)
                                          + [("exit", .number(Int64(exit.exitCode)))]).text)
            }
            throw exit
        }
    }

    /// The end of a boot that configured: the summary (as one JSON result, or lines), and
    /// the load it staged for the board's reset, if any.
    private static func printConfigured(_ configuration: DeviceConfiguration, device: DeviceName, json: Bool,
                                        staged: (load: String, slot: String)?, io: some PhoneIO) {
        let lines = Summary.lines(configuration, device: device)
        if json {
            var fields: [(String, JSON)] = [("result", .string(staged == nil ? "configured" : "loadStaged")),
                                            ("device", .string(device.text))]
            if let staged { fields += [("load", .string(staged.load)), ("slot", .string(staged.slot))] }
            io.outputLine(JSON.object(fields + [("summary", .array(lines.map { .string($0) }))]).text)
        } else {
            for line in lines { io.outputLine(line) }
            if let staged { io.outputLine("load staged: " + staged.load + " in slot " + staged.slot + "; the board resets to start it") }
        }
    }
}

/// The configuration summary `phone boot` prints: what the next stage (registration) gets.
public enum Summary {
    public static func lines(_ configuration: DeviceConfiguration, device: DeviceName) -> [String] {
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
