/// The boot machine's states without their data: the nodes of its diagram.
public enum BootStateKind: String, CaseIterable, Sendable {
    case idle
    case fetchingTrustList
    case verifyingTrustListSigner
    case fetchingConfigOverHTTPS
    case verifyingHTTPSServer
    case fetchingConfig
    case fetchingEncryptedConfig
    case awaitingAuthString
    case runningCAPF
    case waiting
    case resetting
    case updatingLoad
    case configured
    case loadStaged
    case failed
}

/// The inputs without their data: the labels of its edges.
public enum BootInputKind: String, CaseIterable, Sendable {
    case start
    case fileArrived
    case fileNotFound
    case fetchFailed
    case capfFinished
    case httpsFetched
    case trustDecided
    case timePassed
    case authStringEntered
    case reset
    case loadUpdated
}

/// One edge of the machine: from a state, on an input, to a state, and why.
public struct BootTransition: Equatable, Sendable {
    public let from: BootStateKind
    public let on: BootInputKind
    public let to: BootStateKind
    public let because: String
}

/// Every transition the machine may take. The machine checks each step against this
/// table, the diagram is generated from it, and the tests cover every row.
public enum BootTransitions {
    public static let table: [BootTransition] = [
        .init(from: .idle, on: .start, to: .fetchingTrustList, because: "fetch the per-device CTL"),
        .init(from: .fetchingTrustList, on: .fileArrived, to: .fetchingTrustList, because: "CTL checked, fetch the ITL"),
        .init(from: .fetchingTrustList, on: .fileArrived, to: .fetchingConfig, because: "ITL checked, fetch the config"),
        .init(from: .fetchingTrustList, on: .fileArrived, to: .verifyingTrustListSigner,
              because: "new ITL signer not in the installed ITL, ask TVS"),
        .init(from: .verifyingTrustListSigner, on: .trustDecided, to: .fetchingConfig,
              because: "install the ITL if TVS vouched, else keep the installed one"),
        .init(from: .fetchingTrustList, on: .fileArrived, to: .fetchingConfigOverHTTPS,
              because: "ITL checked, signer version 1.1: the config over HTTPS"),
        .init(from: .verifyingTrustListSigner, on: .trustDecided, to: .fetchingConfigOverHTTPS,
              because: "ITL decided, signer version 1.1: the config over HTTPS"),
        .init(from: .fetchingTrustList, on: .fileNotFound, to: .fetchingTrustList, because: "try the next trust-list name"),
        .init(from: .fetchingTrustList, on: .fileNotFound, to: .fetchingConfig, because: "no more trust lists"),
        .init(from: .fetchingTrustList, on: .fileNotFound, to: .fetchingConfigOverHTTPS,
              because: "no more trust lists, installed ITL signer version 1.1"),
        .init(from: .fetchingConfigOverHTTPS, on: .httpsFetched, to: .configured, because: "full config over TLS"),
        .init(from: .fetchingConfigOverHTTPS, on: .httpsFetched, to: .verifyingHTTPSServer,
              because: "EC server certificate not listed, ask TVS"),
        .init(from: .fetchingConfigOverHTTPS, on: .httpsFetched, to: .fetchingConfig, because: "HTTPS failed, fall back to 6970/TFTP"),
        .init(from: .fetchingConfigOverHTTPS, on: .httpsFetched, to: .failed, because: "the phone's key store failed"),
        .init(from: .verifyingHTTPSServer, on: .trustDecided, to: .fetchingConfigOverHTTPS, because: "TVS vouched, connect again"),
        .init(from: .verifyingHTTPSServer, on: .trustDecided, to: .fetchingConfig, because: "not vouched, fall back to 6970/TFTP"),
        .init(from: .fetchingTrustList, on: .fetchFailed, to: .fetchingTrustList, because: "try the next server"),
        .init(from: .fetchingTrustList, on: .fetchFailed, to: .failed, because: "no server answers"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .configured, because: "full config verified"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .fetchingConfig, because: "direct .enc.sgn unusable, fetch .sgn"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .fetchingEncryptedConfig, because: "partial, certHash matches"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .runningCAPF, because: "partial, certHash differs"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .awaitingAuthString, because: "capfAuthMode 1, no string"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .failed, because: "config rejected or malformed, or the key store failed"),
        .init(from: .fetchingConfig, on: .fileNotFound, to: .fetchingConfig, because: "try the next config name"),
        .init(from: .fetchingConfig, on: .fileNotFound, to: .failed, because: "no config at all"),
        .init(from: .fetchingConfig, on: .fetchFailed, to: .fetchingConfig, because: "try the next server"),
        .init(from: .fetchingConfig, on: .fetchFailed, to: .failed, because: "no server answers"),
        .init(from: .fetchingEncryptedConfig, on: .fileArrived, to: .configured, because: "decrypted and verified"),
        .init(from: .fetchingEncryptedConfig, on: .fileArrived, to: .runningCAPF, because: "cannot decrypt, enroll once"),
        .init(from: .fetchingEncryptedConfig, on: .fileArrived, to: .awaitingAuthString, because: "cannot decrypt, mode 1 without string"),
        .init(from: .fetchingEncryptedConfig, on: .fileArrived, to: .failed, because: "rejected, cannot decrypt again, or the key store failed"),
        .init(from: .fetchingEncryptedConfig, on: .fileNotFound, to: .waiting, because: "not served yet, back off"),
        .init(from: .fetchingEncryptedConfig, on: .fileNotFound, to: .failed, because: "back-off exhausted"),
        .init(from: .fetchingEncryptedConfig, on: .fetchFailed, to: .fetchingEncryptedConfig, because: "try the next server"),
        .init(from: .fetchingEncryptedConfig, on: .fetchFailed, to: .failed, because: "no server answers"),
        .init(from: .awaitingAuthString, on: .authStringEntered, to: .runningCAPF, because: "string entered"),
        .init(from: .awaitingAuthString, on: .authStringEntered, to: .awaitingAuthString, because: "not 4–16 digits"),
        .init(from: .runningCAPF, on: .capfFinished, to: .resetting, because: "LSC installed or deleted"),
        .init(from: .runningCAPF, on: .capfFinished, to: .runningCAPF, because: "unreachable, next CAPF server"),
        .init(from: .runningCAPF, on: .capfFinished, to: .waiting, because: "retry later, retry round, or no change"),
        .init(from: .runningCAPF, on: .capfFinished, to: .awaitingAuthString, because: "string refused, ask again"),
        .init(from: .runningCAPF, on: .capfFinished, to: .failed, because: "refused, retries exhausted, or the key store failed"),
        .init(from: .waiting, on: .timePassed, to: .waiting, because: "not yet"),
        .init(from: .waiting, on: .timePassed, to: .runningCAPF, because: "retry CAPF"),
        .init(from: .waiting, on: .timePassed, to: .fetchingConfig, because: "fetch the config again"),
        .init(from: .resetting, on: .reset, to: .fetchingTrustList, because: "start over with the new LSC"),
        .init(from: .resetting, on: .reset, to: .failed, because: "too many resets"),
        .init(from: .idle, on: .start, to: .failed, because: "too many board resets (counted on the flash)"),
        .init(from: .fetchingConfig, on: .fileArrived, to: .updatingLoad, because: "full config verified, names another load"),
        .init(from: .fetchingEncryptedConfig, on: .fileArrived, to: .updatingLoad, because: "decrypted and verified, names another load"),
        .init(from: .fetchingConfigOverHTTPS, on: .httpsFetched, to: .updatingLoad, because: "full config over TLS, names another load"),
        .init(from: .updatingLoad, on: .loadUpdated, to: .loadStaged, because: "every image verified, the slot staged: reset into it"),
        .init(from: .updatingLoad, on: .loadUpdated, to: .configured, because: "not served or refused: keep the running load"),
    ]

    public static func allows(_ from: BootStateKind, _ on: BootInputKind, _ to: BootStateKind) -> Bool {
        table.contains { $0.from == from && $0.on == on && $0.to == to }
    }

    /// A Mermaid state diagram of the table, for people (docs/boot-machine.md shows it).
    public static func mermaid() -> String {
        var lines = ["stateDiagram-v2", "    [*] --> idle"]
        for transition in table {
            lines.append("    " + transition.from.rawValue + " --> " + transition.to.rawValue + ": "
                         + transition.on.rawValue + " / " + transition.because)
        }
        lines.append("    configured --> [*]")
        lines.append("    loadStaged --> [*]")
        lines.append("    failed --> [*]")
        return lines.joined(separator: "\n") + "\n"
    }
}
