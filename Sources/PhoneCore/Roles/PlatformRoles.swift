import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What a file fetch came to.
public enum FetchResult {
    case file([UInt8])
    case notFound
    /// Timeout, connection failure, transfer error: the next server may do better.
    case failed(FetchFailure)
}

/// Why a fetch failed. Data only; `PhoneRuntime/Text` words it.
public enum FetchFailure: Error, Equatable {
    /// The server's name did not resolve.
    case nameNotResolved
    /// The connection or socket failed.
    case connection(StreamError)
    /// The whole fetch took longer than the platform's deadline.
    case deadlineExceeded(ms: UInt64)
    case httpStatus(Int)
    /// 3xx: the phone follows no redirect.
    case httpRedirect(Int)
    case httpMalformed(HTTPResponseParser.ParseError)
    case tftp(TFTPError)
    /// A streamed fetch whose reader refused the bytes (it says why itself).
    case readerStopped
}

/// Why a byte stream operation failed. Data only; `PhoneRuntime/Text` words it.
public enum StreamError: Error, Equatable, Sendable {
    case timedOut
    /// The peer closed the connection (or reset it).
    case closed
    case refused
    /// Any other failure of the platform's socket layer, by its errno.
    case system(errno: Int32)
}

/// A connected byte stream (TCP), the platform's half of a TLS connection: the core runs
/// TLS (mbedTLS, sans-IO) over it.
public protocol ByteStream {
    mutating func send(_ bytes: [UInt8], timeoutMs: Int32) -> Result<Void, StreamError>
    /// Some bytes, `.closed` when the peer closed, `.timedOut` after `timeoutMs`.
    mutating func receive(timeoutMs: Int32) -> Result<[UInt8], StreamError>
}

// The platform contract, as small roles (ARCHITECTURE.md, "The platform contract"). A
// port implements them on one type; the core uses each only through generic
// constraints (which Embedded Swift accepts), and no method decides policy.

/// File transport: TFTP or HTTP from configured server `server` (an index into the list
/// the platform was given).
public protocol FileTransport {
    mutating func fetch(_ name: String, server: Int) -> FetchResult
}

/// The phone's flash: every write atomic; false when it failed (the core goes on).
public protocol FlashStorage {
    mutating func saveTrustList(_ kind: TrustListKind, _ bytes: [UInt8]) -> Bool
    /// Whether the last applied configuration was encrypted.
    mutating func saveEncryptedFlag(_ value: Bool) -> Bool
    /// The TVS servers of the last applied configuration.
    mutating func saveTVSServers(_ servers: [DeviceConfiguration.TVSServer]) -> Bool
    /// The new LSC and its private key, together (key owner-only).
    mutating func saveLSC(_ identity: Identity) -> Bool
    mutating func deleteLSC() -> Bool
}

/// Where the phone's private keys are made: in memory and kept on the flash (the default),
/// or inside a token (PKCS#11), never to leave it. A token's key is a `PrivateKey` like any
/// other, so no layer above this role knows which it has. A new key becomes the phone's
/// only when `saveLSC` stores its certificate; until then a power cut leaves it an orphan
/// that the next boot destroys.
public protocol KeyStore {
    mutating func generateKey(_ kind: KeyKind, rng: RandomGenerator) throws(CryptoError) -> PrivateKey
}

/// TCP, for the sessions the core runs over TLS (CAPF, TVS).
public protocol TCPConnector {
    associatedtype Connection: ByteStream
    mutating func connect(host: String, port: UInt16, timeoutMs: Int32) -> Result<Connection, StreamError>
}

/// The console: every boot step's event (with the transition it took, nil when the
/// input was ignored) and every CAPF session event. Text, if any, is made here.
public protocol PhoneConsole {
    mutating func log(_ event: BootEvent, transition: BootTransition?)
    mutating func log(_ event: CAPFEvent)
}

/// The monotonic clock (milliseconds), and the reset the phone does after a new LSC.
public protocol ClockAndReset {
    func now() -> UInt64
    mutating func sleep(until time: UInt64)
    /// Everything the machine asked to persist is on the flash when it is called. A board
    /// keeps `count` (the resets of this boot, this one included) on its flash before it
    /// reboots, for `BootMemory.boardResets`; when the flash does not take it, the phone
    /// starts over in process (`.inProcess`) rather than lose the count.
    mutating func reset(count: Int) -> ResetKind
}

/// Who carries out a reset the machine asked for.
public enum ResetKind: Equatable, Sendable {
    /// The phone starts over in this process (the host, the C API): the machine goes on.
    case inProcess
    /// The board restarts (a real reboot): the boot ends here, and the next power-on
    /// begins again from what the flash holds.
    case board
}

