#if !hasFeature(Embedded)
import LinuxPlatform
import PhoneCrypto
import PhoneRuntime

/// `phone provision-mic --pkcs11 MODULE --token LABEL --pin-file F --key PEM --cert PEM`:
/// the factory step that puts the MIC's key on the token (docs/key-store.md). The key is
/// imported as the phone's own keys are made — sensitive, never extractable, labelled
/// `phone-mic`, its ID the SHA-1 of its public key — and the phone then finds it from the
/// MIC's certificate alone (`--mic` or `--factory-mic` naming the certificate). The PEM
/// holding the key can be destroyed afterwards. A factory station's command: the host
/// build has it, the firmware does not (docs/key-store.md).
enum ProvisionCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let keyPath: String
        let certificatePath: String
        let keyStore: KeyStoreOptions?
        do throws(Arguments.UsageError) {
            let arguments = try Arguments(words, valueOptions: ["--key", "--cert", "--pkcs11", "--token", "--pin-file"])
            guard arguments.positional.isEmpty else { throw Arguments.UsageError(message: "unexpected " + arguments.positional[0]) }
            keyPath = try arguments.required("--key")
            certificatePath = try arguments.required("--cert")
            keyStore = try KeyStoreOptions.parse(arguments)
        } catch {
            throw PhoneFailure(error)
        }
        guard let keyStore else { throw .usage("provision-mic needs --pkcs11 MODULE --token LABEL --pin-file F") }
        let certificate = try TrustCommand.readCertificate(certificatePath, io: io)
        var keyBytes = try io.read(keyPath, limit: FileLimits.keyFile)
        defer { zeroize(&keyBytes) }
        let mic: Identity
        do { mic = try Identity(certificate: certificate, privateKey: try PrivateKey(encoded: keyBytes[...])) } catch {
            throw .input(keyPath + ": not the private key of " + certificatePath + ": " + error.reason)
        }
        let token = try StateFiles.token(keyStore)
        switch token.key(for: certificate, label: PKCS11Token.micLabel) {
        case .failure(.keyMissing): break
        case .success: throw .input("the token already holds the key of " + certificate.subject)
        case .failure(let error): throw .keyStore(error)
        }
        switch token.importKey(mic.privateKey, label: PKCS11Token.micLabel) {
        case .failure(let error): throw .keyStore(error)
        case .success(let imported):
            // Read back through the certificate, as every boot will find it.
            guard case .success = token.key(for: certificate, label: PKCS11Token.micLabel),
                  let held = try? Identity(certificate: certificate, privateKey: imported) else {
                throw .keyStore(.malformed(what: "the imported key does not read back as the MIC's"))
            }
            io.outputLine("MIC key of " + certificate.subject + " imported: " + StateFiles.keyPlace(held, token: keyStore.token))
        }
    }
}
#endif
