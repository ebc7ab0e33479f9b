import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What the boot machine is told before it starts, and its bounds.
public struct BootSettings {
    public var device: DeviceName
    /// File servers (TFTP/HTTP), tried in order; the platform knows their addresses.
    public var serverCount: Int
    /// An authentication string entered beforehand (capfAuthMode 1), 4–16 digits.
    public var authString: [UInt8]?
    /// The phone's model (four digits) for its TVS name when the MIC does not name it.
    public var model: String?
    /// The configuration server's HTTPS port (formats.md §5); labs and tests move it.
    public var httpsPort: UInt16 = 6971
    /// The load this firmware runs (`RunningLoad.id`): a full configuration naming another
    /// starts an update (`LoadDecision`).
    public var runningLoad = ""
    /// What an update is checked against; nil: the phone has no load slots to write (the
    /// host without `--slots`), so it never updates.
    public var loadUpdate: LoadUpdateSettings?

    /// Resets (after a new LSC) allowed in one boot.
    public var maxResets = 3
    /// A CAPF communication failure is retried three times, 30 seconds apart, as Cisco's
    /// phones do (boot-flow.md step 6).
    public var capfRoundRetries = 3
    public var capfRetryDelayMs: UInt64 = 30_000
    /// Growing delays while the encrypted configuration stays unavailable.
    public var unavailableBackoffMs: [UInt64] = [30_000, 60_000, 120_000, 240_000]
    /// RetryLater is honoured this many times, each delay capped.
    public var maxRetryLater = 3
    public var maxRetryLaterDelayMs: UInt64 = 600_000
    public var maxAuthStringAttempts = 3

    public init(device: DeviceName, serverCount: Int, authString: [UInt8]? = nil) {
        self.device = device
        self.serverCount = max(serverCount, 1)
        self.authString = authString
    }

    /// 4 to 16 ASCII digits (formats.md §3, element 11).
    public static func isValidAuthString(_ digits: [UInt8]) -> Bool {
        digits.count >= 4 && digits.count <= 16 && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

/// What the phone remembers across boots: the platform loads it from storage.
public struct BootMemory {
    public var trustStore: TrustStore
    public var mic: Identity?
    public var lsc: Identity?
    /// The last configuration said `encrConfig` true: ask for the `.enc.sgn` first.
    public var lastConfigEncrypted: Bool
    /// The TVS servers of the last applied configuration, in priority order.
    public var tvsServers: [DeviceConfiguration.TVSServer]
    /// The resets a board has already carried out in this boot (`BootAction.reset`'s
    /// count, kept on its flash across the reboots); 0 where the phone resets in-process.
    /// The bound of `BootSettings.maxResets` counts them.
    public var boardResets: Int

    public init(trustStore: TrustStore = TrustStore(), mic: Identity? = nil, lsc: Identity? = nil,
                lastConfigEncrypted: Bool = false, tvsServers: [DeviceConfiguration.TVSServer] = [], boardResets: Int = 0) {
        self.trustStore = trustStore
        self.mic = mic
        self.lsc = lsc
        self.lastConfigEncrypted = lastConfigEncrypted
        self.tvsServers = tvsServers
        self.boardResets = boardResets
    }

    /// The certificate the phone presents and whose hash the cluster stores: the LSC
    /// when installed, else the MIC.
    var activeIdentity: Identity? { lsc ?? mic }
}
