import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What one boot on the Linux board is given: `phone boot`'s options, and the C API's.
public struct BootRequest {
    public var device: DeviceName
    public var stateDirectory: String
    public var servers: [LinuxPhonePlatform.Server]
    public var transport: LinuxPhonePlatform.Transport
    /// A PEM file with the MIC and its key (kept in the state directory); nil: the stored one.
    public var micPath: String?
    /// The MIC where a factory put it, apart from the state (a board's read-only factory
    /// partition): read at every boot, never copied into the state directory.
    public var factoryMICPath: String?
    /// Who restarts the phone after it asks for a reset: this process, or the board.
    public var resets = ResetKind.inProcess
    public var authString: [UInt8]?
    /// Four digits (`8841`): the model in the phone's TVS name, when the MIC names none.
    public var model: String?
    public var httpsPort: UInt16?
    /// The base delay of both back-offs (30 s on a phone); a lab shortens it.
    public var backoffMs: UInt64?
    public var fetchDeadlineMs: UInt64?
    public var keyLogPath: String?
    /// The private keys on a PKCS#11 token; nil: on the flash.
    public var keyStore: KeyStoreOptions?
    /// The board's load slots (`SlotStore`); nil: the phone never updates its firmware.
    public var slotsDirectory: String?

    public init(device: DeviceName, stateDirectory: String, servers: [LinuxPhonePlatform.Server],
                transport: LinuxPhonePlatform.Transport) {
        self.device = device
        self.stateDirectory = stateDirectory
        self.servers = servers
        self.transport = transport
    }
}

/// One whole boot on the Linux board: the state directory read (leftovers of an
/// interrupted write removed, corrupt files reported and ignored), the machine run to its
/// end. `phone boot` and the C API's `phonesec_boot` are two views of it.
public enum PhoneBoot {
    /// `console` receives each entry with its time since the start, in milliseconds;
    /// `authStringPrompt` answers CAPF's question for a string (nil: the terminal).
    public static func run(_ request: BootRequest, io: some PhoneIO, authStringPrompt: ((Bool) -> [UInt8]?)? = nil,
                           console: @escaping (UInt64, ConsoleEntry) -> Void) throws(PhoneFailure) -> BootResult {
        guard !request.servers.isEmpty else { throw .option(.server, "is required (at least one)") }
        guard request.micPath == nil || request.factoryMICPath == nil else {
            throw .optionsTogether(.mic, .factoryMIC)  // two places for the one MIC
        }
        if let authString = request.authString, !BootSettings.isValidAuthString(authString) {
            throw .option(.authString, "must be 4 to 16 digits")
        }
        var settings = BootSettings(device: request.device, serverCount: request.servers.count, authString: request.authString)
        if let model = request.model {
            guard TVSDeviceName(device: request.device, model: model) != nil else {
                throw .option(.model, "must start with four digits (8841)")
            }
            settings.model = model
        }
        if let port = request.httpsPort {
            // formats.md §5: 6971 on a cluster; a lab or a test serves it elsewhere.
            guard BootOption.httpsPort.range?.contains(UInt64(port)) == true else { throw .outOfRange(.httpsPort) }
            settings.httpsPort = port
        }
        if let base = request.backoffMs {
            guard BootOption.backoffMs.range?.contains(base) == true else { throw .outOfRange(.backoffMs) }
            settings.capfRetryDelayMs = base
            settings.unavailableBackoffMs = [base, 2 * base, 4 * base, 8 * base]
        }
        if let deadline = request.fetchDeadlineMs {
            guard BootOption.fetchDeadlineMs.range?.contains(deadline) == true else { throw .outOfRange(.fetchDeadlineMs) }
        }
        try PhoneFailure.refuseKeyLog(request.keyLogPath)
        settings.runningLoad = RunningLoad.id
        let slots = request.slotsDirectory.map { SlotStore(directory: $0) }
        if let slots {
            guard let anchor = RunningLoad.imageSigner else { throw .internalFault("this build's image-signing certificate does not parse") }
            settings.loadUpdate = LoadUpdateSettings(anchor: ImageSigner(anchor), hardwareLevel: RunningLoad.hardwareLevel,
                                                     failedLoad: slots.failedLoad())
        }

        let storage = try StateFiles.open(request.stateDirectory, keys: request.keyStore, io: io)
        storage.removeTemporaryFiles()
        // First the LSC and the token's orphans: a key store that cannot be used ends the boot
        // before anything is written (the MIC given with --mic included).
        let (lsc, lscProblem) = storage.loadLSC()
        if let error = lscProblem?.keyStore { throw .keyStore(error) }
        io.ignored(lscProblem)
        switch storage.destroyOrphanKeys(lsc: lsc, lscProblem: lscProblem) {
        case .success(let count) where count > 0:
            io.diagnostic("phone: destroyed " + String(count) + " LSC key(s) on the token that no stored certificate names")
        case .success: break
        case .failure(let error): throw .keyStore(error)
        }
        let mic: Identity?
        if let path = request.factoryMICPath {
            mic = try StateFiles.readMIC(path, storage: storage, io: io)
        } else {
            mic = try StateFiles.mic(request.micPath, storage: storage, io: io)
        }
        let (trustStore, problems) = storage.loadTrustStore()
        for problem in problems { io.ignored(problem) }
        let (tvsServers, tvsProblem) = storage.loadTVSServers()
        io.ignored(tvsProblem)
        var memory = BootMemory(trustStore: trustStore, mic: mic, lsc: lsc,
                                lastConfigEncrypted: storage.loadLastConfigEncrypted(), tvsServers: tvsServers)
        if request.resets == .board {
            let (count, problem) = storage.loadBoardResets(passedBound: settings.maxResets + 1)
            if let problem { io.diagnostic("phone: " + problem.file + " is corrupt, counted as too many resets: " + problem.reason) }
            memory.boardResets = count
        }

        let rng = try io.randomGenerator()
        var machine = BootMachine(settings: settings, memory: memory, rng: rng)
        var platform = LinuxPhonePlatform(servers: request.servers, transport: request.transport, storage: storage, console: console)
        if let deadline = request.fetchDeadlineMs { platform.fetchDeadlineMs = deadline }
        platform.slots = slots
        platform.authStringPrompt = authStringPrompt
        platform.resets = request.resets
        if let path = request.keyLogPath { platform.logTLSSecrets(to: path) }
        let result = BootRunner.run(&machine, on: &platform, rng: rng)
        if !result.keepsBoardResetCount, case .failure(let error) = storage.clearBoardResets() {
            io.diagnostic("phone: could not clear the count of board resets: " + error.reason)
        }
        return result
    }

    /// What a boot failure is to the caller (and so which exit code `phone boot` ends
    /// with, and which status the C API returns).
    public static func failure(_ failure: BootFailure) -> PhoneFailure {
        let reason = FailureText.boot(failure)
        switch failure {
        case .unreachable, .configNotFound:
            return .unreachable(reason)
        case .configRejected, .configMalformed, .decryptionFailed, .partialConfigWithoutTrustList:
            return .rejected(reason)
        case .partialConfigWithoutEncryption, .noCAPFServer, .unsupportedCAPFAuthMode, .noCertificateForCAPF,
             .capfRefused, .encryptedConfigUnavailable, .tooManyResets:
            return .enrollmentFailed(reason)
        case .keyStoreFailed(let code):
            return .keyStoreFailed(code: code)
        case .internalFault:
            return .internalFault(reason)
        }
    }
}
