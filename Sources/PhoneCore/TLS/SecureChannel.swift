import PhoneCrypto
import PhoneTrust
import PhoneWire

/// Why a secure channel did not open, or broke. Data only.
public enum SecureChannelProblem: Error, Equatable {
    /// The phone holds neither an LSC nor a MIC to present.
    case noIdentity
    /// The server's certificate (DER) was refused by the acceptance policy; the handshake
    /// was abandoned, so not one application byte went out.
    case refused(certificate: [UInt8], ServerAcceptance.Refusal)
    case channel(TLSChannelProblem)
}

/// What a secure channel needs: where, how its server is accepted (the purpose and its
/// policy), what the phone decides trust with, and the certificate it presents (the
/// LSC, else the MIC).
public struct SecureChannelRequest {
    public let host: String
    public let port: UInt16
    public let acceptance: ServerAcceptance
    public let trust: TrustContext
    public let identity: Identity?

    public init(host: String, port: UInt16, acceptance: ServerAcceptance, trust: TrustContext, identity: Identity?) {
        self.host = host
        self.port = port
        self.acceptance = acceptance
        self.trust = trust
        self.identity = identity
    }
}

/// TLS 1.2 to a server of the cluster (the call manager's SIP-TLS port, an HTTPS
/// service), presenting the phone's certificate and accepting the server as
/// `ServerAcceptance` says (the policy the boot's HTTPS step uses too).
public struct SecureChannel<Connection: ByteStream> {
    var channel: TLSChannel<Connection>
    /// How the server's certificate came to be trusted: always a trusted verdict (`open`
    /// throws `.refused` for any other).
    public let verdict: TrustVerdict
    public let serverCertificate: Certificate

    public static func open<P: TCPConnector & TLSKeyLog & TVSQuerying & ClockAndReset>(
        _ request: SecureChannelRequest, decider: inout TrustDecider, rng: RandomGenerator, timeouts: TLSTimeouts = .channel,
        on platform: inout P
    ) throws(SecureChannelProblem) -> SecureChannel<P.Connection> {
        guard let identity = request.identity else { throw .noIdentity }
        let purpose = request.acceptance.purpose
        var attempt = ServerAcceptance.Attempt(request.acceptance, request.trust.store)
        while true {
            var channel: TLSChannel<P.Connection>
            do {
                channel = try TLSChannel<P.Connection>.open(host: request.host, port: request.port, pinned: attempt.pinned,
                                                            clientIdentity: identity, rng: rng, timeouts: timeouts,
                                                            on: &platform)
            } catch {
                guard case .tls(.certificateNotTrusted(let presented)) = error else { throw .channel(error) }
                if case .refuse(let refusal) = attempt.unpinned(presented) { throw .refused(certificate: presented, refusal) }
                let verdict = decider.decide(request.trust.question(about: presented, for: purpose), now: platform.now(),
                                             rng: rng, on: &platform)
                if let refusal = attempt.decided(presented, verdict) { throw .refused(certificate: presented, refusal) }
                continue
            }
            guard let server = channel.tls.peerCertificate else {
                channel.close()
                throw .channel(.tls(.handshakeFailed(code: 0)))
            }
            // The one place a channel is made: a channel exists only for a server the trust
            // decision accepts for the purpose. Pinned to the vouched certificate, TVS's answer
            // is that decision (asking again would query TVS twice for a TTL of 0); pinned to
            // the lists, the lists decide — the pins are what they accept, so this refuses
            // only if the two ever disagree.
            let verdict = attempt.vouching ?? decider.decide(request.trust.question(about: server.der, for: purpose),
                                                             now: platform.now(), rng: rng, on: &platform)
            guard verdict.isTrusted else {
                channel.close()
                throw .refused(certificate: server.der, .notVouched(subject: server.subject, verdict: verdict))
            }
            return SecureChannel<P.Connection>(channel: channel, verdict: verdict, serverCertificate: server)
        }
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
