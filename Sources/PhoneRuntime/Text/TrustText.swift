import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// Words for the trust decision: verdicts, TVS answers and problems, purposes.
public enum TrustText {
    public static func purpose(_ purpose: TrustPurpose) -> String {
        switch purpose {
        case .callControl: return "call-control"
        case .configuration: return "config"
        case .httpsService: return "https"
        case .trustListSigner: return "itl-signer"
        }
    }

    public static func roles(_ roles: [TrustRole]) -> String {
        roles.isEmpty ? "none" : roles.map { $0.name }.joined(separator: ", ")
    }

    /// What a server's certificate must be to be pinned: "an EC TFTP or CCM+TFTP record of
    /// the installed trust lists".
    public static func pinned(_ acceptance: ServerAcceptance) -> String {
        let roles = acceptance.purpose.roles.map { $0.name }.joined(separator: " or ")
        let record: String
        switch acceptance.keyRule {
        case .anyKey: record = (roles.first.map { "AEIOU".contains($0) } == true ? "an " : "a ") + roles + " record"
        case .ecOnly: record = "an EC " + roles + " record"
        }
        return record + " of the installed trust lists"
    }

    /// Why the acceptance policy refused a server, in one sentence.
    public static func refusal(_ refusal: ServerAcceptance.Refusal, _ acceptance: ServerAcceptance) -> String {
        switch refusal {
        case .keyNotAllowed(let subject, let key):
            let uses = key.map { "an " + $0.name + " key" } ?? "an unreadable key"
            switch acceptance.keyRule {
            case .anyKey: return "server certificate " + subject + " uses " + uses
            case .ecOnly: return "server certificate " + subject + " uses " + uses + "; an EC key is required (6971, formats.md §5)"
            }
        case .notVouched(let subject, let verdict):
            return "server certificate " + subject + " is not " + pinned(acceptance) + "; "
                + TrustText.verdict(verdict)
        case .certificateChanged(let subject):
            return "the server then presented " + subject + ", not the certificate TVS vouched for"
        }
    }

    public static func server(_ server: DeviceConfiguration.TVSServer) -> String {
        server.host + ":" + String(server.port)
    }

    /// One line: what decided, or why nothing did.
    public static func verdict(_ verdict: TrustVerdict) -> String {
        switch verdict.answer {
        case .listed(let kind, let record, let subject, let role):
            return "trusted by the installed " + kind.name + " (record " + String(record + 1) + ", " + subject + ", role "
                + role.name + ")"
        case .vouched(let server, let roles, let ttl, let fromCache):
            return "trusted by TVS " + Self.server(server) + " (roles " + Self.roles(roles) + ", valid for " + String(ttl) + " s"
                + (fromCache ? ", cached answer" : "") + ")"
        case .notTrusted(let cause):
            return "not trusted: " + notTrusted(cause, listed: verdict.listed)
        case .unanswered:
            return "no TVS answered: " + verdict.attempts.map { Self.server($0.server) + " " + Self.result($0.result) }
                .joined(separator: "; ")
        }
    }

    public static func notTrusted(_ cause: NotTrustedCause, listed: ListedTrust) -> String {
        var text: String
        switch cause {
        case .noTVSServer: text = "not in the installed trust lists, and the last configuration names no TVS"
        case .noTVSCertificate: text = "not in the installed trust lists, and they hold no TVS record to ask"
        case .noDeviceName: text = "not in the installed trust lists, and the phone's model is unknown (no TVS name)"
        case .tvsSaysInvalid(let server): text = "TVS " + Self.server(server) + " says invalid"
        case .rolesDoNotFit(let server, let roles):
            text = "TVS " + Self.server(server) + " vouches only for roles " + Self.roles(roles)
        }
        if case .listedForOtherUse(let subject, let roles) = listed {
            text += " (the trust lists hold " + subject + " as " + Self.roles(roles) + " only)"
        }
        return text
    }

    public static func result(_ result: TVSQueryResult) -> String {
        switch result {
        case .answered(.valid(let roles, let ttl)): return "valid, roles " + Self.roles(roles) + ", TTL " + String(ttl) + " s"
        case .answered(.invalid): return "invalid"
        case .failed(let problem): return Self.problem(problem)
        }
    }

    public static func problem(_ problem: TVSProblem) -> String {
        switch problem {
        case .channel(let problem): return FailureText.channel(problem, pinnedTo: "a TVS record of the installed ITL")
        case .session(.wire(let error)): return "malformed answer: " + error.reason
        case .session(.sessionIDChanged(let sent, let received)):
            return "answer for session " + String(received) + ", not " + String(sent)
        case .session(.closedWithoutAnswer(let bytes)):
            return "closed without an answer" + (bytes > 0 ? " (after " + String(bytes) + " bytes)" : "")
        }
    }

    public static func verdictJSON(_ verdict: TrustVerdict) -> [(String, JSON)] {
        var fields: [(String, JSON)]
        switch verdict.answer {
        case .listed(let kind, let record, let subject, let role):
            fields = [("verdict", .string("listed")), ("list", .string(kind.name)), ("record", .int(record + 1)),
                      ("subject", .string(subject)), ("roles", .array([.string(role.name)]))]
        case .vouched(let server, let roles, let ttl, let fromCache):
            fields = [("verdict", .string("vouched")), ("tvs", .string(Self.server(server))),
                      ("roles", .array(roles.map { .string($0.name) })), ("ttl", .number(Int64(ttl))), ("cached", .bool(fromCache))]
        case .notTrusted(let cause):
            fields = [("verdict", .string("notTrusted")), ("cause", .string(notTrusted(cause, listed: verdict.listed)))]
        case .unanswered:
            fields = [("verdict", .string("unanswered"))]
        }
        fields.append(("asked", .array(verdict.attempts.map {
            .object([("tvs", .string(Self.server($0.server))), ("result", .string(Self.result($0.result)))])
        })))
        return fields
    }
}
