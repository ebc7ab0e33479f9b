import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// A cluster and a phone platform in one: it answers the boot machine's actions from a
/// table of files and a scripted CAPF, keeps a clock, and records everything.
final class ScriptedWorld {
    /// Files served, by name. A name missing here is "file not found".
    var files: [String: [UInt8]] = [:]
    /// Servers that time out.
    var deadServers: Set<Int> = []
    /// Files whose fetch from server 0 times out (the other servers answer).
    var failingOnFirstServer: Set<String> = []
    /// Answers to `runCAPF`, in order; when empty, `capfDefault`.
    var capfAnswers: [(CAPFRequest) -> CAPFOutcome] = []
    var capfDefault: (CAPFRequest) -> CAPFOutcome = { _ in .nothingScheduled }
    /// Strings the "user" types when asked; nil entries mean the user does nothing.
    var typedAuthStrings: [[UInt8]] = []

    private(set) var now: UInt64 = 0
    private(set) var fetched: [String] = []
    private(set) var events: [BootEvent] = []
    private(set) var transitions: [BootTransition] = []
    private(set) var capfRequests: [CAPFRequest] = []
    private(set) var persistedTrustLists: [(TrustListKind, [UInt8])] = []
    private(set) var persistedEncryptedFlags: [Bool] = []
    private(set) var resets = 0
    private(set) var configuration: DeviceConfiguration?
    private(set) var failure: BootFailure?
    private(set) var waitingForUser = false

    /// Runs until configured, failed, or waiting for the user; at most `limit` steps.
    @discardableResult
    func run(_ machine: inout BootMachine, limit: Int = 500) -> BootStateKind {
        var queue: [BootInput] = [.start]
        var steps = 0
        while let input = queue.first {
            queue.removeFirst()
            steps += 1
            guard steps <= limit else {
                XCTFail("the machine did not settle in \(limit) steps")
                return machine.stateKind
            }
            let step = machine.handle(input, now: now)
            events.append(step.event)
            if let transition = machine.lastTransition, !isIgnored(step.event) { transitions.append(transition) }
            for action in step.actions {
                if let next = perform(action) { queue.append(next) }
            }
        }
        return machine.stateKind
    }

    /// Feeds one input after a pause (the user typing a string, say), then runs on.
    func resume(_ machine: inout BootMachine, with input: BootInput) -> BootStateKind {
        waitingForUser = false
        let step = machine.handle(input, now: now)
        events.append(step.event)
        if let transition = machine.lastTransition, !isIgnored(step.event) { transitions.append(transition) }
        var queue: [BootInput] = []
        for action in step.actions {
            if let next = perform(action) { queue.append(next) }
        }
        while let next = queue.first {
            queue.removeFirst()
            let step = machine.handle(next, now: now)
            events.append(step.event)
            if let transition = machine.lastTransition, !isIgnored(step.event) { transitions.append(transition) }
            for action in step.actions {
                if let more = perform(action) { queue.append(more) }
            }
        }
        return machine.stateKind
    }

    private func isIgnored(_ event: BootEvent) -> Bool {
        if case .ignored = event { return true }
        return false
    }

    private func perform(_ action: BootAction) -> BootInput? {
        switch action {
        case .fetch(let name, let server):
            fetched.append(name)
            if deadServers.contains(server) || (server == 0 && failingOnFirstServer.contains(name)) {
                return .fetchFailed(name: name, reason: "timed out")
            }
            guard let bytes = files[name] else { return .fileNotFound(name: name) }
            return .fileArrived(name: name, bytes: bytes)
        case .persistTrustList(let kind, let bytes):
            persistedTrustLists.append((kind, bytes))
            return nil
        case .persistEncryptedFlag(let flag):
            persistedEncryptedFlags.append(flag)
            return nil
        case .runCAPF(let request):
            capfRequests.append(request)
            let answer = capfAnswers.isEmpty ? capfDefault : capfAnswers.removeFirst()
            return .capfFinished(answer(request))
        case .askForAuthString:
            guard !typedAuthStrings.isEmpty else {
                waitingForUser = true
                return nil
            }
            return .authStringEntered(typedAuthStrings.removeFirst())
        case .waitUntil(let time):
            now = max(now, time)
            return .timePassed
        case .reset:
            resets += 1
            return .reset
        case .configured(let config):
            configuration = config
            return nil
        case .failed(let cause):
            failure = cause
            return nil
        }
    }

    /// Records a step driven outside `run` (hand-fed inputs).
    func recordExternal(_ event: BootEvent, _ transition: BootTransition?) {
        events.append(event)
        if let transition, !isIgnored(event) { transitions.append(transition) }
    }

    var consoleLog: String { events.map(\.consoleLine).joined(separator: "\n") }
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
