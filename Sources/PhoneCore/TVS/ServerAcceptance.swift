import PhoneCrypto
import PhoneTrust
import PhoneWire

/// How the phone accepts the TLS server of a cluster service, written once for every
/// caller: the boot's configuration over HTTPS 6971 and the secure channel (call control,
/// HTTPS services).
///
/// 1. Connect pinned to the certificates of the installed lists whose role fits the
///    purpose and whose key keeps the key rule.
/// 2. A certificate they do not hold is refused at once when its key breaks the rule (or
///    it does not parse); otherwise the phone asks TVS about it, for the purpose.
/// 3. Vouched for, connect once more pinned to exactly that certificate. A server that
///    shows yet another certificate then is refused: never a third connection.
public struct ServerAcceptance: Equatable, Sendable {
    /// Which server keys the service may use.
    public enum KeyRule: Equatable, Sendable {
        case anyKey
        /// formats.md §5: the configuration server on 6971 must present an EC key (the
        /// port exists for EC LSCs; an RSA server there is a misconfiguration or a stranger).
        case ecOnly
    }

    public let purpose: TrustPurpose
    public let keyRule: KeyRule

    public init(purpose: TrustPurpose, keyRule: KeyRule) {
        self.purpose = purpose
        self.keyRule = keyRule
    }

    /// The configuration over HTTPS 6971: TFTP or CCM+TFTP roles, EC keys only.
    public static let configurationOverHTTPS = ServerAcceptance(purpose: .configuration, keyRule: .ecOnly)

    /// A secure channel for `purpose`: its roles, any key.
    public static func channel(_ purpose: TrustPurpose) -> ServerAcceptance {
        ServerAcceptance(purpose: purpose, keyRule: .anyKey)
    }

    /// What the first connection is pinned to: the listed certificates the trust
    /// decision accepts for the purpose (`TrustStore.certificates(for:)`) whose key keeps
    /// the rule.
    public func pinned(_ store: TrustStore) -> [Certificate] {
        store.certificates(for: purpose).filter { keeps($0.keyKind) }
    }

    /// Why a server was not accepted.
    public enum Refusal: Equatable, Sendable {
        /// Its certificate breaks the key rule (nil: the certificate does not parse).
        case keyNotAllowed(subject: String, key: KeyKind?)
        /// Not listed, and TVS did not vouch for it for the purpose.
        case notVouched(subject: String, verdict: TrustVerdict)
        /// After TVS vouched for one certificate, the server presented another.
        case certificateChanged(subject: String)
    }

    /// After a certificate no pin holds: ask TVS, or refuse.
    public enum Unpinned: Equatable, Sendable {
        case askTVS
        case refuse(Refusal)
    }

    /// One acceptance under way, held by its user between connections (the boot's HTTPS
    /// step across its states, `SecureChannel` across its loop): what the next connection
    /// is pinned to, and the TVS verdict that vouched for that pin, so that the one
    /// reconnect is never followed by a third.
    public struct Attempt {
        public let acceptance: ServerAcceptance
        public private(set) var pinned: [Certificate]
        /// TVS's verdict on the certificate `pinned` holds alone; nil while pinned to the lists.
        public private(set) var vouching: TrustVerdict?

        /// The first connection: pinned to the lists (`ServerAcceptance.pinned`).
        public init(_ acceptance: ServerAcceptance, _ store: TrustStore) {
            self.acceptance = acceptance
            pinned = acceptance.pinned(store)
        }

        /// The connection met `certificate`, which no pin holds: ask TVS about it (the
        /// question is `TrustContext.question(about: certificate, for: acceptance.purpose)`),
        /// or refuse.
        public func unpinned(_ certificate: [UInt8]) -> Unpinned {
            let subject = Certificate.subject(of: certificate)
            let key = (try? Certificate(der: certificate[...]))?.keyKind
            guard let key, acceptance.keeps(key) else { return .refuse(.keyNotAllowed(subject: subject, key: key)) }
            guard vouching == nil else { return .refuse(.certificateChanged(subject: subject)) }
            return .askTVS
        }

        /// TVS (or its cache) answered about `certificate`: nil when the next connection is
        /// pinned to exactly it (connect again), else why the server is refused.
        public mutating func decided(_ certificate: [UInt8], _ verdict: TrustVerdict) -> Refusal? {
            guard verdict.isTrusted, let vouched = try? Certificate(der: certificate[...]) else {
                return .notVouched(subject: Certificate.subject(of: certificate), verdict: verdict)
            }
            pinned = [vouched]
            vouching = verdict
            return nil
        }
    }

    func keeps(_ key: KeyKind) -> Bool {
        switch keyRule {
        case .anyKey: return true
        case .ecOnly: return !key.isRSA
        }
    }
}
