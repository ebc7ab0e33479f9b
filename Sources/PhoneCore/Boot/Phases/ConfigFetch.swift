import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md steps 3–5: the configuration file, verified against the trust lists;
/// a full one configures the phone, a partial one is checked against the phone's own
/// certificate hash.
struct ConfigFetch {
    var fetch: Fetch

    /// The configuration phase begins: over HTTPS when the ITL asks for it, else the
    /// signed files. `logged` makes the step's event from what the phone does next.
    static func begin(_ boot: inout BootContext, before: [BootAction] = [], logged: (BootNext) -> BootEvent) -> BootStep {
        if let phase = HTTPSConfigFetch.first(boot) {
            let request = phase.request
            return BootStep(to: .fetchingConfigOverHTTPS(phase), before + [.fetchConfigOverHTTPS(request)],
                            logged(.fetchingOverHTTPS(request.name, port: request.port)))
        }
        let phase = signedFiles(boot)
        return BootStep(to: .fetchingConfig(phase), before + [.fetch(name: phase.fetch.name, server: phase.fetch.server)],
                        logged(.fetching(phase.fetch.name)))
    }

    /// Which configuration names to ask for, in order (boot-flow.md step 3).
    static func signedFiles(_ boot: BootContext) -> ConfigFetch {
        let device = boot.settings.device
        let names: [String]
        if boot.memory.trustStore.isEmpty {
            names = [device.plainConfig, DeviceName.defaultPlainConfig]
        } else if boot.memory.lastConfigEncrypted {
            names = [device.encryptedConfig, device.signedConfig, DeviceName.defaultSignedConfig]
        } else {
            names = [device.signedConfig, DeviceName.defaultSignedConfig]
        }
        return ConfigFetch(fetch: Fetch(names: names, server: boot.run.server))
    }

    func on(_ input: BootInput, _ boot: inout BootContext) -> BootStep? {
        switch input {
        case .fileArrived(let name, let bytes) where fetch.awaits(name): return arrived(bytes, &boot)
        case .fileNotFound(let name) where fetch.awaits(name): return notFound()
        case .fetchFailed(let name, let failure) where fetch.awaits(name):
            return boot.failOver(fetch, failure) { .fetchingConfig(ConfigFetch(fetch: $0)) }
        default: return nil
        }
    }

    private func notFound() -> BootStep {
        var next = fetch
        next.index += 1
        guard next.index < next.names.count else {
            return .failing(.configNotFound, .fileNotFound(name: fetch.name, then: .stopping(.configNotFound)))
        }
        return BootStep(to: .fetchingConfig(ConfigFetch(fetch: next)), [.fetch(name: next.name, server: next.server)],
                        .fileNotFound(name: fetch.name, then: .fetching(next.name)))
    }

    private func arrived(_ bytes: [UInt8], _ boot: inout BootContext) -> BootStep {
        let name = fetch.name
        if sameText(name, boot.settings.device.encryptedConfig) {
            // Asked first because the last config was encrypted (saves a round trip).
            switch boot.decrypt(name: name, bytes: bytes) {
            case .success(let (config, signer)):
                return boot.configured(config, encrypted: true, .configApplied(name: name, signer: signer, encrypted: true))
            case .failure(.keyStoreFailed(let code)):
                return .failing(.keyStoreFailed(code: code), .failed(.keyStoreFailed(code: code)))
            case .failure(let failure):
                var next = fetch
                next.index += 1
                return BootStep(to: .fetchingConfig(ConfigFetch(fetch: next)), [.fetch(name: next.name, server: next.server)],
                                .directDecryptFailed(name: name, cause: failure, then: .fetching(next.name)))
            }
        }
        let body: [UInt8]
        let signer: String?
        if boot.memory.trustStore.isEmpty {
            body = bytes
            signer = nil
        } else {
            do {
                let verified = try boot.memory.trustStore.verifyConfiguration(bytes, servedAs: name)
                body = Array(verified.file[verified.file.body])
                signer = verified.signer
            } catch {
                return .failing(.configRejected(file: name, error), .failed(.configRejected(file: name, error)))
            }
        }
        let config: DeviceConfiguration
        do { config = try DeviceConfiguration.parse(body) } catch {
            return .failing(.configMalformed(file: name, error), .failed(.configMalformed(file: name, error)))
        }
        guard config.isPartial else {
            return boot.configured(config, encrypted: false, .configApplied(name: name, signer: signer, encrypted: false))
        }
        guard signer != nil else { return .failing(.partialConfigWithoutTrustList, .failed(.partialConfigWithoutTrustList)) }
        guard config.encrConfig else { return .failing(.partialConfigWithoutEncryption, .failed(.partialConfigWithoutEncryption)) }
        // boot-flow.md step 5: MD5 of the LSC, else the MIC, against certHash (case folded).
        let certHash = config.certHash ?? ""
        let ownHash = boot.ownCertificateHash()
        let check = PartialConfigCheck(name: name, signer: signer, certHash: certHash, ownHash: ownHash,
                                       ownCertificate: boot.memory.lsc != nil ? .lsc : (boot.memory.mic != nil ? .mic : .none),
                                       matches: !certHash.isEmpty && ownHash.map { certHash.utf8.elementsEqual($0.utf8) } == true)
        if check.matches {
            let next = EncryptedConfigFetch(fetch: Fetch(names: [boot.settings.device.encryptedConfig], server: fetch.server),
                                            partial: config)
            return BootStep(to: .fetchingEncryptedConfig(next), [.fetch(name: next.fetch.name, server: next.fetch.server)],
                            .partialConfig(check, then: .fetching(next.fetch.name)))
        }
        return CAPFPlan.enroll(config, reason: .keyMismatch, &boot) { .partialConfig(check, then: $0) }
    }
}

extension BootContext {
    /// Applied, with `event` saying how the configuration came (`encrypted`: it was). The flag that makes the next
    /// boot ask for the `.enc.sgn` first follows the configuration actually applied (not a
    /// partial one on the way), so the boot right after an enrolment fetches the `.sgn`
    /// again, as the troubleshooting note shows.
    mutating func configured(_ config: DeviceConfiguration, encrypted: Bool, _ event: BootEvent) -> BootStep {
        var actions: [BootAction] = []
        if memory.lastConfigEncrypted != encrypted {
            memory.lastConfigEncrypted = encrypted
            actions.append(.persistEncryptedFlag(encrypted))
        }
        // The next boot asks these about an ITL signer its installed ITL does not list.
        if memory.tvsServers != config.tvsServers {
            memory.tvsServers = config.tvsServers
            actions.append(.persistTVSServers(config.tvsServers))
        }
        return afterApplying(config, actions, event)
    }

    func ownCertificateHash() -> String? {
        guard let certificate = memory.activeIdentity?.certificate, let md5 = try? certificate.md5() else { return nil }
        return hexString(md5)
    }
}
