import Foundation
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// A lab cluster in a directory: its PKI (`pki/*.pem`), the ITL it serves and the
/// device table (`devices.sqlite`, which also holds what its TVS vouches for).
public final class Lab: @unchecked Sendable {
    public let directory: URL
    /// The SAST that signs the ITL: the ITLRecovery certificate of a CUCM 12+ cluster.
    public let sast: Identity
    public let capf: Identity
    public let tvs: Identity
    /// The EC TFTP identity of a lab made with `init --ec`: its ITL has signer version 1.1
    /// and lists it, and it serves the configuration over HTTPS (formats.md §5).
    public let tftpEC: Identity?
    public let devices: DeviceTable
    /// The CallManager identity and the ITL change together when the cluster's
    /// certificate is rotated (`rotateCallManager`).
    let filesLock = NSLock()
    var callManager: Identity
    var servedITL: [UInt8]
    public var tftp: Identity {
        filesLock.lock()
        defer { filesLock.unlock() }
        return callManager
    }
    public var itl: [UInt8] {
        filesLock.lock()
        defer { filesLock.unlock() }
        return servedITL
    }
    /// A CTR-DRBG of its own for each use: the lab's services run a thread per connection,
    /// and one generator shared by threads would be a data race.
    public var rng: RandomGenerator { Lab.makeRNG() }
    private let logLock = NSLock()
    /// Guards what connection threads change: the strangers made on first use, the
    /// devices that refused the preferred key.
    private let stateLock = NSLock()
    private let logSink: (String) -> Void

    public var databasePath: String { Lab.databasePath(in: directory) }
    /// The device table of the lab in `directory`.
    static func databasePath(in directory: URL) -> String { directory.appendingPathComponent("devices.sqlite").path }

    /// Creates the PKI (RSA-2048, X.509 v3, self-signed), the ITL and the table. `ec`: also
    /// an EC P-256 TFTP identity for HTTPS, and an ITL of signer version 1.1 listing it.
    public static func initialise(_ directory: URL, host: String = "127.0.0.1", ec: Bool = false) throws {
        let pki = directory.appendingPathComponent("pki")
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        let rng = Lab.makeRNG()
        func identity(_ name: String, _ subject: String) throws -> Identity {
            try issueIdentity(name, subject: subject, isCA: name != "ccm-tftp" && name != "tftp-ec", in: pki, rng: rng,
                              curve: name == "tftp-ec" ? .p256 : nil)
        }
        let sast = try identity("sast", "CN=SAST-lab,O=Lab,OU=Security")
        let tftp = try identity("ccm-tftp", "CN=cucm-lab,O=Lab,OU=CallManager")
        let capf = try identity("capf", "CN=CAPF-lab,O=Lab,OU=CAPF")
        let tvs = try identity("tvs", "CN=TVS-lab,O=Lab,OU=TVS")
        let tftpEC = ec ? try identity("tftp-ec", "CN=cucm-lab-ec,O=Lab,OU=CallManager") : nil
        let itl = try makeITL(sast: sast, callManager: tftp, capf: capf, tvs: tvs, tftpEC: tftpEC, signer: sast, rng: rng)
        try Data(itl).write(to: directory.appendingPathComponent("ITLFile.tlv"))
        _ = try DeviceTable(path: databasePath(in: directory))
    }

    /// A new RSA-2048 (or EC on `curve`) key and self-signed certificate, written to
    /// `pki/NAME.pem` (0600) by an atomic replace.
    static func issueIdentity(_ name: String, subject: String, isCA: Bool, in pki: URL, rng: RandomGenerator,
                              curve: Curve? = nil) throws -> Identity {
        let key = try curve.map { try PrivateKey.generateEC(curve: $0, rng: rng) } ?? PrivateKey.generateRSA(bits: 2048, rng: rng)
        var profile = CertificateIssuer.Profile(subject: subject, serialNumber: try rng.bytes(16).map { $0 & 0x7F })
        profile.isCA = isCA
        let certificate = try CertificateIssuer.selfSigned(profile, key: key, rng: rng)
        let pem = try PEM.encodeCertificate(certificate.der) + key.exportPEM().copyBytes()
        // Owner-only from the first byte, then renamed over the old one.
        let url = pki.appendingPathComponent(name + ".pem")
        let temporary = url.path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(pem), attributes: [.posixPermissions: 0o600]),
              rename(temporary, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return try Identity(certificate: certificate, privateKey: key)
    }

