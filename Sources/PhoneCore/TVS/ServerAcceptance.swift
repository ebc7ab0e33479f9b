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

    /// After a certificate no pin holds: ask TVS (the question is
    /// `TrustContext.question(about: certificate, for: purpose)`), or refuse.
    public enum Unpinned: Equatable, Sendable {
        case askTVS
        case refuse(Refusal)
    }

    /// After TVS (or its cache) answered: connect again pinned to exactly the vouched
    /// certificate, or refuse.
    public enum Decided {
        case connectPinned(Certificate)
        case refuse(Refusal)
    }

    /// The pinned connection met `certificate`, which no pin holds. `vouchedBefore`:
    /// this connection was already the one pinned to a vouched certificate.
    public func unpinned(_ certificate: [UInt8], vouchedBefore: Bool) -> Unpinned {
        let subject = Certificate.subject(of: certificate)
        let key = (try? Certificate(der: certificate[...]))?.keyKind
        guard let key, keeps(key) else { return .refuse(.keyNotAllowed(subject: subject, key: key)) }
        guard !vouchedBefore else { return .refuse(.certificateChanged(subject: subject)) }
        return .askTVS
    }

    /// TVS (or the cache) answered about `certificate`.
    public func decided(_ certificate: [UInt8], _ verdict: TrustVerdict) -> Decided {
        guard verdict.isTrusted, let vouched = try? Certificate(der: certificate[...]) else {
            return .refuse(.notVouched(subject: Certificate.subject(of: certificate), verdict: verdict))
        }
        return .connectPinned(vouched)
    }

    private func keeps(_ key: KeyKind) -> Bool {
        switch keyRule {
        case .anyKey: return true
        case .ecOnly: return !key.isRSA
        }
    }
}
