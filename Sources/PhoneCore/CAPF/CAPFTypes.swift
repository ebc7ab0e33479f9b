import PhoneCrypto
import PhoneTrust
import PhoneWire

/// Why the phone goes to CAPF.
public enum CAPFReason: Equatable, Sendable {
    /// The certificate hash in the partial config differs from ours, is empty, or we have
    /// no certificate.
    case keyMismatch
    /// The `.enc.sgn` could not be decrypted with our key.
    case decryptionFailed
}

/// One CAPF session to run, with everything it needs: the runner never reaches back into
/// the boot machine.
public struct CAPFRequest {
    public let server: DeviceConfiguration.CAPFServer
    public let device: DeviceName
    /// How the phone authenticates (the configuration's `capfAuthMode`), and the string
    /// entered on the phone when the mode asks for one.
    public let mode: CAPFAuthMode
    public let authString: [UInt8]?
    public let reason: CAPFReason
    /// The CAPF certificates of the installed trust lists: the server must present one.
    public let pinned: [Certificate]
    public let lsc: Identity?
    public let mic: Identity?

    public init(server: DeviceConfiguration.CAPFServer, device: DeviceName, mode: CAPFAuthMode, authString: [UInt8]?,
                reason: CAPFReason, pinned: [Certificate], lsc: Identity?, mic: Identity?) {
        self.server = server
        self.device = device
        self.mode = mode
        self.authString = authString
        self.reason = reason
        self.pinned = pinned
        self.lsc = lsc
        self.mic = mic
    }

    /// What an event may show of it (never the string).
    public var attempt: CAPFAttempt {
        CAPFAttempt(server: server, mode: mode, reason: reason)
    }
}

/// A CAPF session as the console shows it starting.
public struct CAPFAttempt: Equatable, Sendable {
    public let server: DeviceConfiguration.CAPFServer
    public let mode: CAPFAuthMode
    public let reason: CAPFReason

    public init(server: DeviceConfiguration.CAPFServer, mode: CAPFAuthMode, reason: CAPFReason) {
        self.server = server
        self.mode = mode
        self.reason = reason
    }
}

/// How a CAPF session ended. The runner reports `CAPFOutcome<Identity>` to the boot
/// machine (the new LSC and its key, already persisted atomically); events carry
/// `CAPFOutcome<String>`, the new certificate's subject, never key material.
public enum CAPFOutcome<Installed> {
    /// A new LSC and key.
    case installed(Installed)
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
    /// No answer: could not connect, TLS failed, the session broke or was abandoned.
    case failed(CAPFProblem)

    /// The same outcome with what was installed seen through `view`.
    public func map<Shown>(_ view: (Installed) -> Shown) -> CAPFOutcome<Shown> {
        switch self {
        case .installed(let installed): return .installed(view(installed))
        case .deleted: return .deleted
        case .fetched: return .fetched
        case .nothingScheduled: return .nothingScheduled
        case .retryLater(let seconds): return .retryLater(seconds: seconds)
        case .invalidAuthentication: return .invalidAuthentication
        case .unknownDevice: return .unknownDevice
        case .failed(let problem): return .failed(problem)
        }
    }
}

extension CAPFOutcome: Equatable where Installed: Equatable {}
extension CAPFOutcome: Sendable where Installed: Sendable {}

extension CAPFOutcome where Installed == Identity {
    /// What an event may carry: the new certificate's subject instead of the identity.
    public var shown: CAPFOutcome<String> { map { $0.certificate.subject } }
}

/// Why one CAPF session gave no answer.
public enum CAPFProblem: Error, Equatable {
    /// The TLS connection: not made, refused at the handshake, broken, or silent past the
    /// read timeout (nested as TVS and the HTTPS download nest it).
    case channel(TLSChannelProblem)
    case noPinnedCertificate
    case session(CAPFSessionError)
    case couldNotStoreLSC
    case couldNotDeleteLSC
    /// The phone refused the certificate the server issued.
    case certificateRefused(CertificateRefusal)
    /// EndSession after the key was sent and before a certificate came.
    case endedBeforeCertificate(reason: UInt8)
    /// EndSession with a reason the phone does not know.
    case endSession(reason: UInt8)
}

/// Why the phone refused an issued certificate.
public enum CertificateRefusal: Equatable, Sendable {
    case notDER
    case otherKey
    case otherDevice(subject: String, expected: DeviceName)
}

/// CAPF's refusals.
public enum CAPFRefusal: Equatable, Sendable {
    /// Wrong string or signed data (EndSession reason 7), and no more tries.
    case invalidAuthentication
    /// EndSession reason 9.
    case unknownDevice
}