    /// The records of the lab's ITL: the recovery SAST, the CallManager (CCM+TFTP), CAPF and
    /// TVS. `newSigner`: the CallManager signs, so it is listed as SAST too.
    static func itlEntries(sast: Identity, callManager: Identity, capf: Identity, tvs: Identity, tftpEC: Identity?,
                           newSigner: Bool = false) -> [(Certificate, TrustRole)] {
        [(sast.certificate, .sast)] + (newSigner ? [(callManager.certificate, .sast)] : [])
            + [(callManager.certificate, .ccmTFTP), (capf.certificate, .capf), (tvs.certificate, .tvs)]
            + (tftpEC.map { [($0.certificate, .tftp)] } ?? [])
    }

    /// The ITL the lab serves: signer version 1.1 when it lists an EC TFTP certificate,
    /// which is what sends phones to HTTPS 6971 (formats.md §5).
    static func makeITL(sast: Identity, callManager: Identity, capf: Identity, tvs: Identity, tftpEC: Identity?, signer: Identity,
                        newSigner: Bool = false, rng: RandomGenerator) throws -> [UInt8] {
        try SignedFileWriter.trustList(entries: itlEntries(sast: sast, callManager: callManager, capf: capf, tvs: tvs, tftpEC: tftpEC,
                                                           newSigner: newSigner),
                                       signer: signer, filename: "ITLFile.tlv", timestamp: UInt32(Date().timeIntervalSince1970),
                                       signerVersion: FormatVersion(1, tftpEC == nil ? 0 : 1), rng: rng)
    }

    public init(_ directory: URL, log: @escaping (String) -> Void) throws {
        self.directory = directory
        func load(_ name: String) throws -> Identity {
            try Identity(pem: [UInt8](try Data(contentsOf: directory.appendingPathComponent("pki/" + name + ".pem"))))
        }
        sast = try load("sast")
        callManager = try load("ccm-tftp")
        capf = try load("capf")
        tvs = try load("tvs")
        tftpEC = FileManager.default.fileExists(atPath: directory.appendingPathComponent("pki/tftp-ec.pem").path) ? try load("tftp-ec") : nil
        servedITL = [UInt8](try Data(contentsOf: directory.appendingPathComponent("ITLFile.tlv")))
        devices = try DeviceTable(path: Lab.databasePath(in: directory))
        logSink = log
    }

    static func makeRNG() -> RandomGenerator {
        try! RandomGenerator(personalization: Array("cucm-lab".utf8)) { buffer in
            var generator = SystemRandomNumberGenerator()
            for index in buffer.indices { buffer[index] = UInt8.random(in: 0...255, using: &generator) }
            return true
        }
    }

    /// One line per request and result.
    public func log(_ line: String) {
        logLock.lock()
        defer { logLock.unlock() }
        logSink(line)
    }

    /// The evil-cluster attack in force, if any (a test may change it while the lab serves).
    public var attack: Attack? {
        get { stateLock.withLock { attackInForce } }
        set { stateLock.withLock { attackInForce = newValue } }
    }
    private var attackInForce: Attack?
    /// Where the CAPF service appends each TLS session's secrets (NSS key log), if asked.
    public var keyLogPath: String? {
        get { stateLock.withLock { keyLog } }
        set { stateLock.withLock { keyLog = newValue } }
    }
    private var keyLog: String?
    private var strangers: [String: Identity] = [:]
    /// Devices that broke off a CAPF session on the preferred key of an "EC preferred,
    /// RSA backup" key order: their next install asks for the backup.
    private var refusedPreferredKeys: Set<String> = []

    func refusedPreferredKey(_ device: String) -> Bool {
        stateLock.withLock { refusedPreferredKeys.contains(device) }
    }

    func recordRefusedPreferredKey(_ device: String) {
        stateLock.withLock { _ = refusedPreferredKeys.insert(device) }
    }

    /// A throwaway identity nobody trusts, made once per lab under `name` (by `make`, under
    /// the lock: two threads never make two).
    func stranger(_ name: String, _ make: () -> Identity) -> Identity {
        stateLock.withLock {
            if let made = strangers[name] { return made }
            let identity = make()
            strangers[name] = identity
            return identity
        }
    }

    /// Where the configuration files point the phone (`LabServer` sets them before it serves).
    public struct Addresses: Sendable {
        /// The address the served files name for CAPF, TVS and the call manager.
        public var host = "127.0.0.1"
        public var capfPort: UInt16 = 3804
        public var tvsPort: UInt16 = 2445
        /// The call manager's SIP-TLS port the configurations name (`securedSipPort`).
        public var sipTLSPort: UInt16 = 5061
    }
    public var addresses: Addresses {
        get { stateLock.withLock { served } }
        set { stateLock.withLock { served = newValue } }
    }
    private var served = Addresses()

    // MARK: - Files the cluster serves

    public enum Served {
        case file([UInt8])
        case notFound(String)
    }

