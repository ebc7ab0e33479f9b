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
/// certificate; any failure falls back to the signed files over 6970/TFTP.
extension BootMachine {
    /// One HTTPS download: the request, and whether TVS already vouched for its server.
    struct HTTPSAttempt {
        var request: HTTPSConfigRequest
        var vouchedByTVS = false
    }

    /// The configuration phase begins: over HTTPS when the ITL asks for it, else the
    /// signed files.
    mutating func enterConfiguration() -> (BootAction, BootNext) {
        if let request = httpsRequest() {
            state = .fetchingConfigOverHTTPS(HTTPSAttempt(request: request))
            return (.fetchConfigOverHTTPS(request), .fetchingOverHTTPS(request.name, port: request.port))
        }
        let next = configFetch()
        state = .fetchingConfig(next)
        return (.fetch(name: next.name, server: next.server), .fetching(next.name))
    }

    /// The HTTPS request, when the installed ITL's signer version is 1.1 or later and the
    /// phone has a certificate to present. Pinned as the acceptance policy says: the EC
    /// TFTP and CCM+TFTP records.
    func httpsRequest() -> HTTPSConfigRequest? {
        guard let version = memory.trustStore.itl?.list.file.signerVersion,
              version.major > 1 || (version.major == 1 && version.minor >= 1),
              let identity = memory.activeIdentity else { return nil }
        return HTTPSConfigRequest(server: server, port: settings.httpsPort, name: settings.device.signedConfig,
                                  pinned: ServerAcceptance.configurationOverHTTPS.pinned(memory.trustStore), clientIdentity: identity)
    }

    mutating func httpsFetched(_ attempt: HTTPSAttempt, _ result: HTTPSConfigResult) -> ([BootAction], BootEvent) {
        switch result {
        case .configuration(var body, let serverCertificate):
            defer { zeroize(&body) }
            let config: DeviceConfiguration
            do { config = try DeviceConfiguration.parse(body) } catch { return fallBack(.malformed(error)) }
            guard !config.isPartial else { return fallBack(.notFullConfiguration) }
            // An empty certHash names nobody (formats.md §2); one that is set must be the
            // MD5 of the certificate this TLS session presented.
            if let certHash = config.certHash, !certHash.isEmpty {
                let presented = (try? attempt.request.clientIdentity.certificate.md5()).map(hexString) ?? ""
                guard certHash.utf8.elementsEqual(presented.utf8) else {
                    return fallBack(.forAnotherCertificate(certHash: certHash, presented: presented))
                }
            }
            let (actions, _) = configured(config, name: attempt.request.name, signer: nil, encrypted: config.encrConfig)
            return (actions, .httpsConfigApplied(name: attempt.request.name, server: Certificate.subject(of: serverCertificate),
                                                 vouchedByTVS: attempt.vouchedByTVS))
        case .failed(.channel(.tls(.certificateNotTrusted(let certificate)))):
            let acceptance = ServerAcceptance.configurationOverHTTPS
            if case .refuse(let refusal) = acceptance.unpinned(certificate, vouchedBefore: attempt.vouchedByTVS) {
                return fallBack(.serverRefused(refusal))
            }
            state = .verifyingHTTPSServer(attempt, certificate: certificate)
            return ([.decideTrust(trustContext.question(about: certificate, for: acceptance.purpose))],
                    .askingTVSAboutHTTPSServer(subject: Certificate.subject(of: certificate), servers: memory.tvsServers.count))
        case .failed(let problem):
            return fallBack(.failed(problem))
        }
    }

    /// TVS answered about the HTTPS server: connect again pinned to it when it vouched
    /// with a TFTP role, else fall back.
    mutating func httpsServerDecided(_ attempt: HTTPSAttempt, certificate: [UInt8], verdict: TrustVerdict) -> ([BootAction], BootEvent) {
        let vouched: Certificate
        switch ServerAcceptance.configurationOverHTTPS.decided(certificate, verdict) {
        case .refuse(let refusal): return fallBack(.serverRefused(refusal))
        case .connectPinned(let certificate): vouched = certificate
        }
        let old = attempt.request
        let request = HTTPSConfigRequest(server: old.server, port: old.port, name: old.name, pinned: [vouched],
                                         clientIdentity: old.clientIdentity)
        state = .fetchingConfigOverHTTPS(HTTPSAttempt(request: request, vouchedByTVS: true))
        return ([.fetchConfigOverHTTPS(request)], .httpsServerVouched(subject: vouched.subject, verdict: verdict))
    }

    private mutating func fallBack(_ cause: HTTPSFallback) -> ([BootAction], BootEvent) {
        let next = configFetch()
        state = .fetchingConfig(next)
        return ([.fetch(name: next.name, server: next.server)], .httpsConfigFallback(cause, then: .fetching(next.name)))
    }
}
