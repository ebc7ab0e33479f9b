import CLinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The phone's flash, as a directory. Every write is atomic (temporary file, fsync,
/// rename, directory fsync); every read is checked by parsing, and a file that does not
/// parse is reported and treated as absent.
///
///     ctl.tlv, itl.tlv   installed trust lists (re-verified on load)
///     lsc.pem            the LSC and its private key in one file, mode 0600, so that
///                        one rename replaces both together; with a token, the LSC alone
///                        (its key is on the token, found by the certificate)
///     mic.pem            the manufacturing certificate and key, mode 0600 (with a
///                        token, the certificate alone)
///     encrypted          "1" when the last applied configuration was encrypted
///     tvs-servers        the TVS servers of the last applied configuration, in priority
///                        order, one `HOST PORT` line each
///     board-resets       the resets a board has carried out in the boot under way, in
///                        decimal; absent when the last boot ended
public struct PhoneStorage {
    public let directory: String
    /// Where the private keys live: nil, in the files above; else on this token, and the
    /// files hold only the certificates. The rename of `lsc.pem` is then what makes a new
    /// key the phone's: a key on the token that no stored certificate names is an orphan.
    public let token: PKCS11Token?

    public init(directory: String, token: PKCS11Token? = nil) {
        self.directory = directory
        self.token = token
    }

