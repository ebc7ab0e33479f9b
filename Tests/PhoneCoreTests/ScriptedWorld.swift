import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// A cluster and a phone platform in one: it implements the platform roles from a table
/// of files and a scripted CAPF, keeps a clock, and records everything. `BootRunner`
/// drives the machine on it, so the runner's own loop is what these tests exercise.
final class ScriptedWorld: PhonePlatform {
    /// Files served, by name. A name missing here is "file not found".
    var files: [String: [UInt8]] = [:]
    /// Servers that time out.
    var deadServers: Set<Int> = []
    /// Files whose fetch from server 0 times out (the other servers answer).
    var failingOnFirstServer: Set<String> = []
    /// Answers to `runCAPF`, in order; when empty, `capfDefault`.
    var capfAnswers: [(CAPFRequest) -> CAPFOutcome<Identity>] = []
    var capfDefault: (CAPFRequest) -> CAPFOutcome<Identity> = { _ in .nothingScheduled }
    /// Answers to TVS queries, in order; when empty, `tvsDefault`.
    var tvsAnswers: [(TVSQuery) -> TVSQueryResult] = []
    var tvsDefault: (TVSQuery) -> TVSQueryResult = { _ in .failed(.channel(.connect(.refused))) }
    /// Answers to HTTPS configuration downloads, in order; when empty, `httpsDefault` (no server on 6971).
    var httpsAnswers: [(HTTPSConfigRequest) -> HTTPSConfigResult] = []
    var httpsDefault: (HTTPSConfigRequest) -> HTTPSConfigResult = { _ in .failed(.channel(.connect(.refused))) }
    /// Strings the "user" types when asked; when none is left the user does nothing.
    var typedAuthStrings: [[UInt8]] = []
    /// The runner stops after this many steps (a machine that never settles is a failure).
    var stepLimit = 500

    private(set) var clock: UInt64 = 0
    private(set) var fetched: [String] = []
    private(set) var events: [BootEvent] = []
    private(set) var capfEvents: [CAPFEvent] = []
    private(set) var transitions: [BootTransition] = []
    private(set) var capfRequests: [CAPFRequest] = []
    private(set) var persistedTrustLists: [(TrustListKind, [UInt8])] = []
    private(set) var persistedEncryptedFlags: [Bool] = []
    private(set) var persistedTVSServers: [[DeviceConfiguration.TVSServer]] = []
    private(set) var tvsQueries: [TVSQuery] = []
    private(set) var httpsRequests: [HTTPSConfigRequest] = []
    private(set) var savedLSCs: [Identity] = []
    private(set) var resets = 0
    /// The loads staged, and where.
    private(set) var staged: [(String, LoadSlot)] = []
    /// The count each `.reset` carried (what a board keeps on its flash).
    private(set) var resetCounts: [Int] = []
    /// Who restarts the phone: `.board` ends the run at the first reset, as on a board.
    var resetKind = ResetKind.inProcess
    private(set) var result: BootResult?
    private(set) var waitingForUser = false

    var configuration: DeviceConfiguration? {
        if case .configured(let configuration) = result { return configuration }
        return nil
    }

    var failure: BootFailure? {
        if case .failed(let failure) = result { return failure }
        return nil
    }

    /// Runs the boot with `BootRunner` until it is configured, failed, or waiting for the user.
    @discardableResult
    func run(_ machine: inout BootMachine) -> BootStateKind {
        var world = self
        result = BootRunner.run(&machine, on: &world, rng: testRNG())
        return machine.stateKind
    }

    /// Feeds the input the boot waited for (the user typing a string), then runs on.
    func resume(_ machine: inout BootMachine, with input: BootInput) -> BootStateKind {
        waitingForUser = false
        var world = self
        result = BootRunner.run(&machine, on: &world, rng: testRNG(), inputs: [input])
        return machine.stateKind
    }

    /// The partial-config checks the boot logged, with what followed each.
    var partialConfigChecks: [(PartialConfigCheck, BootNext)] {
        events.compactMap { event in
            if case .partialConfig(let check, let then) = event { return (check, then) }
            return nil
        }
    }

    /// Every event, for failure messages.
    var log: String { events.map { "\($0)" }.joined(separator: "\n") }

    // MARK: - The platform roles

    func fetch(_ name: String, server: Int) -> FetchResult {
        fetched.append(name)
        if exhausted || deadServers.contains(server) || (server == 0 && failingOnFirstServer.contains(name)) {
            return .failed(.connection(.timedOut))
        }
        guard let bytes = files[name] else { return .notFound }
        return .file(bytes)
    }

    func saveTrustList(_ kind: TrustListKind, _ bytes: [UInt8]) -> Bool {
        persistedTrustLists.append((kind, bytes))
        return true
    }

    func saveEncryptedFlag(_ value: Bool) -> Bool {
        persistedEncryptedFlags.append(value)
        return true
    }

    func saveTVSServers(_ servers: [DeviceConfiguration.TVSServer]) -> Bool {
        persistedTVSServers.append(servers)
        return true
    }

    func ask(_ query: TVSQuery, rng: RandomGenerator) -> TVSQueryResult {
        tvsQueries.append(query)
        if exhausted { return .failed(.channel(.connect(.refused))) }
        let answer = tvsAnswers.isEmpty ? tvsDefault : tvsAnswers.removeFirst()
        return answer(query)
    }

