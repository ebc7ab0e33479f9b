import PhoneCrypto
import PhoneTrust
import PhoneWire

/// A certificate to decide on, for one use, with what the phone has to decide it: its
/// installed lists, the TVS servers of its last configuration (in priority order) and
/// its TVS name.
public struct TrustQuestion {
    public let certificate: [UInt8]
    public let purpose: TrustPurpose
    public let store: TrustStore
    public let servers: [DeviceConfiguration.TVSServer]
    /// nil when the phone's model is not known (no MIC naming it, none given).
    public let deviceName: TVSDeviceName?

    /// Made by `TrustContext.question(about:for:)`, the one builder.
    init(certificate: [UInt8], purpose: TrustPurpose, store: TrustStore, servers: [DeviceConfiguration.TVSServer],
         deviceName: TVSDeviceName?) {
        self.certificate = certificate
        self.purpose = purpose
        self.store = store
        self.servers = servers
        self.deviceName = deviceName
    }
}

/// The answer to a `TrustQuestion`, with every TVS server asked on the way.
public struct TrustVerdict: Equatable, Sendable {
    public enum Answer: Equatable, Sendable {
        /// An installed list holds the certificate with a role that fits.
        case listed(kind: TrustListKind, record: Int, subject: String, role: TrustRole)
        /// A TVS of the installed ITL vouched for it with a role that fits.
        case vouched(server: DeviceConfiguration.TVSServer, roles: [TrustRole], ttlSeconds: UInt32, fromCache: Bool)
        case notTrusted(NotTrustedCause)
        /// The lists do not hold it and no TVS server gave an answer.
        case unanswered
    }

    public let answer: Answer
    public let attempts: [TVSAttempt]
    /// What the lists said, when they did not decide it.
    public let listed: ListedTrust

    public var isTrusted: Bool {
        switch answer {
        case .listed, .vouched: return true
        case .notTrusted, .unanswered: return false
        }
    }
}

/// Why a certificate is not trusted for a use.
public enum NotTrustedCause: Equatable, Sendable {
    /// The lists do not hold it and the last configuration names no TVS.
    case noTVSServer
    /// The installed lists hold no TVS record to pin a TVS connection to.
    case noTVSCertificate
    /// The phone's model is unknown, so it has no TVS name to ask with.
    case noDeviceName
    case tvsSaysInvalid(server: DeviceConfiguration.TVSServer)
    /// TVS vouched for it, but not for this use.
    case rolesDoNotFit(server: DeviceConfiguration.TVSServer, roles: [TrustRole])
}

/// The one trust decision for every certificate the phone meets (formats.md §1, §4):
/// the installed CTL/ITL first; then a valid cached TVS answer; then the TVS servers in
/// order until one answers. Holds the TTL cache, so a phone keeps one decider.
public struct TrustDecider {
    public private(set) var cache = TVSCache()

    public init() {}

    /// `now`: monotonic milliseconds, for the cache.
    public mutating func decide<P: TVSQuerying>(_ question: TrustQuestion, now: UInt64, rng: RandomGenerator,
                                               on platform: inout P) -> TrustVerdict {
        let listed = question.store.lookup(question.certificate, for: question.purpose)
        if case .listed(let kind, let record, let subject, let role) = listed {
            return TrustVerdict(answer: .listed(kind: kind, record: record, subject: subject, role: role), attempts: [], listed: listed)
        }
        if let cached = cache.answer(for: question.certificate, now: now) {
            return TrustVerdict(answer: judge(question.purpose, server: cached.server, roles: cached.roles,
                                              ttlSeconds: cached.ttlSeconds, fromCache: true),
                                attempts: [], listed: listed)
        }
        func refuse(_ cause: NotTrustedCause) -> TrustVerdict {
            TrustVerdict(answer: .notTrusted(cause), attempts: [], listed: listed)
        }
        guard !question.servers.isEmpty else { return refuse(.noTVSServer) }
        let pinned = question.store.certificates(withRole: .tvs)
        guard !pinned.isEmpty else { return refuse(.noTVSCertificate) }
        guard let deviceName = question.deviceName else { return refuse(.noDeviceName) }
        var attempts: [TVSAttempt] = []
        for server in question.servers {
            let request = TVSVerifyRequest(sessionID: sessionID(rng), deviceName: deviceName.bytes, certificate: question.certificate)
            let result = platform.ask(TVSQuery(server: server, pinned: pinned, request: request), rng: rng)
            attempts.append(TVSAttempt(server: server, result: result))
            switch result {
            case .answered(.valid(let roles, let ttl)):
                cache.remember(question.certificate, server: server, roles: roles, ttlSeconds: ttl, now: now)
                return TrustVerdict(answer: judge(question.purpose, server: server, roles: roles, ttlSeconds: ttl, fromCache: false),
                                    attempts: attempts, listed: listed)
            case .answered(.invalid):
                return TrustVerdict(answer: .notTrusted(.tvsSaysInvalid(server: server)), attempts: attempts, listed: listed)
            case .failed:
                continue
            }
        }
        return TrustVerdict(answer: .unanswered, attempts: attempts, listed: listed)
    }

    private func judge(_ purpose: TrustPurpose, server: DeviceConfiguration.TVSServer, roles: [TrustRole], ttlSeconds: UInt32,
                       fromCache: Bool) -> TrustVerdict.Answer {
        guard roles.contains(where: { purpose.fits($0) }) else { return .notTrusted(.rolesDoNotFit(server: server, roles: roles)) }
        return .vouched(server: server, roles: roles, ttlSeconds: ttlSeconds, fromCache: fromCache)
    }

    /// The client picks the session id (formats.md §4); a random one makes a stale or
    /// replayed answer from another session fail the echo check.
    private func sessionID(_ rng: RandomGenerator) -> UInt32 {
        guard let bytes = try? rng.bytes(4) else { return 1 }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
