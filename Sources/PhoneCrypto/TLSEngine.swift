import CMbedTLS

/// Why a TLS session failed.
public enum TLSError: Error, Equatable {
    /// The server's certificate is not byte-identical to any pinned certificate (for
    /// CAPF: a CAPF record of the installed ITL or CTL).
    case certificateNotTrusted(certificate: [UInt8])
    case handshakeFailed(code: Int32)
    /// The peer sent close_notify or the connection ended.
    case closed
    case failed(code: Int32)
    case setup(code: Int32)

    public var reason: String {
        switch self {
        case .certificateNotTrusted(let certificate):
            return "TLS handshake refused: server certificate " + Certificate.subject(of: certificate)
                + " is not a CAPF record of the installed trust list"
        case .handshakeFailed(let code): return "TLS handshake failed (mbedTLS -0x" + String(UInt32(bitPattern: -code), radix: 16) + ")"
        case .closed: return "connection closed"
        case .failed(let code): return "TLS failed (mbedTLS -0x" + String(UInt32(bitPattern: -code), radix: 16) + ")"
        case .setup(let code): return "TLS setup failed (mbedTLS -0x" + String(UInt32(bitPattern: -code), radix: 16) + ")"
        }
    }
}

extension TLSError {
    /// The phone's key store failed under the handshake or the session (its key signs the
    /// client's CertificateVerify): the store's own code, else nil.
    public var keyStoreCode: UInt32? {
        switch self {
        case .handshakeFailed(let code), .failed(let code): return CryptoError(.sign, code: code).keyStoreCode
        case .certificateNotTrusted, .closed, .setup: return nil
        }
    }
}

/// TLS 1.2 over mbedTLS, sans-IO: ciphertext goes in with `receive`, comes out with
/// `takeOutgoing`; the platform moves it over its TCP connection. The client pins the
/// server certificate to an exact list (no chain building, no name check: the trust
/// list is the authority).
public final class TLSEngine {
    public enum Role { case client, server }

    /// The memory "BIO" mbedTLS reads from and writes to, and the pinning state.
    private final class Transport {
        var incoming: [UInt8] = []
        var incomingStart = 0
        var outgoing: [UInt8] = []
        var pinned: [[UInt8]] = []
        /// The server certificate the pin refused (DER), for a caller that may ask TVS.
        var rejected: [UInt8]?
        /// Filled at the end of the handshake when secrets export was asked for.
        var secrets: TLSSessionSecrets?
    }

    private let ssl: UnsafeMutablePointer<mbedtls_ssl_context>
    private let config: UnsafeMutablePointer<mbedtls_ssl_config>
    /// mbedTLS's default profile with RSA keys from 1024 bits: CAPF issues 1024-bit LSCs,
    /// and a server checking client certificates must take them.
    private let clientCertificateProfile: UnsafeMutablePointer<mbedtls_x509_crt_profile>
    private let transport = Transport()
    private let rng: RandomGenerator
    // Kept alive for mbedTLS, which holds pointers into them.
    private let trustAnchors: [Certificate]
    private let identity: Identity?

    public private(set) var isHandshakeComplete = false

    /// A client that accepts only a server presenting one of `pinned`, presenting
    /// `clientIdentity` when the server asks for a certificate. With `exportSecrets`, the
    /// session's secrets are kept for a key log (`sessionSecrets`); off unless asked.
    public convenience init(pinnedServerCertificates pinned: [Certificate], clientIdentity: Identity? = nil,
                            rng: RandomGenerator, exportSecrets: Bool = false) throws(TLSError) {
        try self.init(role: .client, identity: clientIdentity, anchors: pinned, asksAnyClientCertificate: false, rng: rng,
                      exportSecrets: exportSecrets)
    }

    /// A server presenting `identity` (the lab's services; tests). With
    /// `clientCertificateIssuer`, it requires a client certificate that issuer signed. With
    /// `asksAnyClientCertificate` (and no issuer), it asks for a client certificate and
    /// takes whichever the client proves it holds; the caller judges `peerCertificate`.
    public convenience init(serverIdentity identity: Identity, clientCertificateIssuer: Certificate? = nil,
                            asksAnyClientCertificate: Bool = false, rng: RandomGenerator,
                            exportSecrets: Bool = false) throws(TLSError) {
        try self.init(role: .server, identity: identity, anchors: clientCertificateIssuer.map { [$0] } ?? [],
                      asksAnyClientCertificate: asksAnyClientCertificate, rng: rng, exportSecrets: exportSecrets)
    }

