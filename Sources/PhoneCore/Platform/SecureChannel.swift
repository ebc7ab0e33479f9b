import PhoneCrypto
import PhoneTrust
import PhoneWire

/// Why a secure channel did not open, or broke. Data only.
public enum SecureChannelProblem: Error, Equatable {
    /// The phone holds neither an LSC nor a MIC to present.
    case noIdentity
    /// The server's certificate is not trusted for the channel's purpose; the handshake
    /// was abandoned, so not one application byte went out.
    case notTrusted(certificate: [UInt8], verdict: TrustVerdict)
    case channel(TLSChannelProblem)
}

/// What the phone knows that a secure channel needs: where, for what, what it trusts
/// (its installed lists, the TVS servers of its last configuration, its TVS name) and
/// the certificate it presents (the LSC, else the MIC).
public struct SecureChannelRequest {
    public let host: String
    public let port: UInt16
    public let purpose: TrustPurpose
    public let store: TrustStore
    public let tvsServers: [DeviceConfiguration.TVSServer]
    public let deviceName: TVSDeviceName?
    public let identity: Identity?

    public init(host: String, port: UInt16, purpose: TrustPurpose, store: TrustStore, tvsServers: [DeviceConfiguration.TVSServer],
                deviceName: TVSDeviceName?, identity: Identity?) {
        self.host = host
        self.port = port
        self.purpose = purpose
        self.store = store
        self.tvsServers = tvsServers
        self.deviceName = deviceName
        self.identity = identity
    }
}

/// TLS 1.2 to a server of the cluster (the call manager's SIP-TLS port, an HTTPS
/// service), presenting the phone's certificate and accepting the server only when the
/// one trust decision (`TrustDecider`) accepts its certificate for the purpose: pinned to
/// the listed certificates whose roles fit; a server they do not hold is asked about at
/// TVS and, vouched, connected to again pinned to exactly it (once).
public struct SecureChannel<Connection: ByteStream> {
    var channel: TLSChannel<Connection>
    /// How the server's certificate came to be trusted: always a trusted verdict (`open`
    /// throws `.notTrusted` for any other).
    public let verdict: TrustVerdict
    public let serverCertificate: Certificate

    public struct Timeouts {
        public var connectMs: Int32 = 5_000
        public var handshakeMs: Int32 = 10_000
        public init() {}
    }

    public static func open<P: TCPConnector & TLSKeyLog & TVSQuerying & ClockAndReset>(
        _ request: SecureChannelRequest, decider: inout TrustDecider, rng: RandomGenerator, timeouts: Timeouts = Timeouts(),
        on platform: inout P
    ) throws(SecureChannelProblem) -> SecureChannel<P.Connection> {
        guard let identity = request.identity else { throw .noIdentity }
        var pinned: [Certificate] = []
        for role in request.purpose.roles { pinned += request.store.certificates(withRole: role) }
        var vouchedFor: [UInt8]?
        while true {
            var channel: TLSChannel<P.Connection>
            do {
                channel = try TLSChannel<P.Connection>.open(host: request.host, port: request.port, pinned: pinned,
                                                            clientIdentity: identity, rng: rng,
                                                            connectTimeoutMs: timeouts.connectMs,
                                                            handshakeTimeoutMs: timeouts.handshakeMs, on: &platform)
            } catch {
                guard case .tls(.certificateNotTrusted(let presented)) = error else { throw .channel(error) }
                let verdict = decider.decide(question(presented, request), now: platform.now(), rng: rng, on: &platform)
                // A server that changes its certificate between the two connections is refused.
                guard verdict.isTrusted, vouchedFor == nil, let certificate = try? Certificate(der: presented[...]) else {
                    throw .notTrusted(certificate: presented, verdict: verdict)
                }
                vouchedFor = presented
                pinned = [certificate]
                continue
            }
            guard let server = channel.tls.peerCertificate else {
                channel.close()
                throw .channel(.tls(.handshakeFailed(code: 0)))
            }
            // The one place a channel is made: whatever the pinning let through, a channel
            // exists only for a server the trust decision accepts for the purpose.
            let verdict = decider.decide(question(server.der, request), now: platform.now(), rng: rng, on: &platform)
            guard verdict.isTrusted else {
                channel.close()
                throw .notTrusted(certificate: server.der, verdict: verdict)
            }
            return SecureChannel<P.Connection>(channel: channel, verdict: verdict, serverCertificate: server)
        }
    }

    private static func question(_ certificate: [UInt8], _ request: SecureChannelRequest) -> TrustQuestion {
        TrustQuestion(certificate: certificate, purpose: request.purpose, store: request.store, servers: request.tvsServers,
                      deviceName: request.deviceName)
    }

    /// One message, one TLS write, one TCP send.
    public mutating func send(_ bytes: [UInt8], timeoutMs: Int32) throws(SecureChannelProblem) {
        do { try channel.send(bytes, timeoutMs: timeoutMs) } catch { throw .channel(error) }
    }

    /// The next plaintext the server sent; nil when it closed the connection.
    public mutating func read(timeoutMs: Int32) throws(SecureChannelProblem) -> [UInt8]? {
        do { return try channel.read(timeoutMs: timeoutMs) } catch { throw .channel(error) }
    }

    /// Sends close_notify, best effort.
    public mutating func close() {
        channel.close()
    }
}
