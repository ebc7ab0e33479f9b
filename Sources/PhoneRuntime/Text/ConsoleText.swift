import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// A console line for each entry of the board's console: the phone's log as a person
/// reads it. The JSON log (`EventJSON`) is the other view of the same entries.
public enum ConsoleText {
    public static func line(_ entry: ConsoleEntry) -> String {
        switch entry {
        case .boot(let event, _): return boot(event)
        case .capf(let event): return capf(event)
        case .tvs(let server, let result): return "TVS: " + TrustText.server(server) + ": " + TrustText.result(result)
        case .fetching(let transport, let name, let server):
            let from = " from " + server.host + ":" + String(server.port)
            return transport == .http ? "HTTP: GET /" + name + from : "TFTP: RRQ " + name + from
        case .fetchingOverHTTPS(let name, let host, let port, let pinned, let client):
            return "HTTPS: GET /" + name + " from " + host + ":" + String(port) + " (client certificate " + client + ", "
                + String(pinned) + " EC TFTP " + (pinned == 1 ? "certificate" : "certificates") + " pinned)"
        case .storageFailed(let item, let error): return "FLASH: could not " + stored(item) + ": " + error.reason
        case .reset: return "BOOT: reset"
        case .keyLogOn(let path):
            return "TLS: key log on: session secrets are appended to " + path + " (anyone with it can read the sessions)"
        }
    }

    public static func boot(_ event: BootEvent) -> String {
        switch event {
        case .started(let device, let reset, let installed):
            let lists = installed.isEmpty ? "no trust list installed"
                                          : installed.map { $0.name }.joined(separator: " and ") + " installed"
            return "BOOT: " + device.text + (reset > 0 ? " after reset " + String(reset) : "") + ", " + lists
        case .trustListInstalled(let name, let kind, let outcome, let signer):
            let what: String
            switch outcome {
            case .firstUse: what = kind.name + " installed"
            case .updated: what = "Trust List updated"
            case .unchanged: what = kind.name + " unchanged"
            case .vouchedByTVS: what = "Trust List updated (new signer vouched for by TVS)"
            }
            return "SECD: " + what + ": " + name + " signed by " + signer
        case .trustListRejected(let name, _, let cause):
            return "SECD: Trust List update failed: " + name + ": " + cause.reason
        case .askingTVS(let name, _, let signer, let refusal, let servers):
            guard servers > 0 else { return "SECD: " + name + ": " + refusal.reason + "; no TVS to ask about " + signer }
            return "SECD: " + name + ": " + refusal.reason + "; asking TVS about " + signer + " ("
                + String(servers) + (servers == 1 ? " server)" : " servers)")
        case .trustListNotVouched(let name, _, let refusal, let verdict):
            return "SECD: Trust List update failed: " + name + ": " + refusal.reason + "; " + TrustText.verdict(verdict)
        case .fileNotFound(let name, let then):
            if case .stopping(.configNotFound) = then { return "CFG: File Not Found " + name }
            return "CFG: File Not Found " + name + "; " + next(then, fetching: "trying ")
        case .fetchFailed(let name, let server, let cause, let nextServer):
            return "CFG: " + name + " from server " + String(server + 1) + " failed: " + FailureText.fetch(cause)
                + (nextServer.map { ", trying server " + String($0 + 1) } ?? "")
        case .noTrustList:
            return "SECD: No Trust List installed"
        case .configApplied(let name, let signer, let encrypted):
            return "CFG: " + name + (encrypted ? " decrypted" : "") + (signer.map { ", signed by " + $0 } ?? ", unsigned")
                + ": full configuration applied"
        case .httpsConfigApplied(let name, let server, let vouched):
            return "CFG: " + name + " over HTTPS from " + server + (vouched ? " (vouched for by TVS)" : "")
                + ": full configuration applied"
        case .askingTVSAboutHTTPSServer(let subject, let servers):
            return "SECD: HTTPS server certificate " + subject + " is not " + TrustText.pinned(.configurationOverHTTPS)
                + "; asking TVS ("
                + String(servers) + (servers == 1 ? " server)" : " servers)")
        case .httpsServerVouched(let subject, let verdict):
            return "SECD: HTTPS server " + subject + " " + TrustText.verdict(verdict) + "; connecting again"
        case .httpsConfigFallback(let cause, let then):
            return "CFG: configuration over HTTPS failed: " + HTTPSText.fallback(cause) + "; falling back, " + next(then)
        case .partialConfig(let check, let then):
            let own = check.ownCertificate == .none ? "no certificate" : FailureText.certificate(check.ownCertificate)
            return "CFG: " + check.name + " partial (encrConfig), signed by " + (check.signer ?? "?") + "; certHash '"
                + check.certHash + "' vs " + own + " MD5 '" + (check.ownHash ?? "") + "': "
                + (check.matches ? "match" : "differ") + "; " + next(then)
        case .directDecryptFailed(let name, let cause, _):
            return "CFG: " + name + " not usable (" + FailureText.boot(cause) + "), falling back to the signed config"
        case .decryptionFailed(let name, let cause, let then):
            return "CFG: " + name + ": " + cause.reason + "; " + next(then)
        case .capfStarting(let attempt):
            return "CAPF: connecting to " + attempt.server.host + ":" + String(attempt.server.port) + " ("
                + FailureText.method(attempt.mode) + "), reason: " + FailureText.reason(attempt.reason)
        case .capfEnded(let result, let then):
            return "CAPF: session ended: " + FailureText.capf(result) + "; " + next(then)
        case .authStringRefused:
            return "CAPF: authentication string must be 4 to 16 digits"
        case .resumed(let then):
            return "BOOT: back-off over, " + next(then) + (isFetch(then) ? " again" : "")
        case .stillWaiting(let until):
            return "BOOT: still waiting until t=" + String(until) + " ms"
        case .failed(let failure):
            return "BOOT: failed: " + FailureText.boot(failure)
        case .ignored(let input, let state):
            return "BOOT: ignored " + input.rawValue + " while " + state.rawValue
        case .loadStaged(let load, let slot, let images):
            return "LOAD: " + load + " staged in slot " + slot.name + " (" + String(images)
                + (images == 1 ? " image" : " images") + " checked); resetting to start it"
        case .loadNotStaged(let load, let cause):
            return "LOAD: " + load + " not staged: " + FailureText.loadUpdate(cause) + "; keeping the running load"
        }
    }

