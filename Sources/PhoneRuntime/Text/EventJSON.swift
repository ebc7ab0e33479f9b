import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// `phone boot --json`: one object per console entry, with the typed fields of the event
/// (docs/json-log.md lists them). The console line is the other view.
public enum EventJSON {
    public static func line(_ entry: ConsoleEntry, elapsedMs: UInt64) -> String {
        var fields: [(String, JSON)] = [("t_ms", .number(Int64(elapsedMs)))]
        switch entry {
        case .boot(let event, let transition):
            fields += boot(event)
            if let transition { fields.append(("state", .string(transition.to.rawValue))) }
        case .capf(let event):
            fields += capf(event)
        case .tvs(let server, let result):
            fields += [("event", .string("tvsAsked")), ("tvs", .string(TrustText.server(server))),
                       ("result", .string(TrustText.result(result)))]
        case .fetching(let transport, let name, let server):
            fields += [("event", .string("fetching")), ("transport", .string(transport == .http ? "http" : "tftp")),
                       ("file", .string(name)), ("host", .string(server.host)), ("port", .int(Int(server.port)))]
        case .fetchingOverHTTPS(let name, let host, let port, let pinned, let client):
            fields += [("event", .string("fetching")), ("transport", .string("https")), ("file", .string(name)),
                       ("host", .string(host)), ("port", .int(Int(port))), ("pinned", .int(pinned)), ("client", .string(client))]
        case .storageFailed(let item, let error):
            fields += [("event", .string("storageFailed")), ("item", .string(ConsoleText.stored(item))),
                       ("cause", .string(error.reason))]
        case .reset:
            fields.append(("event", .string("reset")))
        case .keyLogOn(let path):
            fields += [("event", .string("keyLogOn")), ("file", .string(path))]
        }
        return JSON.object(fields).text
    }

    public static func boot(_ event: BootEvent) -> [(String, JSON)] {
        switch event {
        case .started(let device, let reset, let installed):
            return [("event", .string("started")), ("device", .string(device.text)), ("reset", .int(reset)),
                    ("installed", .array(installed.map { .string($0.name) }))]
        case .trustListInstalled(let name, let kind, let outcome, let signer):
            let word: String
            switch outcome {
            case .firstUse: word = "firstUse"
            case .updated: word = "updated"
            case .unchanged: word = "unchanged"
            case .vouchedByTVS: word = "vouchedByTVS"
            }
            return [("event", .string("trustListInstalled")), ("file", .string(name)), ("kind", .string(kind.name)),
                    ("outcome", .string(word)), ("signer", .string(signer))]
        case .trustListRejected(let name, let kind, let cause):
            return [("event", .string("trustListRejected")), ("file", .string(name)), ("kind", .string(kind.name)),
                    ("cause", .string(cause.reason))]
        case .askingTVS(let name, let kind, let signer, let refusal, let servers):
            return [("event", .string("askingTVS")), ("file", .string(name)), ("kind", .string(kind.name)),
                    ("signer", .string(signer)), ("cause", .string(refusal.reason)), ("servers", .int(servers))]
        case .trustListNotVouched(let name, let kind, let refusal, let verdict):
            return [("event", .string("trustListNotVouched")), ("file", .string(name)), ("kind", .string(kind.name)),
                    ("cause", .string(refusal.reason))] + TrustText.verdictJSON(verdict)
        case .fileNotFound(let name, let then):
            return [("event", .string("fileNotFound")), ("file", .string(name)), ("then", next(then))]
        case .fetchFailed(let name, let server, let cause, let nextServer):
            return [("event", .string("fetchFailed")), ("file", .string(name)), ("server", .int(server + 1)),
                    ("cause", .string(FailureText.fetch(cause))), ("nextServer", nextServer.map { .int($0 + 1) } ?? .null)]
        case .noTrustList(let then):
            return [("event", .string("noTrustList")), ("then", next(then))]
        case .configApplied(let name, let signer, let encrypted):
            return [("event", .string("configApplied")), ("file", .string(name)), ("signer", .optional(signer)),
                    ("encrypted", .bool(encrypted))]
        case .httpsConfigApplied(let name, let server, let vouched):
            return [("event", .string("httpsConfigApplied")), ("file", .string(name)), ("server", .string(server)),
                    ("vouchedByTVS", .bool(vouched))]
        case .askingTVSAboutHTTPSServer(let subject, let servers):
            return [("event", .string("askingTVSAboutHTTPSServer")), ("server", .string(subject)), ("servers", .int(servers))]
        case .httpsServerVouched(let subject, let verdict):
            return [("event", .string("httpsServerVouched")), ("server", .string(subject))] + TrustText.verdictJSON(verdict)
        case .httpsConfigFallback(let cause, let then):
            return [("event", .string("httpsConfigFallback")), ("cause", .string(HTTPSText.fallback(cause))), ("then", next(then))]
        case .partialConfig(let check, let then):
            return [("event", .string("partialConfig")), ("file", .string(check.name)), ("signer", .optional(check.signer)),
                    ("certHash", .string(check.certHash)), ("ownHash", .optional(check.ownHash)),
                    ("ownCertificate", .string(FailureText.certificate(check.ownCertificate))), ("matches", .bool(check.matches)), ("then", next(then))]
        case .directDecryptFailed(let name, let cause, let then):
            return [("event", .string("directDecryptFailed")), ("file", .string(name)), ("failure", .string(FailureText.code(cause))),
                    ("cause", .string(FailureText.boot(cause))), ("then", next(then))]
        case .decryptionFailed(let name, let cause, let then):
            return [("event", .string("decryptionFailed")), ("file", .string(name)), ("cause", .string(cause.reason)),
                    ("then", next(then))]
        case .capfStarting(let attempt):
            return [("event", .string("capfStarting"))] + self.attempt(attempt)
        case .capfEnded(let result, let then):
            return [("event", .string("capfEnded")), ("result", .string(code(result))), ("detail", .string(FailureText.capf(result))),
                    ("then", next(then))]
        case .authStringRefused:
            return [("event", .string("authStringRefused"))]
        case .resumed(let then):
            return [("event", .string("resumed")), ("then", next(then))]
        case .stillWaiting(let until):
            return [("event", .string("stillWaiting")), ("untilMs", .number(Int64(until)))]
        case .failed(let failure):
            return [("event", .string("failed"))] + self.failure(failure)
        case .ignored(let input, let state):
            return [("event", .string("ignored")), ("input", .string(input.rawValue)), ("in", .string(state.rawValue))]
        }
    }

