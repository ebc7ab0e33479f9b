import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md steps 3–5: the configuration file, verified against the trust lists;
/// a full one configures the phone, a partial one is checked against the phone's own
/// certificate hash.
extension BootMachine {
    /// Which configuration names to ask for, in order (boot-flow.md step 3).
    func configFetch() -> Fetch {
        let device = settings.device
        if memory.trustStore.isEmpty {
            return Fetch(names: [device.plainConfig, DeviceName.defaultPlainConfig], server: server)
        }
        if memory.lastConfigEncrypted {
            return Fetch(names: [device.encryptedConfig, device.signedConfig, DeviceName.defaultSignedConfig], server: server)
        }
        return Fetch(names: [device.signedConfig, DeviceName.defaultSignedConfig], server: server)
    }

    mutating func configNotFound(_ fetch: Fetch) -> ([BootAction], BootEvent) {
        var next = fetch
        next.index += 1
        guard next.index < next.names.count else {
            return fail(.configNotFound, .fileNotFound(name: fetch.name, then: .stopping(.configNotFound)))
        }
        state = .fetchingConfig(next)
        return ([.fetch(name: next.name, server: next.server)], .fileNotFound(name: fetch.name, then: .fetching(next.name)))
    }

    mutating func configArrived(_ fetch: Fetch, bytes: [UInt8]) -> ([BootAction], BootEvent) {
        let name = fetch.name
        if sameText(name, settings.device.encryptedConfig) {
            // Asked first because the last config was encrypted (saves a round trip).
            switch decrypt(name: name, bytes: bytes) {
            case .success(let (config, signer)):
                return configured(config, name: name, signer: signer, encrypted: true)
            case .failure(let failure):
                var next = fetch
                next.index += 1
                state = .fetchingConfig(next)
                return ([.fetch(name: next.name, server: next.server)],
                        .directDecryptFailed(name: name, cause: failure, then: .fetching(next.name)))
            }
        }
        let body: [UInt8]
        let signer: String?
        if memory.trustStore.isEmpty {
            body = bytes
            signer = nil
        } else {
            do {
                let verified = try memory.trustStore.verifyConfiguration(bytes, servedAs: name)
                body = Array(verified.file[verified.file.body])
                signer = verified.signer
            } catch {
                return fail(.configRejected(file: name, error), .failed(.configRejected(file: name, error)))
            }
        }
        let config: DeviceConfiguration
        do { config = try DeviceConfiguration.parse(body) } catch {
            return fail(.configMalformed(file: name, error), .failed(.configMalformed(file: name, error)))
        }
        guard config.isPartial else {
            return configured(config, name: name, signer: signer, encrypted: false)
        }
        guard signer != nil else { return fail(.partialConfigWithoutTrustList, .failed(.partialConfigWithoutTrustList)) }
        guard config.encrConfig else { return fail(.partialConfigWithoutEncryption, .failed(.partialConfigWithoutEncryption)) }
        // boot-flow.md step 5: MD5 of the LSC, else the MIC, against certHash (case folded).
        let certHash = config.certHash ?? ""
        let ownHash = ownCertificateHash()
        let check = PartialConfigCheck(name: name, signer: signer, certHash: certHash, ownHash: ownHash,
                                       ownCertificate: memory.lsc != nil ? .lsc : (memory.mic != nil ? .mic : .none),
                                       matches: !certHash.isEmpty && ownHash.map { certHash.utf8.elementsEqual($0.utf8) } == true)
        if check.matches {
            let next = Fetch(names: [settings.device.encryptedConfig], server: fetch.server)
            state = .fetchingEncryptedConfig(next, partial: config)
            return ([.fetch(name: next.name, server: next.server)], .partialConfig(check, then: .fetching(next.name)))
        }
        return enroll(config, reason: .keyMismatch, before: []) { .partialConfig(check, then: $0) }
    }

    /// Done. The flag that makes the next boot ask for the `.enc.sgn` first follows the
    /// configuration actually applied (not a partial one on the way), so the boot right
    /// after an enrolment fetches the `.sgn` again, as the troubleshooting note shows.
    mutating func configured(_ config: DeviceConfiguration, name: String, signer: String?,
                             encrypted: Bool) -> ([BootAction], BootEvent) {
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
        state = .configured
        actions.append(.configured(config))
        return (actions, .configApplied(name: name, signer: signer, encrypted: encrypted))
    }

    func ownCertificateHash() -> String? {
        guard let certificate = memory.activeIdentity?.certificate, let md5 = try? certificate.md5() else { return nil }
        return hexString(md5)
    }
}
