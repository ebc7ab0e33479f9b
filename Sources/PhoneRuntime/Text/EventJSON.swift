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
        var fields: [(String, JSON)] = [("event", .string(record.kind.name))]
        func add(_ key: String, _ value: JSON?) { if let value { fields.append((key, value)) } }
        add("device", record.device.map { .string($0) })
        add("reset", record.resets.map { .int($0) })
        add("installed", record.installed.map { .array($0.map { .string($0.name) }) })
        add("file", record.file.map { .string($0) })
        add("kind", record.trustList.map { .string($0.name) })
        add("outcome", record.trustListOutcome.map { .string(outcome($0)) })
        add("signer", record.signer.map { .string($0) })
        add("encrypted", record.encrypted.map { .bool($0) })
        if let check = record.partialConfig {
            add("certHash", .string(check.certHash))
            add("ownHash", check.ownHash.map { .string($0) })
            add("ownCertificate", .string(FailureText.certificate(check.ownCertificate)))
            add("matches", .bool(check.matches))
        }
        add("transport", record.transport.map { .string($0.rawValue) })
        add("host", record.host.map { .string($0) })
        add("port", record.port.map { .int(Int($0)) })
        add("fileServer", record.fileServer.map { .int($0) })
        add("nextFileServer", record.nextFileServer.map { .int($0) })
        add("server", record.serverCertificate.map { .string($0) })
        add("pinned", record.pinned.map { .int($0) })
        add("client", record.clientCertificate.map { .string($0) })
        add("vouchedByTVS", record.vouchedByTVS.map { .bool($0) })
        add("servers", record.tvsServers.map { .int($0) })
        add("tvsAnswer", record.tvsAnswer.map { .string(TrustText.result($0)) })
        add("verdict", record.verdict.map { .object(TrustText.verdictJSON($0)) })
        add("authentication", record.capfMode.map { .string(FailureText.method($0)) })
        add("capfReason", record.capfReason.map { .string(FailureText.reason($0)) })
        if let result = record.capfResult {
            add("result", .string(code(result)))
            add("detail", .string(FailureText.capf(result)))
        }
        add("command", record.capfCommand.map { .string($0.name) })
        add("skippedTags", record.skippedTags.map { .array($0.map { .int(Int($0)) }) })
        add("key", record.keyKind.map { .string($0.name) })
        add("subject", record.issuedCertificate.map { .string($0) })
        add("stored", record.lscStored.map { .bool($0) })
        add("cause", record.cause.map { .string(FailureText.cause($0)) })
        if let failure = record.failure { fields += self.failure(failure) }
        add("item", record.storedItem.map { .string(ConsoleText.stored($0)) })
        add("untilMs", record.untilMs.map { .number(Int64($0)) })
        add("input", record.ignoredInput.map { .string($0.rawValue) })
        add("in", record.ignoredIn.map { .string($0.rawValue) })
        add("then", record.next.map { next($0) })
        return fields
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
