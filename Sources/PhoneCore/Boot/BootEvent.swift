import PhoneTrust

/// The one structured log event each transition emits. The platform prints
/// `consoleLine` as a phone console would; nothing secret is ever in an event (no key,
/// no authentication string, no configuration content beyond what the boot uses).
public enum BootEvent: Equatable {
    case started(device: String, reset: Int, trustLists: String)
    case trustListInstalled(name: String, kind: TrustListKind, outcome: TrustListUpdate.Outcome, signer: String)
    case trustListRejected(name: String, kind: TrustListKind, reason: String)
    case fileNotFound(name: String, next: String?)
    case fetchFailed(name: String, server: Int, reason: String, next: Int?)
    case noTrustList
    case configApplied(name: String, signer: String?, encrypted: Bool)
    case partialConfig(name: String, signer: String?, certHash: String, ownHash: String?, ownCertificate: String, matches: Bool,
                       next: String)
    case directDecryptFailed(name: String, reason: String)
    case decryptionFailed(name: String, reason: String, next: String)
    case capfStarting(host: String, port: UInt16, authentication: String, reason: String)
    case capfEnded(outcome: String, next: String)
    case authStringRequested(retry: Bool)
    case authStringRefused
    case resumed(String)
    case stillWaiting(untilMs: UInt64)
    case resetting(count: Int)
    case failed(BootFailure)
    case ignored(input: String, state: String)

    public var consoleLine: String {
        switch self {
        case .started(let device, let reset, let trustLists):
            return "BOOT: " + device + (reset > 0 ? " after reset " + String(reset) : "") + ", " + trustLists
        case .trustListInstalled(let name, let kind, let outcome, let signer):
            let what: String
            switch outcome {
            case .firstUse: what = kind.name + " installed"
            case .updated: what = "Trust List updated"
            case .unchanged: what = kind.name + " unchanged"
            }
            return "SECD: " + what + ": " + name + " signed by " + signer
        case .trustListRejected(let name, _, let reason):
            return "SECD: Trust List update failed: " + name + ": " + reason
        case .fileNotFound(let name, let next):
            return "CFG: File Not Found " + name + (next.map { "; " + $0 } ?? "")
        case .fetchFailed(let name, let server, let reason, let next):
            return "CFG: " + name + " from server " + String(server + 1) + " failed: " + reason
                + (next.map { ", trying server " + String($0 + 1) } ?? "")
        case .noTrustList:
            return "SECD: No Trust List installed"
        case .configApplied(let name, let signer, let encrypted):
            return "CFG: " + name + (encrypted ? " decrypted" : "") + (signer.map { ", signed by " + $0 } ?? ", unsigned")
                + ": full configuration applied"
        case .partialConfig(let name, let signer, let certHash, let ownHash, let ownCertificate, let matches, let next):
            return "CFG: " + name + " partial (encrConfig), signed by " + (signer ?? "?") + "; certHash '" + certHash
                + "' vs " + ownCertificate + " MD5 '" + (ownHash ?? "") + "': " + (matches ? "match" : "differ") + "; " + next
        case .directDecryptFailed(let name, let reason):
            return "CFG: " + name + " not usable (" + reason + "), falling back to the signed config"
        case .decryptionFailed(let name, let reason, let next):
            return "CFG: " + name + ": " + reason + "; " + next
        case .capfStarting(let host, let port, let authentication, let reason):
            return "CAPF: connecting to " + host + ":" + String(port) + " (" + authentication + "), reason: " + reason
        case .capfEnded(let outcome, let next):
            return "CAPF: session ended: " + outcome + "; " + next
        case .authStringRequested(let retry):
            return retry ? "CAPF: authentication string refused, enter it again" : "CAPF: authentication string required"
        case .authStringRefused:
            return "CAPF: authentication string must be 4 to 16 digits"
        case .resumed(let what):
            return "BOOT: back-off over, " + what
        case .stillWaiting(let until):
            return "BOOT: still waiting until t=" + String(until) + " ms"
        case .resetting(let count):
            return "BOOT: new LSC stored, resetting (" + String(count) + ")"
        case .failed(let failure):
            return "BOOT: failed: " + failure.reason
        case .ignored(let input, let state):
            return "BOOT: ignored " + input + " while " + state
        }
    }
}