    func fetchOverHTTPS(_ request: HTTPSConfigRequest, rng: RandomGenerator) -> HTTPSConfigResult {
        httpsRequests.append(request)
        if exhausted { return .failed(.channel(.connect(.refused))) }
        let answer = httpsAnswers.isEmpty ? httpsDefault : httpsAnswers.removeFirst()
        return answer(request)
    }

    func saveLSC(_ identity: Identity) -> Bool {
        savedLSCs.append(identity)
        return true
    }

    func deleteLSC() -> Bool { true }

    func log(_ event: BootEvent, transition: BootTransition?) {
        events.append(event)
        if let transition { transitions.append(transition) }
        if events.count == stepLimit + 1 { XCTFail("the machine did not settle in \(stepLimit) steps") }
    }

    /// Past the step limit every role answers with what ends a boot.
    private var exhausted: Bool { events.count > stepLimit }

    func log(_ event: CAPFEvent) { capfEvents.append(event) }

    func now() -> UInt64 { clock }

    func sleep(until time: UInt64) { clock = max(clock, time) }

    func reset(count: Int) -> ResetKind {
        resets += 1
        resetCounts.append(count)
        return resetKind
    }

    func askForAuthString(retry: Bool) -> [UInt8]? {
        guard !exhausted, !typedAuthStrings.isEmpty else {
            waitingForUser = true
            return nil
        }
        return typedAuthStrings.removeFirst()
    }

    func enroll(_ request: CAPFRequest, rng: RandomGenerator) -> CAPFOutcome<Identity> {
        capfRequests.append(request)
        if exhausted { return .unknownDevice }
        let answer = capfAnswers.isEmpty ? capfDefault : capfAnswers.removeFirst()
        return answer(request)
    }

    /// Slot B is the inactive one; an image is a served file, fed through the check in
    /// pieces of 100 bytes as a port does, kept only when the check let all of it through.
    func clearInactiveSlot() -> Result<LoadSlot, LoadSlotFailure> { .success(.b) }

    func streamImage(_ name: String, server: Int, into slot: LoadSlot, cap: Int, deadlineMs: UInt64,
                     check: (ArraySlice<UInt8>) -> ArraySlice<UInt8>?,
                     finish: () -> ArraySlice<UInt8>?) -> Result<WrittenImage, LoadSlotFailure> {
        fetched.append(name)
        guard let file = files[name] else { return .failure(.imageNotFound(name)) }
        var kept = 0
        for start in stride(from: 0, to: file.count, by: 100) {
            guard let bytes = check(file[start..<min(start + 100, file.count)]) else { return .failure(.checkRefused) }
            kept += bytes.count
        }
        guard let rest = finish() else { return .failure(.checkRefused) }
        return .success(WrittenImage(name: name, size: kept + rest.count, sha256: []))
    }

    func stage(_ slot: LoadSlot, load: String, images: [WrittenImage]) -> Result<Void, LoadSlotFailure> {
        staged.append((load, slot))
        fetched.append("stage " + load)
        return .success(())
    }

    func confirmRunningLoad(_ load: String) {
        fetched.append("confirm " + load)
    }
}

/// The lab side of the scripted world: a cluster built from the interop PKI with the
/// project's own writers.
struct LabCluster {
    let rng = testRNG()
    let itl: [UInt8] = Vectors.bytes("interop/ITLFile.tlv")
    let tftp: Identity
    let plain: [UInt8] = Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml")
    let device = DeviceName("SEPA45630BBFA40")!

    init() throws {
        tftp = try Vectors.identity("interop/pki/ccm-tftp.pem")
    }

    func partial(certHash: String, capfAuthMode: Int = 0, capfServers: [String] = ["127.0.0.1"],
                 encrConfig: String = "true") throws -> [UInt8] {
        let capf = capfServers.map { "<capf><phonePort>3804</phonePort><processNodeName>\($0)</processNodeName></capf>" }.joined()
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <device>
              <fullConfig>False</fullConfig>
              <loadInformation>SIP75.9-3-1SR2-1S</loadInformation>
              <capfAuthMode>\(capfAuthMode)</capfAuthMode>
              <capfList>\(capf)</capfList>
              <certHash>\(certHash)</certHash>
              <encrConfig>\(encrConfig)</encrConfig>
            </device>
            """
        return try SignedFileWriter.signedConfig(Array(xml.utf8), filename: device.signedConfig, signer: tftp,
                                                 timestamp: 1_800_000_000, rng: rng)
    }

    func signedFull() throws -> [UInt8] {
        try SignedFileWriter.signedConfig(plain, filename: device.signedConfig, signer: tftp, timestamp: 1_800_000_000, rng: rng)
    }

    func encrypted(to certificate: Certificate) throws -> [UInt8] {
        try SignedFileWriter.encryptedConfig(plain, filename: device.encryptedConfig, recipient: certificate,
                                             signer: tftp, timestamp: 1_800_000_000, rng: rng)
    }

    static func md5(_ identity: Identity) throws -> String { hexString(try identity.certificate.md5()) }
}
