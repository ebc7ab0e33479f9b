import PhoneCrypto
import PhoneWire

/// How the phone authenticates to CAPF, from `capfAuthMode` (formats.md §2).
public enum CAPFAuthentication: Equatable {
    /// Mode 0: no string; the phone enrols on its own.
    case automatic
    /// Mode 1: the authentication string entered on the phone (4–16 digits).
    case string([UInt8])
    /// Mode 2: the null string.
    case nullString
    /// Modes 3 and 4: the installed certificate and its signed data, LSC or MIC first.
    case certificate(lscFirst: Bool)

    /// For logs: never the string itself.
    public var name: String {
        switch self {
        case .automatic: return "automatic"
        case .string: return "authentication string"
        case .nullString: return "null string"
        case .certificate(let lscFirst): return lscFirst ? "certificate (LSC first)" : "certificate (MIC first)"
        }
    }

    public static func == (left: CAPFAuthentication, right: CAPFAuthentication) -> Bool {
        switch (left, right) {
        case (.automatic, .automatic), (.nullString, .nullString): return true
        case (.string(let a), .string(let b)): return a == b
        case (.certificate(let a), .certificate(let b)): return a == b
        default: return false
        }
    }
}

/// Why the phone goes to CAPF.
public enum CAPFReason: Equatable, Sendable {
    /// The certificate hash in the partial config differs from ours, is empty, or we have
    /// no certificate.
    case keyMismatch
    /// The `.enc.sgn` could not be decrypted with our key.
    case decryptionFailed

    public var name: String {
        switch self {
        case .keyMismatch: return "key mismatch"
        case .decryptionFailed: return "decryption failed"
        }
    }
}

/// One CAPF session to run: the platform connects (TLS, port from the config), and the
/// CAPF client session does the rest.
public struct CAPFRequest: Equatable {
    public let server: DeviceConfiguration.CAPFServer
    public let device: DeviceName
    public let authentication: CAPFAuthentication
    public let reason: CAPFReason

    public init(server: DeviceConfiguration.CAPFServer, device: DeviceName, authentication: CAPFAuthentication,
                reason: CAPFReason) {
        self.server = server
        self.device = device
        self.authentication = authentication
        self.reason = reason
    }
}

/// How a CAPF session ended, as the runner reports it back to the boot machine.
public enum CAPFOutcome {
    /// A new LSC and key, already persisted atomically by the session's runner.
    case installed(Identity)
    /// The LSC and its key were removed.
    case deleted
    /// The server fetched the phone's certificate; nothing changed on the phone.
    case fetched
    /// EndSession with reason 0: no operation scheduled for this phone.
    case nothingScheduled
    case retryLater(seconds: UInt32)
    /// Wrong string or bad signed data (reason 7 after authentication).
    case invalidAuthentication
    /// EndSession with reason 9.
    case unknownDevice
    /// Could not connect, TLS failed, or the server stopped answering.
    case unreachable(String)
    /// The session broke the protocol or the phone could not complete it.
    case failed(String)

    public var name: String {
        switch self {
        case .installed(let identity): return "LSC installed (" + identity.certificate.subject + ")"
        case .deleted: return "LSC deleted"
        case .fetched: return "certificate fetched by the server"
        case .nothingScheduled: return "no operation scheduled"
        case .retryLater(let seconds): return "retry later (" + String(seconds) + " s)"
        case .invalidAuthentication: return "invalid authentication"
        case .unknownDevice: return "unknown device"
        case .unreachable(let reason): return "unreachable: " + reason
        case .failed(let reason): return "failed: " + reason
        }
    }
}