    public static func failure(_ failure: BootFailure) -> [(String, JSON)] {
        [("failure", .string(FailureText.code(failure))), ("reason", .string(FailureText.boot(failure)))]
    }

    public static func attempt(_ attempt: CAPFAttempt) -> [(String, JSON)] {
        [("host", .string(attempt.server.host)), ("port", .int(Int(attempt.server.port))),
         ("authentication", .string(FailureText.method(attempt.method))), ("reason", .string(FailureText.reason(attempt.reason)))]
    }

    public static func next(_ next: BootNext) -> JSON {
        switch next {
        case .fetching(let name): return .object([("action", .string("fetch")), ("file", .string(name))])
        case .fetchingOverHTTPS(let name, let port):
            return .object([("action", .string("fetchOverHTTPS")), ("file", .string(name)), ("port", .int(Int(port)))])
        case .enrolling(let attempt): return .object([("action", .string("capf"))] + self.attempt(attempt))
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

    public static func code(_ result: CAPFResult) -> String {
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

    public static func capf(_ event: CAPFEvent) -> [(String, JSON)] {
        switch event {
        case .tlsEstablished(let host, let port):
            return [("event", .string("capfTLSEstablished")), ("host", .string(host)), ("port", .int(Int(port)))]
        case .received(let command, let skipped):
            return [("event", .string("capfReceived")), ("command", .string(command.name)),
                    ("skippedTags", .array(skipped.map { .int(Int($0)) }))]
        case .sent(let command):
            return [("event", .string("capfSent")), ("command", .string(command.name))]
        case .answeredAuthRequest(let method):
            return [("event", .string("capfSent")), ("command", .string("AuthResponse")),
                    ("authentication", .string(FailureText.method(method)))]
        case .installRequested(let kind):
            return [("event", .string("capfInstallRequested")), ("key", .string(kind.name))]
        case .certificateReceived(let subject):
            return [("event", .string("capfCertificateReceived")), ("subject", .string(subject))]
        case .certificateRefused(let refusal):
            return [("event", .string("capfCertificateRefused")), ("cause", .string(FailureText.certificate(refusal)))]
        case .lscStored(let stored):
            return [("event", .string("capfLSCStored")), ("stored", .bool(stored))]
        }
    }
}
