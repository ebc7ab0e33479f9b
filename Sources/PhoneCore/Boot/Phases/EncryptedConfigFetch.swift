import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md step 5, the matching hash: the `.enc.sgn`, verified, decrypted with the
/// LSC's key (else the MIC's) and parsed; a key the cluster cannot encrypt to enrols once.
struct EncryptedConfigFetch {
    var fetch: Fetch
    /// The partial configuration that sent the phone here (its CAPF servers, if it must enrol).
    let partial: DeviceConfiguration

    func on(_ input: BootInput, _ boot: inout BootContext, now: UInt64) -> BootStep? {
        switch input {
        case .fileArrived(let name, let bytes) where fetch.awaits(name): return arrived(name: name, bytes: bytes, &boot)
        case .fileNotFound(let name) where fetch.awaits(name):
            return boot.backOffUnavailable(.notServed(file: name), now: now) { .fileNotFound(name: name, then: $0) }
        case .fetchFailed(let name, let failure) where fetch.awaits(name):
            return boot.failOver(fetch, failure) { .fetchingEncryptedConfig(EncryptedConfigFetch(fetch: $0, partial: partial)) }
        default: return nil
        }
    }

    private func arrived(name: String, bytes: [UInt8], _ boot: inout BootContext) -> BootStep {
        switch boot.decrypt(name: name, bytes: bytes) {
        case .success(let (config, signer)):
            return boot.configured(config, encrypted: true, .configApplied(name: name, signer: signer, encrypted: true))
        case .failure(let failure):
            guard case .decryptionFailed(let error) = failure else { return .failing(failure, .failed(failure)) }
            // Enrol once to replace a key the cluster cannot encrypt to; not forever.
            guard !boot.run.decryptionEnrollmentUsed else { return .failing(failure, .failed(failure)) }
            boot.run.decryptionEnrollmentUsed = true
            return CAPFPlan.enroll(partial, reason: .decryptionFailed, &boot) { .decryptionFailed(name: name, cause: error, then: $0) }
        }
    }
}

extension BootContext {
    /// Verifies and decrypts an `.enc.sgn` with the LSC's key, else the MIC's, and parses it.
    func decrypt(name: String, bytes: [UInt8]) -> Result<(DeviceConfiguration, String), BootFailure> {
        let verified: VerifiedFile
        do { verified = try memory.trustStore.verifyConfiguration(bytes, servedAs: name) } catch {
            return .failure(.configRejected(file: name, error))
        }
        guard let key = memory.activeIdentity?.privateKey else { return .failure(.decryptionFailed(.keyUnwrapFailed)) }
        let signer = verified.signer
        var plaintext: [UInt8]
        do { plaintext = try EncryptedConfig.decrypt(consume verified, privateKey: key, rng: rng) } catch {
            if let code = error.keyStoreCode { return .failure(.keyStoreFailed(code: code)) }
            return .failure(.decryptionFailed(error))
        }
        defer { zeroize(&plaintext) }
        do {
            return .success((try DeviceConfiguration.parse(plaintext), signer))
        } catch {
            return .failure(.configMalformed(file: name, error))
        }
    }
}
