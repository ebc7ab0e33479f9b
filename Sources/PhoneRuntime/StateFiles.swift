import LinuxPlatform
import PhoneCrypto
import PhoneWire

/// `--pkcs11 MODULE --token LABEL --pin-file F`: the private keys on a PKCS#11 token.
public struct KeyStoreOptions {
    public var module: String
    public var token: String
    public var pinFile: String

    public init(module: String, token: String, pinFile: String) {
        self.module = module
        self.token = token
        self.pinFile = pinFile
    }
}

/// The state directory as the commands (and the C API) use it.
public enum StateFiles {
    /// The state directory, made if absent, with its keys where `keys` says.
    public static func open(_ directory: String, keys: KeyStoreOptions? = nil, io: some PhoneIO) throws(PhoneFailure) -> PhoneStorage {
        let storage = try read(directory, keys: keys)
        if case .failure(let error) = storage.prepare() { throw .file(error) }
        return storage
    }

    /// The state directory as it is (nothing made), with its keys where `keys` says.
    public static func read(_ directory: String, keys: KeyStoreOptions?) throws(PhoneFailure) -> PhoneStorage {
        guard let keys else { return PhoneStorage(directory: directory, token: nil) }
        return PhoneStorage(directory: directory, token: try token(keys))
    }

    /// The token `keys` names, logged in.
    public static func token(_ keys: KeyStoreOptions) throws(PhoneFailure) -> PKCS11Token {
        switch PKCS11Token.open(module: keys.module, label: keys.token, pinFile: keys.pinFile) {
        case .success(let token): return token
        case .failure(let error): throw .keyStore(error)
        }
    }

    /// The MIC from `--mic` (kept in the state directory for later runs), else the stored one.
    public static func mic(_ path: String?, storage: PhoneStorage, io: some PhoneIO) throws(PhoneFailure) -> Identity? {
        guard let path else {
            let (stored, problem) = storage.loadMIC()
            if let error = problem?.keyStore { throw .keyStore(error) }
            io.ignored(problem)
            return stored
        }
        let identity = try readMIC(path, storage: storage, io: io)
        if case .failure(let error) = storage.saveMIC(identity) { throw .file(error) }
        return identity
    }

    /// The MIC from a PEM file, nothing stored: with its key, or (a certificate alone) with
    /// the token's MIC key.
    public static func readMIC(_ path: String, storage: PhoneStorage, io: some PhoneIO) throws(PhoneFailure) -> Identity {
        var bytes = try io.read(path, limit: FileLimits.keyFile)
        defer { zeroize(&bytes) }
        switch storage.identity(bytes, label: PKCS11Token.micLabel) {
        case .success(let identity): return identity
        case .failure(let problem):
            if let error = problem.keyStore { throw .keyStore(error) }
            throw .input(path + ": " + problem.reason)
        }
    }

    /// Where an identity's private key lives: "flash", or the token, the key's label and ID.
    public static func keyPlace(_ identity: Identity, token: String?) -> String {
        guard identity.privateKey.isExternal, let token else { return "flash" }
        let id = (try? identity.certificate.publicKey()).flatMap { try? PKCS11Token.id(of: $0) }
        return "token " + token + " (id " + (id.map { hexString($0) } ?? "?") + ", " + identity.privateKey.kind.name + ")"
    }

    /// Subject, serial, MD5 of the DER (lowercase hex, as the cluster database shows it).
    public static func describe(_ certificate: Certificate) -> [String] {
        ["subject: " + certificate.subject,
         "serial:  " + hexString(certificate.serialNumber),
         "md5:     " + ((try? certificate.md5()).map { hexString($0) } ?? "?"),
         "key:     " + certificate.keyKind.name]
    }
}
