import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What one event says, as named, typed fields. A field means the same in every event
/// that sets it; an event sets only the fields it has. The JSON object and the C event
/// are made from this by one rule each, field by field (`PhoneRuntime/Text/EventJSON`,
/// `PhoneSec/EventView`); only the console line has words of its own per event. Nothing
/// secret is ever here.
///
/// Records are filled field by field on a `var`, never through a closure that takes the
/// record `inout`: with Swift 6.3's Embedded build for aarch64 such a closure handed back
/// the device name with two bits of its small-string tag cleared (the firmware crashed
/// writing the first JSON line; x86_64 was unaffected). Seen on 2026-12-05, kept out since.
public struct EventRecord: Equatable {
    public internal(set) var kind: EventKind

    // The boot as a whole.
    /// The phone's name (`SEP` and its MAC).
    public var device: String?
    /// Resets so far in this boot.
    public var resets: Int?
    /// The trust lists installed when the boot started.
    public var installed: [TrustListKind]?

    // The file the event is about (for `keyLogOn`, the key log's path), and its trust.
    public var file: String?
    public var trustList: TrustListKind?
    public var trustListOutcome: TrustListUpdate.Outcome?
    /// The subject of the certificate that signed the file, or of a new signer TVS is asked about.
    public var signer: String?
    public var encrypted: Bool?
    /// The partial configuration's certificate hash against the phone's own.
    public var partialConfig: PartialConfigCheck?

    // Where the phone talks to.
    public var transport: FileProtocol?
    /// The server the phone talks to (a file server, CAPF, TVS).
    public var host: String?
    public var port: UInt16?
    /// Which of the configured file servers, from 1.
    public var fileServer: Int?
    /// The file server tried next, from 1; absent when none is left.
    public var nextFileServer: Int?

    // TLS servers and their trust.
    /// The subject of a TLS server's certificate (the HTTPS configuration server).
    public var serverCertificate: String?
    /// Certificates a TLS connection is pinned to.
    public var pinned: Int?
    /// The subject of the certificate the phone presents.
    public var clientCertificate: String?
    public var vouchedByTVS: Bool?
    /// TVS servers the phone is about to ask.
    public var tvsServers: Int?
    public var tvsAnswer: TVSQueryResult?
    public var verdict: TrustVerdict?

    // CAPF.
    public var capfMode: CAPFAuthMode?
    public var capfReason: CAPFReason?
    public var capfResult: CAPFOutcome<String>?
    public var capfCommand: CAPFCommand?
    /// Elements of a CAPF message the codec does not know.
    public var skippedTags: [UInt8]?
    /// The key CAPF asked the phone to make.
    public var keyKind: KeyKind?
    /// The subject of the certificate CAPF issued.
    public var issuedCertificate: String?
    public var lscStored: Bool?

    // Firmware loads.
    /// The load a configuration names (its ID: its file is `<load>.loads`).
    public var load: String?
    /// The slot an update wrote.
    public var slot: LoadSlot?
    /// The images of the load, every one checked.
    public var images: Int?

    // Why, and what next.
    /// Why a file, a list or a download was not used.
    public var cause: EventCause?
    /// What ended the boot, or what the step gave up with.
    public var failure: BootFailure?
    /// What the board could not store.
    public var storedItem: StoredItem?
    /// The monotonic time a wait lasts until.
    public var untilMs: UInt64?
    /// An input the machine ignored, and the state it was in.
    public var ignoredInput: BootInputKind?
    public var ignoredIn: BootStateKind?
    /// What the phone does after this step.
    public var next: BootNext?

    // Out of line: inlined into every event's record it cost the x86_64 firmware 9 KiB.
    @inline(never)
    public init(_ kind: EventKind) { self.kind = kind }
}

/// How a file comes to the phone.
public enum FileProtocol: String, Equatable, Sendable {
    case tftp
    case http
    case https
}

/// Why a file, a trust list or a download was not used.
public enum EventCause: Equatable {
    case trust(TrustError)
    case fetch(FetchFailure)
    case httpsFallback(HTTPSFallback)
    case certificateRefused(CertificateRefusal)
    case loadUpdate(LoadUpdateFailure)
    /// A failure of the board itself, in the words of the platform that defines it.
    case platform(String)
}

extension EventRecord {
    /// A CAPF attempt's server, mode and reason.
    mutating func setCAPFAttempt(_ attempt: CAPFAttempt) {
        host = attempt.server.host
        port = attempt.server.port
        capfMode = attempt.mode
        capfReason = attempt.reason
    }
}