    /// The certificate the peer presented (the client's, on a server that requires one).
    public var peerCertificate: Certificate? {
        guard let peer = mbedtls_ssl_get_peer_cert(ssl), let raw = peer.pointee.raw.p else { return nil }
        return try? Certificate(der: [UInt8](UnsafeBufferPointer(start: raw, count: peer.pointee.raw.len))[...])
    }

    /// The session's client random and master secret, once the handshake has derived
    /// them, when the engine was made with `exportSecrets`.
    public var sessionSecrets: TLSSessionSecrets? { transport.secrets }

    /// `anchors`: the pinned server certificates of a client, the client certificates'
    /// issuers of a server.
    private init(role: Role, identity: Identity?, anchors: [Certificate], asksAnyClientCertificate: Bool, rng: RandomGenerator,
                 exportSecrets: Bool) throws(TLSError) {
        ssl = .allocate(capacity: 1)
        config = .allocate(capacity: 1)
        clientCertificateProfile = .allocate(capacity: 1)
        clientCertificateProfile.initialize(to: mbedtls_x509_crt_profile_default)
        clientCertificateProfile.pointee.rsa_min_bitlen = 1024
        mbedtls_ssl_init(ssl)
        mbedtls_ssl_config_init(config)
        self.rng = rng
        self.identity = identity
        trustAnchors = anchors

        let endpoint = role == .client ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER
        var result = mbedtls_ssl_config_defaults(config, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT)
        guard result == 0 else { throw .setup(code: result) }
        mbedtls_ssl_conf_rng(config, mbedtls_ctr_drbg_random, rng.state)
        mbedtls_ssl_conf_min_version(config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3)
        mbedtls_ssl_conf_max_version(config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3)
        if let identity {
            result = mbedtls_ssl_conf_own_cert(config, identity.certificate.context, identity.privateKey.context)
            guard result == 0 else { throw .setup(code: result) }
        }
        if role == .client {
            transport.pinned = anchors.map { $0.der }
            // The pinned certificates double as the CA list mbedTLS wants; the verify
            // callback below makes the exact-match decision. With nothing pinned it still
            // runs (and refuses), so a caller learns which certificate the server has.
            if let first = anchors.first { mbedtls_ssl_conf_ca_chain(config, first.context, nil) }
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED)
            mbedtls_ssl_conf_verify(config, { state, certificate, depth, flags in
                guard let state, let certificate, let flags else { return -1 }
                let transport = Unmanaged<Transport>.fromOpaque(state).takeUnretainedValue()
                guard depth == 0 else {
                    flags.pointee = 0
                    return 0
                }
                let der = [UInt8](UnsafeBufferPointer(start: certificate.pointee.raw.p, count: certificate.pointee.raw.len))
                if transport.pinned.contains(der) {
                    flags.pointee = 0
                } else {
                    flags.pointee |= UInt32(MBEDTLS_X509_BADCERT_NOT_TRUSTED)
                    transport.rejected = der
                }
                return 0
            }, Unmanaged.passUnretained(transport).toOpaque())
        } else if let issuer = anchors.first {
            // A client certificate must chain to this issuer (the lab's CAPF).
            mbedtls_ssl_conf_ca_chain(config, issuer.context, nil)
            mbedtls_ssl_conf_cert_profile(config, clientCertificateProfile)
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED)
        } else if asksAnyClientCertificate {
            // OPTIONAL: the CertificateRequest goes out and the client's CertificateVerify
            // is checked, but a certificate that chains to nothing is not refused.
            mbedtls_ssl_conf_cert_profile(config, clientCertificateProfile)
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_OPTIONAL)
        }
        if exportSecrets {
            // mbedTLS 2.28 hands the master secret and both randoms to this callback when
            // the keys are derived (MBEDTLS_SSL_EXPORT_KEYS, on in Debian's build).
            mbedtls_ssl_conf_export_keys_ext_cb(config, { state, masterSecret, _, _, _, _, clientRandom, _, _ in
                guard let state, let masterSecret, let clientRandom else { return 0 }
                let transport = Unmanaged<Transport>.fromOpaque(state).takeUnretainedValue()
                transport.secrets = TLSSessionSecrets(clientRandom: Array(UnsafeBufferPointer(start: clientRandom, count: 32)),
                                                      masterSecret: SecretBytes(copying: UnsafeBufferPointer(start: masterSecret,
                                                                                                             count: 48)))
                return 0
            }, Unmanaged.passUnretained(transport).toOpaque())
        }
        result = mbedtls_ssl_setup(ssl, config)
        guard result == 0 else { throw .setup(code: result) }
        mbedtls_ssl_set_bio(ssl, Unmanaged.passUnretained(transport).toOpaque(), { state, buffer, length in
            guard let state, let buffer else { return -1 }
            let transport = Unmanaged<Transport>.fromOpaque(state).takeUnretainedValue()
            transport.outgoing.append(contentsOf: UnsafeBufferPointer(start: buffer, count: length))
            return Int32(length)
        }, { state, buffer, length in
            guard let state, let buffer else { return -1 }
            let transport = Unmanaged<Transport>.fromOpaque(state).takeUnretainedValue()
            let available = transport.incoming.count - transport.incomingStart
            guard available > 0 else { return MBEDTLS_ERR_SSL_WANT_READ }
            let count = min(available, length)
            transport.incoming.withUnsafeBufferPointer { source in
                buffer.update(from: source.baseAddress! + transport.incomingStart, count: count)
            }
            transport.incomingStart += count
            if transport.incomingStart == transport.incoming.count {
                transport.incoming.removeAll(keepingCapacity: true)
                transport.incomingStart = 0
            }
            return Int32(count)
        }, nil)
    }

    deinit {
        mbedtls_ssl_free(ssl)
        mbedtls_ssl_config_free(config)
        ssl.deallocate()
        config.deallocate()
        clientCertificateProfile.deallocate()
    }

    /// Ciphertext that arrived from the peer.
    public func receive(_ bytes: ArraySlice<UInt8>) {
        transport.incoming.append(contentsOf: bytes)
    }

    /// Ciphertext to send to the peer (and forget).
    public func takeOutgoing() -> [UInt8] {
        defer { transport.outgoing.removeAll(keepingCapacity: true) }
        return transport.outgoing
    }

    public var hasOutgoing: Bool { !transport.outgoing.isEmpty }

    /// Advances the handshake; true once it is complete, false while it needs more input.
    public func handshake() throws(TLSError) -> Bool {
        if isHandshakeComplete { return true }
        let result = mbedtls_ssl_handshake(ssl)
        if result == 0 {
            isHandshakeComplete = true
            return true
        }
        if result == MBEDTLS_ERR_SSL_WANT_READ || result == MBEDTLS_ERR_SSL_WANT_WRITE { return false }
        if let rejected = transport.rejected { throw .certificateNotTrusted(certificate: rejected) }
        if result == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY { throw .closed }
        throw .handshakeFailed(code: result)
    }

    /// Encrypts plaintext into records (all of it: one message, one write on the wire).
    public func write(_ plaintext: [UInt8]) throws(TLSError) {
        var offset = 0
        while offset < plaintext.count {
            let result = plaintext.withUnsafeBufferPointer {
                mbedtls_ssl_write(ssl, $0.baseAddress! + offset, $0.count - offset)
            }
            if result == MBEDTLS_ERR_SSL_WANT_WRITE || result == MBEDTLS_ERR_SSL_WANT_READ { continue }
            guard result > 0 else { throw .failed(code: result) }
            offset += Int(result)
        }
    }

    /// Plaintext that has arrived, or nil when more ciphertext is needed.
    public func read() throws(TLSError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let result = buffer.withUnsafeMutableBufferPointer { mbedtls_ssl_read(ssl, $0.baseAddress, $0.count) }
        if result > 0 {
            buffer.removeLast(buffer.count - Int(result))
            return buffer
        }
        if result == MBEDTLS_ERR_SSL_WANT_READ || result == MBEDTLS_ERR_SSL_WANT_WRITE { return nil }
        if result == 0 || result == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY { throw .closed }
        throw .failed(code: result)
    }

    /// Queues close_notify.
    public func close() {
        _ = mbedtls_ssl_close_notify(ssl)
    }
}

/// What a TLS 1.2 key log needs of one session (the NSS key log format Wireshark reads:
/// `CLIENT_RANDOM <client random> <master secret>`). The master secret is zeroized when
/// this is dropped.
public struct TLSSessionSecrets {
    public let clientRandom: [UInt8]
    public let masterSecret: SecretBytes
}
