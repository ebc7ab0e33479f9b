import PhoneCrypto
import PhoneWire

/// Valid TVS answers, each kept for its TTL (formats.md §4): bounded in entries, time an
/// input (monotonic milliseconds). An invalid answer is never cached.
public struct TVSCache {
    public struct Entry: Equatable {
        /// SHA-256 of the certificate's DER.
        let digest: [UInt8]
        public let server: DeviceConfiguration.TVSServer
        public let roles: [TrustRole]
        public let ttlSeconds: UInt32
        public let expiresAtMs: UInt64
    }

    /// Entries kept; when full, the one that expires first makes room.
    public static let maxEntries = 32
    /// A TTL over a day is kept for a day: a TVS answer is not a trust list, and a phone
    /// that stays up for years must ask again some time.
    public static let maxLifetimeSeconds: UInt32 = 86_400

    public private(set) var entries: [Entry] = []

    public init() {}

    /// The answer for this certificate, if one is cached and not expired at `now`.
    public func answer(for certificate: [UInt8], now: UInt64) -> Entry? {
        guard let digest = try? Digest.hash(.sha256, certificate) else { return nil }
        return entries.first { $0.digest == digest && now < $0.expiresAtMs }
    }

    /// Keeps a valid answer (TTL 0: not at all) and forgets expired ones.
    public mutating func remember(_ certificate: [UInt8], server: DeviceConfiguration.TVSServer, roles: [TrustRole],
                                  ttlSeconds: UInt32, now: UInt64) {
        entries.removeAll { now >= $0.expiresAtMs }
        guard ttlSeconds > 0, let digest = try? Digest.hash(.sha256, certificate) else { return }
        entries.removeAll { $0.digest == digest }
        if entries.count >= Self.maxEntries, let soonest = entries.indices.min(by: { entries[$0].expiresAtMs < entries[$1].expiresAtMs }) {
            entries.remove(at: soonest)
        }
        let lifetimeMs = UInt64(min(ttlSeconds, Self.maxLifetimeSeconds)) * 1_000
        let (expiry, overflow) = now.addingReportingOverflow(lifetimeMs)
        entries.append(Entry(digest: digest, server: server, roles: roles, ttlSeconds: ttlSeconds,
                             expiresAtMs: overflow ? UInt64.max : expiry))
    }
}