    /// What the lab serves for a name: what CUCM would, unless an attack is in force.
    public func serve(_ name: String) -> Served {
        let deviceName = name.hasPrefix("SEP") ? String(name.prefix(15)) : ""
        return attacked(name, serveHonestly(name), device: try? devices.device(deviceName))
    }

    /// What CUCM serves for a name, per device and profile (boot-flow.md).
    func serveHonestly(_ name: String) -> Served {
        if name == "ITLFile.tlv" { return .file(itl) }
        if LoadFile.namesFirmware(ArraySlice(name.utf8)) { return serveLoadFile(name) }
        guard name.hasPrefix("SEP"), let dot = name.firstIndex(of: ".") else { return .notFound("no such file") }
        let deviceName = String(name[..<dot])
        let suffix = String(name[dot...])
        guard let device = try? devices.device(deviceName) else { return .notFound("unknown device " + deviceName) }
        do {
            switch (device.profile, suffix) {
            case (.encrypted, ".cnf.xml.sgn"):
                return .file(try sign(partialConfig(device), as: name))
            case (.encrypted, ".cnf.xml.enc.sgn"):
                guard let der = device.certificate else { return .notFound("no certificate stored for " + deviceName + " yet") }
                let certificate = try Certificate(der: der[...])
                guard certificate.keyKind.isRSA else {
                    return .notFound("cannot encrypt for " + deviceName + ": its LSC key is " + certificate.keyKind.name
                                     + " and the .enc.sgn key wrap is RSA only")
                }
                return .file(try SignedFileWriter.encryptedConfig(fullConfig(device), filename: name, recipient: certificate,
                                                                  signer: tftp, timestamp: now(), rng: rng))
            case (.authenticated, ".cnf.xml.sgn"), (.nonSecure, ".cnf.xml.sgn"):
                return .file(try sign(fullConfig(device), as: name))
            case (_, ".cnf.xml"):
                return .notFound("the cluster serves signed configuration files only")
            default:
                return .notFound("not served for the " + device.profile.rawValue + " profile")
            }
        } catch {
            return .notFound("could not build " + name + ": \(error)")
        }
    }

    private func now() -> UInt32 { UInt32(Date().timeIntervalSince1970) }

    private func sign(_ body: [UInt8], as name: String) throws -> [UInt8] {
        try SignedFileWriter.signedConfig(body, filename: name, signer: tftp, timestamp: now(), rng: rng)
    }

    private func capfList() -> String {
        let addresses = self.addresses
        return "<capfList><capf><phonePort>\(addresses.capfPort)</phonePort><processNodeName>\(addresses.host)</processNodeName>"
            + "</capf></capfList>"
    }

    /// The partial configuration a cluster with "TFTP Encrypted Config" serves in clear.
    func partialConfig(_ device: DeviceTable.Device) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <device>
              <fullConfig>False</fullConfig>
              <loadInformation>\(device.load)</loadInformation>
              <ipAddressMode>0</ipAddressMode>
              <capfAuthMode>\(device.capfAuthMode)</capfAuthMode>
              \(capfList())
              <certHash>\(device.md5hash)</certHash>
              <encrConfig>True</encrConfig>
            </device>

            """.utf8)
    }

    /// The full configuration (the secret in it is what encryption protects).
    func fullConfig(_ device: DeviceTable.Device) -> [UInt8] {
        let mode = device.profile == .encrypted ? 3 : device.profile == .authenticated ? 2 : 1
        return Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <device>
              <fullConfig>true</fullConfig>
              <deviceProtocol>SIP</deviceProtocol>
              <sshUserId>admin</sshUserId>
              <sshPassword>lab-Secret-7f3a</sshPassword>
              <ipAddressMode>0</ipAddressMode>
              <devicePool><callManagerGroup><members>
                <member priority="0"><callManager><ports><ethernetPhonePort>2000</ethernetPhonePort><sipPort>5060</sipPort><securedSipPort>\(addresses.sipTLSPort)</securedSipPort></ports><processNodeName>\(addresses.host)</processNodeName></callManager></member>
              </members></callManagerGroup></devicePool>
              <TVS><members><member priority="0"><port>\(addresses.tvsPort)</port><address>\(addresses.host)</address></member></members></TVS>
              <loadInformation>\(device.load)</loadInformation>
              <capfAuthMode>\(device.capfAuthMode)</capfAuthMode>
              \(capfList())
              <deviceSecurityMode>\(mode)</deviceSecurityMode>
              <transportLayerProtocol>4</transportLayerProtocol>
              <certHash>\(device.md5hash)</certHash>
              <encrConfig>false</encrConfig>
              <versionStamp>\(now())-lab</versionStamp>
            </device>

            """.utf8)
    }
}
