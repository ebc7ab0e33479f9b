import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// `phone boot --json`: one object per console entry, made from its `EventRecord` field by
/// field — the same key always holds the same thing (docs/json-log.md lists them). The
/// console line is the other view.
public enum EventJSON {
    public static func line(_ entry: ConsoleEntry, elapsedMs: UInt64) -> String {
        var fields: [(String, JSON)] = [("t_ms", .number(Int64(elapsedMs)))]
        fields += object(entry.record)
        if let state = entry.enteredState { fields.append(("state", .string(state.rawValue))) }
        return JSON.object(fields).text
    }

    /// Every field the record sets, under its one key.
    public static func object(_ record: EventRecord) -> [(String, JSON)] {
        var object = Fields([("event", .string(record.kind.name))])
        object.add("device", string: record.device)
        object.add("reset", int: record.resets)
        object.add("installed", record.installed.map { .array($0.map { .string($0.name) }) })
        object.add("file", string: record.file)
        object.add("kind", string: record.trustList?.name)
        object.add("outcome", string: record.trustListOutcome.map(outcome))
        object.add("signer", string: record.signer)
        object.add("encrypted", bool: record.encrypted)
        if let check = record.partialConfig {
            object.add("certHash", string: check.certHash)
            object.add("ownHash", string: check.ownHash)
            object.add("ownCertificate", string: FailureText.certificate(check.ownCertificate))
            object.add("matches", bool: check.matches)
        }
        object.add("transport", string: record.transport?.rawValue)
        object.add("host", string: record.host)
        object.add("port", int: record.port.map { Int($0) })
        object.add("fileServer", int: record.fileServer)
        object.add("nextFileServer", int: record.nextFileServer)
        object.add("server", string: record.serverCertificate)
        object.add("pinned", int: record.pinned)
        object.add("client", string: record.clientCertificate)
        object.add("vouchedByTVS", bool: record.vouchedByTVS)
        object.add("servers", int: record.tvsServers)
        object.add("tvsAnswer", string: record.tvsAnswer.map(TrustText.result))
        object.add("verdict", record.verdict.map { .object(TrustText.verdictJSON($0)) })
        object.add("authentication", string: record.capfMode.map(FailureText.method))
        object.add("capfReason", string: record.capfReason.map(FailureText.reason))
        if let result = record.capfResult {
            object.add("result", string: code(result))
            object.add("detail", string: FailureText.capf(result))
        }
        object.add("command", string: record.capfCommand?.name)
        object.add("skippedTags", record.skippedTags.map { .array($0.map { .int(Int($0)) }) })
        object.add("key", string: record.keyKind?.name)
        object.add("subject", string: record.issuedCertificate)
        object.add("stored", bool: record.lscStored)
        object.add("load", string: record.load)
        object.add("slot", string: record.slot?.name)
        object.add("images", int: record.images)
        object.add("cause", string: record.cause.map(FailureText.cause))
        if let failure = record.failure { object.fields += self.failure(failure) }
        object.add("item", string: record.storedItem.map(ConsoleText.stored))
        object.add("untilMs", record.untilMs.map { .number(Int64($0)) })
        object.add("input", string: record.ignoredInput?.rawValue)
        object.add("in", string: record.ignoredIn?.rawValue)
        object.add("then", record.next.map(next))
        return object.fields
    }

    /// An object's fields in order; a nil value adds nothing. One call a key, never
    /// inlined: the firmware keeps one copy of each adder rather than one per key.
    struct Fields {
        var fields: [(String, JSON)]
        init(_ fields: [(String, JSON)]) { self.fields = fields }
        @inline(never) mutating func add(_ key: String, _ value: JSON?) { if let value { fields.append((key, value)) } }
        @inline(never) mutating func add(_ key: String, string: String?) { if let string { fields.append((key, .string(string))) } }
        @inline(never) mutating func add(_ key: String, int: Int?) { if let int { fields.append((key, .int(int))) } }
        @inline(never) mutating func add(_ key: String, bool: Bool?) { if let bool { fields.append((key, .bool(bool))) } }
    }

    public static func failure(_ failure: BootFailure) -> [(String, JSON)] {
        [("failure", .string(FailureText.code(failure))), ("reason", .string(FailureText.boot(failure)))]
    }

    /// What the phone does next, as a nested object.
    public static func next(_ next: BootNext) -> JSON {
        switch next {
        case .fetching(let name): return .object([("action", .string("fetch")), ("file", .string(name))])
        case .fetchingOverHTTPS(let name, let port):
            return .object([("action", .string("fetchOverHTTPS")), ("file", .string(name)), ("port", .int(Int(port)))])
        case .enrolling(let attempt):
            return .object([("action", .string("capf")), ("host", .string(attempt.server.host)),
                            ("port", .int(Int(attempt.server.port))), ("authentication", .string(FailureText.method(attempt.mode))),
                            ("capfReason", .string(FailureText.reason(attempt.reason)))])
        case .askingForAuthString(let retry): return .object([("action", .string("askForAuthString")), ("retry", .bool(retry))])
        case .resetting: return .object([("action", .string("reset"))])
        case .retryingCAPF(let round, let of, let delay):
            return .object([("action", .string("retryCAPF")), ("round", .int(round)), ("of", .int(of)),
                            ("inMs", .number(Int64(delay)))])
        case .retryingCAPFLater(let delay): return .object([("action", .string("retryCAPFLater")), ("inMs", .number(Int64(delay)))])
        case .askingAgain(let cause, let delay):
            return .object([("action", .string("askAgain")), ("cause", .string(FailureText.unavailable(cause))),
                            ("inMs", .number(Int64(delay)))])
        case .stopping(let failure): return .object([("action", .string("stop"))] + self.failure(failure))
        }
    }

    public static func code(_ result: CAPFOutcome<String>) -> String {
        switch result {
        case .installed: return "installed"
        case .deleted: return "deleted"
        case .fetched: return "fetched"
        case .nothingScheduled: return "nothingScheduled"
        case .retryLater: return "retryLater"
        case .invalidAuthentication: return "invalidAuthentication"
        case .unknownDevice: return "unknownDevice"
        case .failed: return "failed"
        }
    }

    static func outcome(_ outcome: TrustListUpdate.Outcome) -> String {
        switch outcome {
        case .firstUse: return "firstUse"
        case .updated: return "updated"
        case .unchanged: return "unchanged"
        case .vouchedByTVS: return "vouchedByTVS"
        }
    }
}