/// The prompt: an authentication string from the user, or nil when nobody can answer.
public protocol AuthStringPrompt {
    mutating func askForAuthString(retry: Bool) -> [UInt8]?
}

/// The TLS key log, for people who look at a session in Wireshark: off unless asked.
/// When on, each TLS session the core runs hands its secrets here once its handshake is
/// done; the platform writes them where the user asked (never to the console).
public protocol TLSKeyLog {
    var logsTLSSecrets: Bool { get }
    mutating func record(_ secrets: TLSSessionSecrets)
}

/// One CAPF session run to its end. A port with TCP, flash and a console gets it from
/// `CAPFRunner`; a test world scripts it.
public protocol CAPFEnrollment {
    mutating func enroll(_ request: CAPFRequest, rng: RandomGenerator) -> CAPFOutcome<Identity>
}

/// One TVS query carried out: TLS to the server, the request, the answer. A port
/// implements it with `TVSRunner`; a test world scripts it. No policy.
public protocol TVSQuerying {
    mutating func ask(_ query: TVSQuery, rng: RandomGenerator) -> TVSQueryResult
}

/// The HTTPS configuration download carried out: a port implements it with
/// `HTTPSConfigRunner`, a test world scripts it. No policy.
public protocol SecureConfigTransport {
    mutating func fetchOverHTTPS(_ request: HTTPSConfigRequest, rng: RandomGenerator) -> HTTPSConfigResult
}

/// The board's two load slots (formats.md §6; the Linux board's `SlotStore`): an update
/// empties the inactive one, writes the load's images into it one by one as they stream in,
/// then stages it (its record last, then marked to try at the next power-on). No policy:
/// which load, and whether an image's bytes may be kept, is `LoadUpdateRunner`'s (`check`).
public protocol LoadSlots {
    /// Empties the slot an update writes (neither the good one nor one on trial) and names it.
    mutating func clearInactiveSlot() -> Result<LoadSlot, LoadSlotFailure>
    /// File `name` of file server `server`, at most `cap` bytes within `deadlineMs`, into a new
    /// image of `slot` as it arrives: each piece goes through `check`, which returns the bytes to write (nil:
    /// refused, the fetch stops); after the last, `finish` returns the last bytes (nil:
    /// refused). The image is kept — committed, its size and SHA-256 returned — only when
    /// neither refused; otherwise nothing of it stays (`.checkRefused`).
    mutating func streamImage(_ name: String, server: Int, into slot: LoadSlot, cap: Int, deadlineMs: UInt64,
                              check: (ArraySlice<UInt8>) -> ArraySlice<UInt8>?,
                              finish: () -> ArraySlice<UInt8>?) -> Result<WrittenImage, LoadSlotFailure>
    /// `slot` holds `load` whole (`images`, every one written): its record, then the mark to
    /// try it at the next power-on.
    mutating func stage(_ slot: LoadSlot, load: String, images: [WrittenImage]) -> Result<Void, LoadSlotFailure>
    /// The running load `load` reached configured: when it is the load on trial, its slot is
    /// the good one from now on (a load not on trial changes nothing). A failure is the
    /// platform's to report (`storageFailed`); the boot goes on.
    mutating func confirmRunningLoad(_ load: String)
}

public enum LoadSlot: Equatable, Sendable {
    case a
    case b
}

/// An image in a slot: its name, size and SHA-256, as the anchor's check let it in.
public struct WrittenImage: Equatable, Sendable {
    public let name: String
    public let size: Int
    public let sha256: [UInt8]

    public init(name: String, size: Int, sha256: [UInt8]) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }
}

/// Why a slot did not take an image or a load. Data only.
public enum LoadSlotFailure: Error, Equatable {
    case imageNotFound(String)
    case fetch(FetchFailure)
    /// The caller's check refused the image's bytes (it knows why).
    case checkRefused
    /// The anchor's check refused the image (its name, signature, cap or header).
    case image(LoadError)
    /// The flash failed, in the words of the platform that defines it.
    case flash(String)
}

/// Everything a boot needs.
public typealias PhonePlatform = FileTransport & FlashStorage & PhoneConsole & ClockAndReset & AuthStringPrompt & CAPFEnrollment
    & TVSQuerying & SecureConfigTransport & LoadSlots

/// What a board stores on its flash (named when a write fails).
public enum StoredItem: Equatable {
    case trustList(TrustListKind)
    case encryptedFlag
    case tvsServers
    case lsc
    case lscRemoval
    case keyLog
    /// The count of a board's resets (`BootMemory.boardResets`).
    case resetCount
    /// The mark that makes the running load the good one.
    case goodLoad
}
