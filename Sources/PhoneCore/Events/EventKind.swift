/// Every kind of event the phone reports: the boot's, a CAPF session's and the board's.
/// The number is the C API's `phonesec_event_kind` (a test holds the two equal); the name
/// is the JSON log's `"event"`. Numbers are never reused.
public enum EventKind: UInt8, CaseIterable, Sendable {
    case started = 1
    case trustListInstalled = 2
    case trustListRejected = 3
    case askingTVS = 4
    case trustListNotVouched = 5
    case fileNotFound = 6
    case fetchFailed = 7
    case noTrustList = 8
    case configApplied = 9
    case httpsConfigApplied = 10
    case askingTVSAboutHTTPSServer = 11
    case httpsServerVouched = 12
    case httpsConfigFallback = 13
    case partialConfig = 14
    case directDecryptFailed = 15
    case decryptionFailed = 16
    case capfStarting = 17
    case capfEnded = 18
    case authStringRefused = 19
    case resumed = 20
    case stillWaiting = 21
    case failed = 22
    case ignored = 23
    case fetching = 24
    case tvsAsked = 25
    case storageFailed = 26
    case reset = 27
    case keyLogOn = 28
    case capfTLSEstablished = 29
    case capfReceived = 30
    case capfSent = 31
    case capfInstallRequested = 32
    case capfCertificateReceived = 33
    case capfCertificateRefused = 34
    case capfLSCStored = 35
    case loadStaged = 36
    case loadNotStaged = 37

    /// The JSON log's name (the C header's constant is `PHONESEC_EVENT_` and this in
    /// upper snake case).
    public var name: String {
        switch self {
        case .started: return "started"
        case .trustListInstalled: return "trustListInstalled"
        case .trustListRejected: return "trustListRejected"
        case .askingTVS: return "askingTVS"
        case .trustListNotVouched: return "trustListNotVouched"
        case .fileNotFound: return "fileNotFound"
        case .fetchFailed: return "fetchFailed"
        case .noTrustList: return "noTrustList"
        case .configApplied: return "configApplied"
        case .httpsConfigApplied: return "httpsConfigApplied"
        case .askingTVSAboutHTTPSServer: return "askingTVSAboutHTTPSServer"
        case .httpsServerVouched: return "httpsServerVouched"
        case .httpsConfigFallback: return "httpsConfigFallback"
        case .partialConfig: return "partialConfig"
        case .directDecryptFailed: return "directDecryptFailed"
        case .decryptionFailed: return "decryptionFailed"
        case .capfStarting: return "capfStarting"
        case .capfEnded: return "capfEnded"
        case .authStringRefused: return "authStringRefused"
        case .resumed: return "resumed"
        case .stillWaiting: return "stillWaiting"
        case .failed: return "failed"
        case .ignored: return "ignored"
        case .fetching: return "fetching"
        case .tvsAsked: return "tvsAsked"
        case .storageFailed: return "storageFailed"
        case .reset: return "reset"
        case .keyLogOn: return "keyLogOn"
        case .capfTLSEstablished: return "capfTLSEstablished"
        case .capfReceived: return "capfReceived"
        case .capfSent: return "capfSent"
        case .capfInstallRequested: return "capfInstallRequested"
        case .capfCertificateReceived: return "capfCertificateReceived"
        case .capfCertificateRefused: return "capfCertificateRefused"
        case .capfLSCStored: return "capfLSCStored"
        case .loadStaged: return "loadStaged"
        case .loadNotStaged: return "loadNotStaged"
        }
    }
}
