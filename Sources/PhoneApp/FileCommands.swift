import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneRuntime
import PhoneTrust
import PhoneWire

// A workstation's commands, the host build's alone: the phone checks and decrypts its
// files in its boot. In the firmware, inspect measured 9.9 KB of its 400 KiB, verify and
// decrypt 12.1 KB (x86_64), room its updater needed.
#if !hasFeature(Embedded)
/// `phone inspect FILE`: a workstation's look into a file.
enum InspectCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let arguments: Arguments
        do { arguments = try Arguments(words, valueOptions: []) } catch { throw PhoneFailure(error) }
        let path: String
        do { path = try arguments.single("FILE") } catch { throw PhoneFailure(error) }
        let bytes = try io.read(path, limit: FileLimits.signedFile)
        do {
            for line in try FileDescription.lines(bytes) { io.outputLine(line) }
        } catch {
            throw .rejected(error.reason)
        }
        do {
            for line in try FileDescription.loadLines(bytes) { io.outputLine(line) }
        } catch {
            throw .rejected(error.reason)
        }
    }
}

/// `phone verify FILE [--trust TLV]... [--name NAME]`, `phone verify X.loads --image-signer CERT [--name NAME]`
enum VerifyCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let arguments: Arguments
        let path: String
        let name: String
        let imageSigner: String?
        do {
            arguments = try Arguments(words, valueOptions: ["--trust", "--name", "--image-signer"])
            path = try arguments.single("FILE")
            name = try arguments.value("--name") ?? baseName(path)
            imageSigner = try arguments.value("--image-signer")
        } catch {
            throw PhoneFailure(error)
        }
        let bytes = try io.read(path, limit: FileLimits.signedFile)
        // A load or an image answers to the vendor's image-signing certificate alone: never
        // to a trust list, whichever name it is served under or its header gives.
        let header = try? SignedFile.parse(bytes)
        let firmware = LoadFile.namesFirmware(ArraySlice(name.utf8)) || header.map({ LoadFile.namesFirmware($0[$0.filename]) }) == true
        if firmware || imageSigner != nil {
            guard arguments.values("--trust").isEmpty else {
                throw .usage("a firmware load or image is checked by the image-signing certificate (the build's, or --image-signer CERT), "
                             + "never by a trust list")
            }
            let anchor: Certificate
            if let imageSigner {
                anchor = try TrustCommand.readCertificate(imageSigner, io: io)
            } else {
                guard let carried = RunningLoad.imageSigner else { throw .internalFault("this build's image-signing certificate does not parse") }
                anchor = carried
            }
            do {
                switch try ImageSigner(anchor).verify(bytes, servedAs: name) {
                case .load(let load):
                    io.outputLine("valid: load " + load.signed.filenameText + " signed by the image-signing certificate "
                                  + anchor.subject + " (hardware level " + (load.hardwareLevel.map { String($0) } ?? "none")
                                  + ", " + String(load.images.count) + " images)")
                case .image(let image):
                    io.outputLine("valid: image " + image.filenameText + " signed by the image-signing certificate "
                                  + anchor.subject + " (" + String(image.body.count) + " bytes)")
                }
            } catch {
                throw .rejected(error.reason)
            }
            return
        }
        let trustPaths = arguments.values("--trust")
        if let kind = TrustFiles.kind(servedAs: name, bytes: bytes) {
            var store = try TrustFiles.store(trustPaths, io: io)
            let wasEmpty = store.isEmpty
            do {
                let update = try store.install(bytes, kind: kind, servedAs: name)
                let how: String
                switch update.outcome {
                case .firstUse: how = wasEmpty ? "self-consistent, trusted on first use" : "installed"
                case .updated: how = "update authorised by an installed certificate"
                case .unchanged: how = "identical to the installed list"
                case .vouchedByTVS: how = "signer vouched for by TVS"
                }
                io.outputLine("valid: " + kind.name + " signed by " + update.signer + " (" + how + ")")
            } catch {
                throw .rejected(error.reason)
            }
            return
        }
        guard !trustPaths.isEmpty else { throw .usage("verifying a configuration file needs --trust TLV") }
        let store = try TrustFiles.store(trustPaths, io: io)
        do {
            let verified = try store.verifyConfiguration(bytes, servedAs: name)
            io.outputLine("valid: signed by " + verified.signer + " (" + verified.signerRole.name + ")")
        } catch {
            throw .rejected(error.reason)
        }
    }
}