    /// Creates the directory (0700) when missing.
    public func prepare() -> Result<Void, FileError> {
        LinuxFiles.makeDirectory(directory)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Leftovers of writes a power cut or kill interrupted: never the real files, which
    /// are only ever replaced by rename.
    public func removeTemporaryFiles() {
        _ = directory.withCString { clp_remove_temporary_files($0) }
    }

    static let fileLimit = 1024 * 1024

    /// Why a certificate and its key do not make an identity.
    public struct IdentityProblem: Error {
        public let reason: String
        /// The key store failed, or is needed and not given: not a damaged file, and not
        /// to be worked around (`PhoneFailure.keyStore`).
        public let keyStore: TokenError?
        init(_ reason: String) { self.reason = reason; keyStore = nil }
        init(_ error: TokenError) { reason = error.reason; keyStore = error }
    }

    /// A file that exists but cannot be read or parsed, reported once per load.
    public struct Problem {
        public let file: String
        public let reason: String
        /// An identity whose key store failed or is not given (`IdentityProblem.keyStore`).
        public var keyStore: TokenError? = nil
    }

    // MARK: Trust lists

    private static func fileName(_ kind: TrustListKind) -> String { kind == .ctl ? "ctl.tlv" : "itl.tlv" }

    public func loadTrustStore() -> (TrustStore, [Problem]) {
        var problems: [Problem] = []
        func load(_ kind: TrustListKind) -> [UInt8]? {
            let name = Self.fileName(kind)
            switch LinuxFiles.read(path(name), limit: Self.fileLimit) {
            case .success(let bytes):
                do {
                    _ = try TrustStore.verifySelfConsistent(bytes, kind: kind)
                    return bytes
                } catch {
                    problems.append(Problem(file: path(name), reason: error.reason))
                }
            case .failure(.system(_, CLP_ENOENT)):
                break  // absent
            case .failure(let error):
                problems.append(Problem(file: path(name), reason: error.reason))
            }
            return nil
        }
        let ctl = load(.ctl)
        let itl = load(.itl)
        let store = (try? TrustStore.restore(ctl: ctl, itl: itl)) ?? TrustStore()
        return (store, problems)
    }

    public func saveTrustList(_ kind: TrustListKind, _ bytes: [UInt8]) -> Result<Void, FileError> {
        LinuxFiles.writeAtomically(path(Self.fileName(kind)), bytes, mode: 0o644)
    }

    // MARK: Certificates and keys

    public func loadLSC() -> (Identity?, Problem?) { loadIdentity("lsc.pem") }
    public func loadMIC() -> (Identity?, Problem?) { loadIdentity("mic.pem") }

    private func loadIdentity(_ name: String) -> (Identity?, Problem?) {
        switch LinuxFiles.read(path(name), limit: Self.fileLimit) {
        case .success(var bytes):
            defer { zeroize(&bytes) }
            switch identity(bytes, label: name == "mic.pem" ? PKCS11Token.micLabel : PKCS11Token.lscLabel) {
            case .success(let identity): return (identity, nil)
            case .failure(let problem): return (nil, Problem(file: path(name), reason: problem.reason, keyStore: problem.keyStore))
            }
        case .failure(.system(_, CLP_ENOENT)):
            return (nil, nil)
        case .failure(let error):
            return (nil, Problem(file: path(name), reason: error.reason))
        }
    }

    /// A certificate with its key: the key in the PEM itself, or (a certificate alone) the
    /// token's key labelled `label` that belongs to it.
    public func identity(_ pem: [UInt8], label: String) -> Result<Identity, IdentityProblem> {
        guard !PEM.contains(pem, "PRIVATE KEY") else {
            do { return .success(try Identity(pem: pem)) } catch { return .failure(.init("not a certificate with its key: " + error.reason)) }
        }
        let certificate: Certificate
        do { certificate = try Certificate(pem: pem) } catch { return .failure(.init("not a certificate: " + error.reason)) }
        // A certificate alone: its key is on a token. Without one the identity cannot be
        // used, and must not be replaced behind the token's back either.
        guard let token else { return .failure(.init(TokenError.notGiven)) }
        switch token.key(for: certificate, label: label) {
        case .failure(.keyMissing(let label)): return .failure(.init(TokenError.keyMissing(label: label).reason))
        case .failure(let error): return .failure(.init(error))
        case .success(let key):
            do { return .success(try Identity(certificate: certificate, privateKey: key)) } catch {
                return .failure(.init("the token's key is not the certificate's"))
            }
        }
    }

    /// Certificate and key in one file, replaced in one rename; a token's key stays on the
    /// token, and once its certificate is stored every other LSC key there is destroyed.
    public func saveLSC(_ identity: Identity) -> Result<Void, FileError> {
        let saved = saveIdentity(identity, as: "lsc.pem")
        if case .success = saved, let token, let id = try? PKCS11Token.id(of: identity.certificate.publicKey()) {
            // A failure here leaves orphans, which the next boot destroys.
            _ = token.destroyKeys(label: PKCS11Token.lscLabel, keeping: id)
        }
        return saved
    }

    public func saveMIC(_ identity: Identity) -> Result<Void, FileError> {
        saveIdentity(identity, as: "mic.pem")
    }

    private func saveIdentity(_ identity: Identity, as name: String) -> Result<Void, FileError> {
        var bytes: [UInt8]
        do {
            bytes = try PEM.encodeCertificate(identity.certificate.der)
            if !identity.privateKey.isExternal { bytes += try identity.privateKey.exportPEM().copyBytes() }
        } catch {
            return .failure(.system(path: path(name), errno: CLP_EINVAL))
        }
        defer { zeroize(&bytes) }
        return LinuxFiles.writeAtomically(path(name), bytes, mode: 0o600)
    }

    /// The LSC keys on the token that the stored LSC does not name: a power cut between a
    /// key's generation and its certificate's rename, or an enrolment that failed. Only
    /// keys labelled as the LSC's are touched; a corrupt `lsc.pem` touches nothing.
    public func destroyOrphanKeys(lsc: Identity?, lscProblem: Problem?) -> Result<Int, TokenError> {
        guard let token, lscProblem == nil else { return .success(0) }
        let keep = lsc.flatMap { try? PKCS11Token.id(of: $0.certificate.publicKey()) }
        return token.destroyKeys(label: PKCS11Token.lscLabel, keeping: keep)
    }

    public func deleteLSC() -> Result<Void, FileError> {
        let removed = LinuxFiles.remove(path("lsc.pem"))
        if case .success = removed, let token { _ = token.destroyKeys(label: PKCS11Token.lscLabel, keeping: nil) }
        return removed
    }

    /// A new key for a CAPF install: on the token when there is one, else in memory.
    public func generateKey(_ kind: KeyKind, rng: RandomGenerator) throws(CryptoError) -> PrivateKey {
        guard let token else { return try kind.generate(rng: rng) }
        switch token.generate(kind, label: PKCS11Token.lscLabel) {
        case .success(let key): return key
        case .failure(let error): throw CryptoError(.keyGeneration, code: error.cryptoCode)
        }
    }

    // MARK: Flags

    public func loadLastConfigEncrypted() -> Bool {
        guard case .success(let bytes) = LinuxFiles.read(path("encrypted"), limit: 16) else { return false }
        return bytes.first == UInt8(ascii: "1")
    }

    public func saveLastConfigEncrypted(_ value: Bool) -> Result<Void, FileError> {
        LinuxFiles.writeAtomically(path("encrypted"), [value ? UInt8(ascii: "1") : UInt8(ascii: "0"), 0x0A], mode: 0o644)
    }

    // MARK: Board resets

    /// The resets a board has carried out in the boot under way (0 when absent). A count
    /// that does not read as at most four digits is a problem, and counts as the bound
    /// passed (`passedBound`): a damaged count must not restart the bound at 0.
    public func loadBoardResets(passedBound: Int) -> (Int, Problem?) {
        let name = "board-resets"
        switch LinuxFiles.read(path(name), limit: 16) {
        case .failure(.system(_, CLP_ENOENT)): return (0, nil)
        case .failure(let error): return (passedBound, Problem(file: path(name), reason: error.reason))
        case .success(var bytes):
            if bytes.last == 0x0A { bytes.removeLast() }
            guard let count = DecimalNumber.parse(bytes[...], maxDigits: 4) else {
                return (passedBound, Problem(file: path(name), reason: "not a count of resets"))
            }
            return (count, nil)
        }
    }

    public func saveBoardResets(_ count: Int) -> Result<Void, FileError> {
        LinuxFiles.writeAtomically(path("board-resets"), Array(String(count).utf8) + [0x0A], mode: 0o644)
    }

    /// The boot ended (configured or failed): the next power-on is a new boot.
    public func clearBoardResets() -> Result<Void, FileError> {
        LinuxFiles.remove(path("board-resets"))
    }

    // MARK: TVS servers

    /// The TVS servers of the last applied configuration; none when the file is absent,
    /// and none with a problem when it does not read as `HOST PORT` lines (at most
    /// `DeviceConfiguration.maxServers`).
    public func loadTVSServers() -> ([DeviceConfiguration.TVSServer], Problem?) {
        let bytes: [UInt8]
        switch LinuxFiles.read(path("tvs-servers"), limit: 4096) {
        case .success(let read): bytes = read
        case .failure(.system(_, CLP_ENOENT)): return ([], nil)
        case .failure(let error): return ([], Problem(file: path("tvs-servers"), reason: error.reason))
        }
        var servers: [DeviceConfiguration.TVSServer] = []
        for line in bytes.split(separator: 0x0A) {
            let words = line.split(separator: 0x20)
            guard words.count == 2, servers.count < DeviceConfiguration.maxServers, words[0].count <= 255,
                  let port = DecimalNumber.parse(words[1], maxDigits: 5), port > 0, port <= 65535 else {
                return ([], Problem(file: path("tvs-servers"), reason: "not HOST PORT lines"))
            }
            servers.append(.init(host: String(decoding: words[0], as: UTF8.self), port: UInt16(port), priority: servers.count))
        }
        return (servers, nil)
    }

    public func saveTVSServers(_ servers: [DeviceConfiguration.TVSServer]) -> Result<Void, FileError> {
        var bytes: [UInt8] = []
        for server in servers { bytes += Array((server.host + " " + String(server.port) + "\n").utf8) }
        return LinuxFiles.writeAtomically(path("tvs-servers"), bytes, mode: 0o644)
    }
}
