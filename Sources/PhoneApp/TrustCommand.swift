#if !hasFeature(Embedded)
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire

/// `phone trust CERT.pem --purpose call-control|config|https|itl-signer
///  (--state DIR | --trust TLV [--trust TLV]) [--tvs HOST[:PORT]]... [--device CP-<model>-SEP<MAC>] [--keylog FILE] [--json]`
///
/// The one trust decision, for one certificate: the installed lists, then TVS. Exit 0
/// trusted, 1 not trusted, 3 when the answer needed a TVS and none answered. `--json`: one
/// object, the verdict as the boot's JSON log gives one (docs/json-log.md).
enum TrustCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let arguments: Arguments
        let certificatePath: String
        let purposeText: String
        let stateDirectory: String?
        let deviceText: String?
        let keyLog: String?
        let json: Bool
        do throws(Arguments.UsageError) {
            arguments = try Arguments(words, valueOptions: ["--purpose", "--state", "--trust", "--tvs", "--device", "--keylog"],
                                      flagOptions: ["--json"])
            json = arguments.flag("--json")
            certificatePath = try arguments.single("certificate (PEM or DER)")
            purposeText = try arguments.required("--purpose")
            stateDirectory = try arguments.value("--state")
            deviceText = try arguments.value("--device")
            keyLog = try arguments.value("--keylog")
        } catch {
            throw PhoneFailure(error)
        }
        try PhoneFailure.refuseKeyLog(keyLog)
        guard let purpose = TrustPurpose.allCases.first(where: { sameText(TrustText.purpose($0), purposeText) }) else {
            throw .usage("--purpose is call-control, config, https or itl-signer")
        }
        let trustPaths = arguments.values("--trust")
        guard (stateDirectory == nil) != trustPaths.isEmpty else { throw .usage("give --state DIR or --trust TLV, not both") }
        var servers: [DeviceConfiguration.TVSServer] = []
        for text in arguments.values("--tvs") {
            guard let (host, port) = HostPort.parse(text, defaultPort: DeviceConfiguration.defaultTVSPort) else {
                throw .usage("--tvs must be HOST or HOST:PORT")
            }
            guard servers.count < DeviceConfiguration.maxServers else {
                throw .usage("at most " + String(DeviceConfiguration.maxServers) + " --tvs servers")
            }
            servers.append(.init(host: host, port: port, priority: servers.count))
        }
        var deviceName: TVSDeviceName?
        if let deviceText {
            guard let given = TVSDeviceName(deviceText) else { throw .usage("--device must be CP-<four digits>-SEP<12 hex digits>") }
            deviceName = given
        }

        let certificate = try readCertificate(certificatePath, io: io)
        let store: TrustStore
        let storage: PhoneStorage
        if let stateDirectory {
            storage = PhoneStorage(directory: stateDirectory)
            let (loaded, problems) = storage.loadTrustStore()
            for problem in problems { io.ignored(problem) }
            store = loaded
            if arguments.values("--tvs").isEmpty {
                let (stored, problem) = storage.loadTVSServers()
                io.ignored(problem)
                servers = stored
            }
            if deviceName == nil, case (let mic?, _) = storage.loadMIC() {
                deviceName = .ofPhone(device: nil, micSubject: mic.certificate.subject, model: nil)
            }
        } else {
            store = try TrustFiles.store(trustPaths, io: io)
            // The board wants a flash; this command never writes to it.
            storage = PhoneStorage(directory: "/nonexistent")
        }

        let rng = try io.randomGenerator()
        var platform = LinuxPhonePlatform(servers: [], transport: .http, storage: storage) { _, entry in
            io.diagnostic(ConsoleText.line(entry))
        }
        if let keyLog { platform.logTLSSecrets(to: keyLog) }
        var decider = TrustDecider()
        let question = TrustContext(store: store, tvsServers: servers, deviceName: deviceName)
            .question(about: certificate.der, for: purpose)
        let verdict = decider.decide(question, now: platform.now(), rng: rng, on: &platform)

        if json {
            io.outputLine(JSON.object([("certificate", .string(certificate.subject)),
                                       ("serial", .string(hexString(certificate.serialNumber))),
                                       ("purpose", .string(TrustText.purpose(purpose))),
                                       ("trusted", .bool(verdict.isTrusted))] + TrustText.verdictJSON(verdict)).text)
        } else {
            io.outputLine("certificate: " + certificate.subject + " (serial " + hexString(certificate.serialNumber) + ")")
            io.outputLine("purpose:     " + TrustText.purpose(purpose) + " (fitting roles " + TrustText.roles(purpose.roles) + ")")
            for attempt in verdict.attempts {
                io.outputLine("asked:       TVS " + TrustText.server(attempt.server) + ": " + TrustText.result(attempt.result))
            }
            io.outputLine("verdict:     " + TrustText.verdict(verdict))
        }
        switch verdict.answer {
        case .listed, .vouched: return
        case .notTrusted: throw .rejected(TrustText.verdict(verdict))
        case .unanswered: throw .unreachable(TrustText.verdict(verdict))
        }
    }

    static func readCertificate(_ path: String, io: some PhoneIO) throws(PhoneFailure) -> Certificate {
        let bytes = try io.read(path, limit: FileLimits.keyFile)
        if let certificate = try? Certificate(pem: bytes) { return certificate }
        do { return try Certificate(der: bytes[...]) } catch { throw .input(path + ": not a certificate (PEM or DER): " + error.reason) }
    }
}
#endif
