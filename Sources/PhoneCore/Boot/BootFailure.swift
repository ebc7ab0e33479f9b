import PhoneTrust
import PhoneWire

/// Why a boot ended without a configuration. Data only; `PhoneRuntime/Text` words it, and
/// each caller picks its exit code or status.
public enum BootFailure: Error, Equatable {
    /// Every file server failed for this file.
    case unreachable(file: String)
    case configNotFound
    case configRejected(file: String, TrustError)
    case configMalformed(file: String, ConfigError)
    /// A partial configuration arrived unsigned, with no trust list to verify the rest.
    case partialConfigWithoutTrustList
    /// A partial configuration that does not say `encrConfig`: nothing to fetch.
    case partialConfigWithoutEncryption
    /// The partial configuration names no CAPF server (an empty `capfList` address).
    case noCAPFServer
    case unsupportedCAPFAuthMode(Int)
    /// capfAuthMode 3/4 and the phone holds no certificate.
    case noCertificateForCAPF
    /// CAPF answered, and the answer was no.
    case capfRefused(CAPFRefusal)
    /// The encrypted configuration stayed out of reach.
    case encryptedConfigUnavailable(UnavailableCause)
    /// Decryption failed again after a CAPF enrolment meant to fix it.
    case decryptionFailed(TrustError)
    case tooManyResets(Int)
    /// The phone's key store failed during the boot (`KeyStoreFailure.swift`): the store's
    /// own code (a PKCS#11 CKR value).
    case keyStoreFailed(code: UInt32)
    /// A defect of the core itself, never a cluster's doing.
    case internalFault(InternalFault)
}

/// Why the encrypted configuration stayed out of reach.
public enum UnavailableCause: Equatable, Sendable {
    /// The cluster does not serve the `.enc.sgn`.
    case notServed(file: String)
    /// Every CAPF server failed in every round; the last attempt's problem.
    case capfUnreachable(rounds: Int, last: CAPFProblem)
    /// CAPF ended without a new certificate while the hash still differs.
    case capfWithoutNewCertificate(CAPFOutcome<String>)
    case capfRetryLaterForever
}

/// What went wrong inside the core.
public enum InternalFault: Equatable, Sendable {
    /// The machine took a transition its table does not have.
    case untabledTransition(from: BootStateKind, on: BootInputKind, to: BootStateKind)
    /// The runner ran out of inputs before a terminal action.
    case stoppedWithoutOutcome
}