    /// What the phone does next, as the end of an event's line.
    public static func next(_ next: BootNext, fetching verb: String = "fetching ") -> String {
        switch next {
        case .fetching(let name): return verb + name
        case .fetchingOverHTTPS(let name, let port): return verb + name + " over HTTPS (port " + String(port) + ")"
        case .enrolling(let attempt):
            return "CAPF " + attempt.server.host + ":" + String(attempt.server.port) + " (" + FailureText.method(attempt.mode)
                + "), reason: " + FailureText.reason(attempt.reason)
        case .askingForAuthString(let retry):
            return retry ? "asking for the authentication string again" : "authentication string required"
        case .resetting: return "resetting"
        case .retryingCAPF(let round, let of, let delay):
            return "retry " + String(round) + " of " + String(of) + " in " + FailureText.duration(delay)
        case .retryingCAPFLater(let delay): return "retrying in " + FailureText.duration(delay)
        case .askingAgain(let cause, let delay):
            return "encrypted configuration unavailable (" + FailureText.unavailable(cause) + "), asking again in "
                + FailureText.duration(delay)
        case .stopping(let failure): return "giving up: " + FailureText.boot(failure)
        }
    }

    private static func isFetch(_ next: BootNext) -> Bool {
        if case .fetching = next { return true }
        return false
    }

    public static func capf(_ event: CAPFEvent) -> String {
        switch event {
        case .tlsEstablished(let host, let port):
            return "CAPF: TLS 1.2 established with " + host + ":" + String(port) + ", server certificate matches the trust list"
        case .received(let command, let skipped):
            return "CAPF: <- " + command.name
                + (skipped.isEmpty ? "" : " (skipped unknown elements " + skipped.map { String($0) }.joined(separator: ",") + ")")
        case .sent(let command): return "CAPF: -> " + command.name
        case .answeredAuthRequest(let method): return "CAPF: -> AuthResponse (" + FailureText.method(method) + ")"
        case .installRequested(let kind): return "CAPF: install requested, " + kind.name
        case .certificateReceived(let subject): return "CAPF: certificate received for " + subject
        case .certificateRefused(let refusal): return "CAPF: refusing the certificate: " + FailureText.certificate(refusal)
        case .lscStored(let stored): return stored ? "CAPF: LSC stored" : "CAPF: could not store the LSC, reporting failure"
        }
    }

    public static func stored(_ item: StoredItem) -> String {
        switch item {
        case .trustList(let kind): return "store " + kind.name
        case .encryptedFlag: return "store the encrypted-config flag"
        case .tvsServers: return "store the TVS servers"
        case .lsc: return "store the LSC"
        case .lscRemoval: return "delete the LSC"
        case .keyLog: return "append to the key log"
        case .resetCount: return "store the count of board resets"
        case .goodLoad: return "mark the running load good"
        }
    }

    /// `   12.345`: seconds since start, for the console log.
    public static func seconds(_ milliseconds: UInt64) -> String {
        var whole = String(milliseconds / 1000)
        while whole.utf8.count < 4 { whole = " " + whole }
        var fraction = String(milliseconds % 1000)
        while fraction.utf8.count < 3 { fraction = "0" + fraction }
        return whole + "." + fraction
    }
}
