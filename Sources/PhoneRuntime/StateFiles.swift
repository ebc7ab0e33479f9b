import LinuxPlatform
import PhoneCrypto
import PhoneWire

/// The state directory as the commands (and the C API) use it.
public enum StateFiles {
    public static func open(_ directory: String, io: some PhoneIO) throws(PhoneFailure) -> PhoneStorage {
        let storage = PhoneStorage(directory: directory)
        if case .failure(let error) = storage.prepare() { throw .file(error) }
        return storage
    }

    /// The MIC from `--mic` (kept in the state directory for later runs), else the stored one.
    public static func mic(_ path: String?, storage: PhoneStorage, io: some PhoneIO) throws(PhoneFailure) -> Identity? {
        guard let path else {
            let (stored, problem) = storage.loadMIC()
            if let problem { io.diagnostic("phone: " + problem.file + " is corrupt, ignored: " + problem.reason) }
            return stored
        }
        let identity = try readMIC(path, io: io)
        if case .failure(let error) = storage.saveMIC(identity) { throw .file(error) }
        return identity
    }

    /// The MIC and its key from a PEM file, nothing stored.
    public static func readMIC(_ path: String, io: some PhoneIO) throws(PhoneFailure) -> Identity {
        var bytes = try io.read(path, limit: FileLimits.keyFile)
        defer { zeroize(&bytes) }
        do { return try Identity(pem: bytes) } catch { throw .input(path + ": not a certificate with its key: " + error.reason) }
    }

    /// Subject, serial, MD5 of the DER (lowercase hex, as the cluster database shows it).
    public static func describe(_ certificate: Certificate) -> [String] {
        ["subject: " + certificate.subject,
         "serial:  " + hexString(certificate.serialNumber),
         "md5:     " + ((try? certificate.md5()).map { hexString($0) } ?? "?"),
         "key:     " + certificate.keyKind.name]
    }
}
