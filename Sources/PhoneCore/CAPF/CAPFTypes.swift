import PhoneCrypto
import PhoneTrust
import PhoneWire

/// How the phone authenticates to CAPF, from `capfAuthMode` (formats.md §2), with the
/// string itself when there is one.
public enum CAPFAuthentication: Equatable {
    /// Mode 0: no string; the phone enrols on its own.
    case automatic
    /// Mode 1: the authentication string entered on the phone (4–16 digits).
    case string([UInt8])
    /// Mode 2: the null string.
    case nullString
    /// Modes 3 and 4: the installed certificate and its signed data, LSC or MIC first.
    case certificate(lscFirst: Bool)

    /// The same without the string: what an event may carry.
    public enum Method: Equatable, Sendable {
        case automatic
        case string
        case nullString
        case certificate(lscFirst: Bool)
    }

    public var method: Method {
        switch self {
        case .automatic: return .automatic
        case .string: return .string
        case .nullString: return .nullString
        case .certificate(let lscFirst): return .certificate(lscFirst: lscFirst)
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
}

/// One CAPF session to run, with everything it needs: the runner never reaches back into
/// the boot machine.
public struct CAPFRequest {
    public let server: DeviceConfiguration.CAPFServer
    public let device: DeviceName
    public let authentication: CAPFAuthentication
    public let reason: CAPFReason
    /// The CAPF certificates of the installed trust lists: the server must present one.
    public let pinned: [Certificate]
    public let lsc: Identity?
    public let mic: Identity?

    public init(server: DeviceConfiguration.CAPFServer, device: DeviceName, authentication: CAPFAuthentication,
                reason: CAPFReason, pinned: [Certificate], lsc: Identity?, mic: Identity?) {
        self.server = server
        self.device = device
        self.authentication = authentication
        self.reason = reason
        self.pinned = pinned
        self.lsc = lsc
        self.mic = mic
    }

    /// What an event may show of it.
    public var attempt: CAPFAttempt {
        CAPFAttempt(server: server, method: authentication.method, reason: reason)
    }
}

/// A CAPF session as the console shows it starting.
public struct CAPFAttempt: Equatable, Sendable {
    public let server: DeviceConfiguration.CAPFServer
    public let method: CAPFAuthentication.Method
    public let reason: CAPFReason

    public init(server: DeviceConfiguration.CAPFServer, method: CAPFAuthentication.Method, reason: CAPFReason) {
        self.server = server
        self.method = method
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
    /// No answer: could not connect, TLS failed, the session broke or was abandoned.
    case failed(CAPFProblem)

    /// The outcome without key material: what an event may carry.
    public var result: CAPFResult {
        switch self {
        case .installed(let identity): return .installed(subject: identity.certificate.subject)
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

/// `CAPFOutcome` as events carry it.
public enum CAPFResult: Equatable, Sendable {
    case installed(subject: String)
    case deleted
    case fetched
    case nothingScheduled
    case retryLater(seconds: UInt32)
    case invalidAuthentication
    case unknownDevice
    case failed(CAPFProblem)
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
