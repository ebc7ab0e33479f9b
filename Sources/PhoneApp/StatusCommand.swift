import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire

/// `phone status --state DIR [--factory-mic PEM] [--slots DIR] [--json] [--pkcs11 MODULE --token LABEL --pin-file F]`:
/// what the flash holds, read once, shown as lines or (`--json`) as one JSON object; with
/// `--slots`, the load running and the board's slots (which is good, on trial, failed).
enum StatusCommand {
    /// One certificate the phone holds, or why it is not usable.
    struct Held {
        let identity: Identity?
        let problem: PhoneStorage.Problem?
    }

    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let stateDirectory: String
        let factoryMICPath: String?
        let keyStore: KeyStoreOptions?
        let slotsDirectory: String?
        let json: Bool
        do throws(Arguments.UsageError) {
            let arguments = try Arguments(words, valueOptions: ["--state", "--factory-mic", "--pkcs11", "--token", "--pin-file",
                                                                "--slots"],
                                          flagOptions: ["--json"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            stateDirectory = try arguments.required("--state")
            factoryMICPath = try arguments.value("--factory-mic")
            keyStore = try KeyStoreOptions.parse(arguments)
            slotsDirectory = try arguments.value("--slots")
            json = Arguments.printsJSON(arguments)
        } catch {
            throw PhoneFailure(error)
        }
        let storage = try StateFiles.read(stateDirectory, keys: keyStore)
        let mic: Held
        if let path = factoryMICPath {
            mic = Held(identity: try StateFiles.readMIC(path, storage: storage, io: io), problem: nil)
        } else {
            let (identity, problem) = storage.loadMIC()
            mic = Held(identity: identity, problem: problem)
        }
        let (lscIdentity, lscProblem) = storage.loadLSC()
        let lsc = Held(identity: lscIdentity, problem: lscProblem)
        let (store, problems) = storage.loadTrustStore()
        let encrypted = storage.loadLastConfigEncrypted()
        let token = keyStore?.token
        let slots = slotsDirectory.map { SlotStore(directory: $0) }
        guard json else {
            show("MIC", mic, token: token, io: io)
            show("LSC", lsc, token: token, io: io)
            for problem in problems { io.outputLine("trust list " + problem.file + ": corrupt (" + problem.reason + "), treated as absent") }
            if store.isEmpty { io.outputLine("trust lists: none installed") }
            for list in store.installed {
                let roles = list.list.records.map { $0.role.name }.joined(separator: ", ")
                io.outputLine(list.kind.name + ": " + list.list.file.filenameText + " signed by " + list.subject(of: list.signerRecord)
                              + ", " + String(list.list.records.count) + " records (" + roles + ")")
            }
            io.outputLine("last configuration encrypted: " + (encrypted ? "yes" : "no"))
            if let slots { showSlots(slots, io: io) }
            return
        }
        let lists: [JSON] = store.installed.map { list in
            .object([("kind", .string(list.kind.name)), ("file", .string(list.list.file.filenameText)),
                     ("signer", .string(list.subject(of: list.signerRecord))),
                     ("roles", .array(list.list.records.map { .string($0.role.name) }))])
        }
        let corrupt: [JSON] = problems.map { .object([("file", .string($0.file)), ("reason", .string($0.reason))]) }
        var fields: [(String, JSON)] = [("mic", object(mic, token: token)), ("lsc", object(lsc, token: token)), ("trustLists", .array(lists)),
                                        ("corruptTrustLists", .array(corrupt)), ("lastConfigEncrypted", .bool(encrypted))]
        if let slots { fields.append(("slots", object(slots))) }
        io.outputLine(JSON.object(fields).text)
    }

    /// The running load, and each slot's load and mark: `{"running":…,"good":"A","try":…,
    /// "trying":…,"failed":…,"A":"SIP…","B":…}` (a key absent: no such mark, no whole load).
    private static func object(_ slots: SlotStore) -> JSON {
        let marks = slots.marks()
        var fields: [(String, JSON)] = [("running", .string(RunningLoad.id))]
        for (key, slot) in [("good", marks.good), ("try", marks.tryNext), ("trying", marks.trying), ("failed", marks.failed)] {
            if let slot { fields.append((key, .string(slot.name))) }
        }
        for slot in [LoadSlot.a, .b] {
            if let record = slots.record(slot) { fields.append((slot.name, .string(record.load))) }
        }
        return .object(fields)
    }

    private static func showSlots(_ slots: SlotStore, io: some PhoneIO) {
        let marks = slots.marks()
        io.outputLine("load running: " + RunningLoad.id)
        for slot in [LoadSlot.a, .b] {
            let mark = marks.good == slot ? " (good)" : marks.tryNext == slot ? " (to try)" : marks.trying == slot ? " (on trial)"
                : marks.failed == slot ? " (failed its trial)" : ""
            io.outputLine("slot " + slot.name + ": " + (slots.record(slot)?.load ?? "no whole load") + mark)
        }
    }

    private static func show(_ label: String, _ held: Held, token: String?, io: some PhoneIO) {
        if let problem = held.problem {
            io.outputLine(label + (problem.keyStore == nil ? ": corrupt (" + problem.reason + "), treated as absent"
                                                           : ": its key cannot be used: " + problem.reason))
        }
        guard let identity = held.identity else {
            if held.problem == nil { io.outputLine(label + ": none") }
            return
        }
        io.outputLine(label + ":")
        for line in StateFiles.describe(identity.certificate) { io.outputLine("  " + line) }
        io.outputLine("  private: " + StateFiles.keyPlace(identity, token: token))
    }

    /// A held certificate as JSON: null when there is none and nothing is wrong.
    private static func object(_ held: Held, token: String?) -> JSON {
        var fields: [(String, JSON)] = []
        if let identity = held.identity {
            let certificate = identity.certificate
            fields = [("subject", .string(certificate.subject)), ("serial", .string(hexString(certificate.serialNumber))),
                      ("md5", JSON.optional((try? certificate.md5()).map { hexString($0) })), ("key", .string(certificate.keyKind.name))]
            if identity.privateKey.isExternal, let token {
                let id = (try? certificate.publicKey()).flatMap { try? PKCS11Token.id(of: $0) }
                fields += [("keyOn", .string("token")), ("token", .string(token)), ("keyID", JSON.optional(id.map { hexString($0) })),
                           ("tokenKey", .string(identity.privateKey.kind.name))]
            } else {
                fields.append(("keyOn", .string("flash")))
            }
        }
        if let problem = held.problem {
            fields.append(("problem", .string(problem.reason)))
            fields.append(("keyStoreFailed", .bool(problem.keyStore != nil)))
        }
        return fields.isEmpty ? .null : .object(fields)
    }
}
