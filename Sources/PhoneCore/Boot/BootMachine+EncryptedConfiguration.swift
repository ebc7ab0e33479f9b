import PhoneCrypto
import PhoneTrust
import PhoneWire

/// boot-flow.md step 5, the matching hash: the `.enc.sgn`, verified, decrypted with the
/// LSC's key (else the MIC's) and parsed; a key the cluster cannot encrypt to enrols once.
extension BootMachine {
    mutating func encryptedConfigArrived(name: String, bytes: [UInt8], partial: DeviceConfiguration) -> ([BootAction], BootEvent) {
        switch decrypt(name: name, bytes: bytes) {
        case .success(let (config, signer)):
            return configured(config, name: name, signer: signer, encrypted: true)
        case .failure(let failure):
            guard case .decryptionFailed(let error) = failure else {
                return fail(failure, .failed(failure))
            }
            // Enrol once to replace a key the cluster cannot encrypt to; not forever.
            guard !decryptionEnrollmentUsed else { return fail(failure, .failed(failure)) }
            decryptionEnrollmentUsed = true
            return enroll(partial, reason: .decryptionFailed, before: []) { .decryptionFailed(name: name, cause: error, then: $0) }
        }
    }

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
