import PhoneCrypto
import PhoneTrust
import PhoneWire

/// Why the phone left the HTTPS configuration download for 6970/TFTP.
public enum HTTPSFallback: Equatable {
    case failed(HTTPSConfigProblem)
    /// `ServerAcceptance.configurationOverHTTPS` refused the server: an RSA key (6971
    /// must present an EC key), not listed and not vouched for, or another certificate
    /// after TVS vouched for one.
    case serverRefused(ServerAcceptance.Refusal)
    /// The answer parsed, but it is not a full configuration.
    case notFullConfiguration
    /// Its `certHash` names another certificate than the one the phone presented: another
    /// device's configuration.
    case forAnotherCertificate(certHash: String, presented: String)
    case malformed(ConfigError)
}

/// formats.md §5, HTTPS 6971: with an installed ITL of signer version 1.1 or later the
/// configuration comes over TLS first, the phone's LSC (else MIC) as client
/// certificate; any failure falls back to the signed files over 6970/TFTP. One download:
/// the request, pinned as its acceptance attempt says.
struct HTTPSConfigFetch {
    let request: HTTPSConfigRequest
    let attempt: ServerAcceptance.Attempt

    /// The first download, when the installed ITL's signer version is 1.1 or later and the
    /// phone has a certificate to present. Pinned as the acceptance policy says: the EC
    /// TFTP and CCM+TFTP records.
    static func first(_ boot: BootContext) -> HTTPSConfigFetch? {
        guard let version = boot.memory.trustStore.itl?.list.file.signerVersion,
              version.major > 1 || (version.major == 1 && version.minor >= 1),
              let identity = boot.memory.activeIdentity else { return nil }
        return HTTPSConfigFetch(server: boot.run.server, port: boot.settings.httpsPort, name: boot.settings.device.signedConfig,
                                clientIdentity: identity,
                                attempt: ServerAcceptance.Attempt(.configurationOverHTTPS, boot.memory.trustStore))
    }

    /// The download pinned as `attempt` says.
    init(server: Int, port: UInt16, name: String, clientIdentity: Identity, attempt: ServerAcceptance.Attempt) {
        request = HTTPSConfigRequest(server: server, port: port, name: name, pinned: attempt.pinned, clientIdentity: clientIdentity)
        self.attempt = attempt
    }

    /// The same download, pinned as the advanced `attempt` says (the one reconnect).
    func again(_ attempt: ServerAcceptance.Attempt) -> HTTPSConfigFetch {
        HTTPSConfigFetch(server: request.server, port: request.port, name: request.name, clientIdentity: request.clientIdentity,
                         attempt: attempt)
    }

    func on(_ input: BootInput, _ boot: inout BootContext) -> BootStep? {
        guard case .httpsFetched(let result) = input else { return nil }
        switch result {
        case .configuration(var body, let serverCertificate):
            defer { zeroize(&body) }
            let config: DeviceConfiguration
            do { config = try DeviceConfiguration.parse(body) } catch { return Self.fallBack(.malformed(error), &boot) }
            guard !config.isPartial else { return Self.fallBack(.notFullConfiguration, &boot) }
            // An empty certHash names nobody (formats.md §2); one that is set must be the
            // MD5 of the certificate this TLS session presented.
            if let certHash = config.certHash, !certHash.isEmpty {
                let presented = (try? request.clientIdentity.certificate.md5()).map(hexString) ?? ""
                guard certHash.utf8.elementsEqual(presented.utf8) else {
                    return Self.fallBack(.forAnotherCertificate(certHash: certHash, presented: presented), &boot)
                }
            }
            return boot.configured(config, encrypted: config.encrConfig,
                                   .httpsConfigApplied(name: request.name, server: Certificate.subject(of: serverCertificate),
                                                       vouchedByTVS: attempt.vouching != nil))
        case .failed(.channel(.tls(.certificateNotTrusted(let certificate)))):
            if case .refuse(let refusal) = attempt.unpinned(certificate) { return Self.fallBack(.serverRefused(refusal), &boot) }
            return BootStep(to: .verifyingHTTPSServer(HTTPSServerCheck(download: self, certificate: certificate)),
                            [.decideTrust(boot.trustContext.question(about: certificate, for: attempt.acceptance.purpose))],
                            .askingTVSAboutHTTPSServer(subject: Certificate.subject(of: certificate), servers: boot.memory.tvsServers.count))
        case .failed(let problem):
            if let code = problem.keyStoreCode { return .failing(.keyStoreFailed(code: code), .failed(.keyStoreFailed(code: code))) }
            return Self.fallBack(.failed(problem), &boot)
        }
    }

    /// The signed files over 6970/TFTP instead.
    static func fallBack(_ cause: HTTPSFallback, _ boot: inout BootContext) -> BootStep {
        let next = ConfigFetch.signedFiles(boot)
        return BootStep(to: .fetchingConfig(next), [.fetch(name: next.fetch.name, server: next.fetch.server)],
                        .httpsConfigFallback(cause, then: .fetching(next.fetch.name)))
    }
}

/// The HTTPS server's certificate is not listed: waiting for TVS.
struct HTTPSServerCheck {
    let download: HTTPSConfigFetch
    let certificate: [UInt8]

    /// TVS answered about the HTTPS server: connect again pinned to it when it vouched
    /// with a TFTP role, else fall back.
    func on(_ input: BootInput, _ boot: inout BootContext) -> BootStep? {
        guard case .trustDecided(let verdict) = input else { return nil }
        var attempt = download.attempt
        if let refusal = attempt.decided(certificate, verdict) { return HTTPSConfigFetch.fallBack(.serverRefused(refusal), &boot) }
        let again = download.again(attempt)
        return BootStep(to: .fetchingConfigOverHTTPS(again), [.fetchConfigOverHTTPS(again.request)],
                        .httpsServerVouched(subject: Certificate.subject(of: certificate), verdict: verdict))
    }
}