/// `phone decrypt FILE --key PEM --trust TLV [--name NAME] [--output OUT]`
enum DecryptCommand {
    static func run(_ words: ArraySlice<String>, io: some PhoneIO) throws(PhoneFailure) {
        let arguments: Arguments
        let path: String
        let name: String
        let keyPath: String
        let outputPath: String?
        let keyStore: KeyStoreOptions?
        do {
            arguments = try Arguments(words, valueOptions: ["--key", "--trust", "--name", "--output", "--pkcs11", "--token", "--pin-file"])
            path = try arguments.single("FILE")
            name = try arguments.value("--name") ?? baseName(path)
            keyPath = try arguments.required("--key")
            outputPath = try arguments.value("--output")
            keyStore = try KeyStoreOptions.parse(arguments)
        } catch {
            throw PhoneFailure(error)
        }
        let trustPaths = arguments.values("--trust")
        guard !trustPaths.isEmpty else { throw .usage("--trust is required") }
        let store = try TrustFiles.store(trustPaths, io: io)
        let bytes = try io.read(path, limit: FileLimits.signedFile)
        var keyBytes = try io.read(keyPath, limit: FileLimits.keyFile)
        defer { zeroize(&keyBytes) }
        let key: PrivateKey
        if let keyStore {
            // --key names the certificate (the LSC's, or the MIC's) whose key is on the token.
            let storage = try StateFiles.read("", keys: keyStore)
            switch storage.identity(keyBytes, label: PKCS11Token.lscLabel) {
            case .success(let identity): key = identity.privateKey
            case .failure(let problem):
                if let error = problem.keyStore { throw .keyStore(error) }
                key = try StateFiles.readMIC(keyPath, storage: storage, io: io).privateKey
            }
        } else {
            do { key = try PrivateKey(encoded: keyBytes[...]) } catch { throw .input(keyPath + ": no private key: " + error.reason) }
        }
        let rng = try io.randomGenerator()
        var plaintext: [UInt8]
        do {
            // Both handed on, not kept: the decryption then happens in the file's own buffer.
            let verified = try store.verifyConfiguration(consume bytes, servedAs: name)
            plaintext = try EncryptedConfig.decrypt(consume verified, privateKey: key, rng: rng)
        } catch {
            if let code = error.keyStoreCode { throw .keyStoreFailed(code: code) }
            throw .rejected(error.reason)
        }
        defer { zeroize(&plaintext) }
        if let outputPath {
            // A decrypted configuration is a secret: owner-only, like a key.
            try io.write(outputPath, plaintext, mode: 0o600)
        } else {
            io.output(plaintext)
        }
    }
}

/// Loading `--trust` files into a trust store.
enum TrustFiles {
    /// A trust list by its served name (`CTL…`, `ITL…`), or by its header when the
    /// name does not say (a renamed copy on disk).
    static func kind(servedAs name: String, bytes: [UInt8]) -> TrustListKind? {
        if let kind = TrustListKind(servedName: name) { return kind }
        guard let file = try? SignedFile.parse(bytes), file.version == .trustList else { return nil }
        return TrustListKind(servedName: file.filenameText) ?? .itl
    }

    static func store(_ paths: [String], io: some PhoneIO) throws(PhoneFailure) -> TrustStore {
        var ctl: [UInt8]?
        var itl: [UInt8]?
        for path in paths {
            let bytes = try io.read(path, limit: FileLimits.signedFile)
            guard let kind = kind(servedAs: baseName(path), bytes: bytes) else {
                throw .rejected(path + " is not a trust list")
            }
            switch kind {
            case .ctl:
                guard ctl == nil else { throw .usage("two CTLs given with --trust") }
                ctl = bytes
            case .itl:
                guard itl == nil else { throw .usage("two ITLs given with --trust") }
                itl = bytes
            }
        }
        do {
            return try TrustStore.restore(ctl: ctl, itl: itl)
        } catch {
            throw .rejected("trust list: " + error.reason)
        }
    }
}
#endif
