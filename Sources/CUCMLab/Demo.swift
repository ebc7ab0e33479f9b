import Foundation
import HostProcess
import PhoneCrypto

/// `cucm-lab demo`: the troubleshooting note's story on loopback. A lab on free ports,
/// SEPA45630BBFA40 with the encrypted profile and an install scheduled, a `phone boot`
/// against it, both logs, then the cluster's md5hash and the phone's own: equal, or exit 1.
/// `--ec`: an EC lab (ITL of signer version 1.1), an EC P-256 LSC, and the configuration
/// over HTTPS 6971 — on the boot after enrolment and on a second boot without CAPF.
enum Demo {
    static func run(ec: Bool) throws -> Int32 {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cucm-lab-demo-\(getpid())")
        try? FileManager.default.removeItem(at: work)
        let labDirectory = work.appendingPathComponent("lab")
        try FileManager.default.createDirectory(at: labDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        try Lab.initialise(labDirectory, ec: ec)
        let micPath = try makeMIC(in: work)
        let started = Date()
        let lock = NSLock()
        var labLines: [String] = []
        let lab = try Lab(labDirectory) { line in
            lock.lock()
            labLines.append(String(format: "[%8.3f] ", Date().timeIntervalSince(started)) + line)
            lock.unlock()
        }
        let device = "SEPA45630BBFA40"
        try lab.devices.upsert(DeviceTable.Device(name: device, profile: .encrypted, capfAuth: "auto", operation: "install",
                                                  key: ec ? "ec:P-256" : "rsa:2048", certificate: nil, md5hash: "", publicKey: nil))
        let server = try LabServer(lab: lab, host: "127.0.0.1", tftpPort: 0, httpPort: 0, capfPort: 0)
        server.start()
        defer { server.stop() }
        print("cucm-lab: lab on 127.0.0.1 (HTTP \(server.httpPort), TFTP \(server.tftpPort), CAPF \(server.capfPort)"
              + (server.httpsPort.map { ", HTTPS \($0)" } ?? "") + "); "
              + device + ": encrypted profile, CAPF install scheduled (" + (ec ? "EC P-256" : "RSA-2048") + ")")

        let state = work.appendingPathComponent("phone").path
        let bootArguments = ["boot", "--server", "127.0.0.1:\(server.httpPort)", "--mac", "A4:56:30:BB:FA:40", "--state", state,
                             "--mic", micPath] + (server.httpsPort.map { ["--https-port", "\($0)"] } ?? [])
        let boot = try runPhone(bootArguments)
        print("\n== phone console (phone boot --server 127.0.0.1:\(server.httpPort) --mac A4:56:30:BB:FA:40 …)")
        print(boot.stderr, terminator: "")
        print("\n== phone: configuration handed on (exit \(boot.status))")
        print(boot.stdout, terminator: "")
        lock.lock()
        let labLog = labLines
        lock.unlock()
        print("\n== lab log")
        labLog.forEach { print($0) }

        let query = "select md5hash,name from device where name='" + device + "'"
        print("\n== admin:run sql " + query)
        let table = try DeviceTable.query(path: lab.databasePath, query)
        print(table)
        let status = try runPhone(["status", "--state", state])
        print("\n== phone status --state …")
        print(status.stdout, terminator: "")

        // The story must hold, step by step, or the demo fails.
        let stored = try lab.devices.device(device)?.md5hash ?? ""
        let lscHash = status.stdout.components(separatedBy: "LSC:").dropFirst().first?
            .components(separatedBy: "md5:").dropFirst().first?.split(separator: "\n").first?
            .trimmingCharacters(in: .whitespaces) ?? ""
        var second: ProgramRun?
        if ec {
            second = try runPhone(bootArguments)
            print("\n== the second boot (no CAPF): phone console")
            print(second?.stderr ?? "", terminator: "")
        }
        let checks = ec ? ecChecks(boot: boot, second: second, labLog: labLog, stored: stored, lscHash: lscHash, device: device)
                        : [
            ("the phone fetched the ITL", boot.stderr.contains("GET /ITLFile.tlv") && boot.stderr.contains("ITL installed")),
            ("the partial config came with an empty certHash", boot.stderr.contains("certHash '' vs MIC MD5")),
            ("CAPF over TLS issued an LSC", boot.stderr.contains("TLS 1.2 established") && boot.stderr.contains("session ended: LSC installed")),
            ("the lab stored the md5hash", labLog.contains { $0.contains("md5hash " + stored + " stored") } && !stored.isEmpty),
            ("the phone reset and fetched the .cnf.xml.sgn again, hash matching",
             boot.stderr.contains("BOOT: reset") && boot.stderr.contains("'" + stored + "' vs LSC MD5 '" + stored + "': match")),
            ("the .enc.sgn was decrypted", boot.stderr.contains(device + ".cnf.xml.enc.sgn decrypted")),
            ("the phone is configured", boot.status == 0 && boot.stdout.contains("configured: " + device)),
            ("the database md5hash equals the phone's own LSC hash", !lscHash.isEmpty && lscHash == stored),
            ("no secret on any console", !(boot.stderr + boot.stdout + labLog.joined()).contains("lab-Secret")),
        ]
        print("\n== checks")
        for (what, held) in checks { print((held ? "  ok      " : "  FAILED  ") + what) }
        let failed = checks.filter { !$0.1 }.count
        print(failed == 0 ? "demo: \(checks.count) passed, 0 failed" : "demo: \(checks.count - failed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }

    /// The EC story's steps (formats.md §5).
    static func ecChecks(boot: ProgramRun, second: ProgramRun?, labLog: [String], stored: String, lscHash: String,
                         device: String) -> [(String, Bool)] {
        let again = second?.stderr ?? ""
        return [
            ("the phone installed the ITL of signer version 1.1", boot.stderr.contains("ITL installed")),
            ("it asked for the configuration over HTTPS with its MIC first, refused, and fell back",
             boot.stderr.contains("(client certificate CN=CP-8841-SEPA45630BBFA40") && boot.stderr.contains("configuration over HTTPS failed")),
            ("CAPF over TLS issued an EC P-256 LSC",
             boot.stderr.contains("install requested, EC P-256") && boot.stderr.contains("session ended: LSC installed")),
            ("after the reset the configuration came over HTTPS with the LSC as client certificate",
             boot.stderr.contains("(client certificate CN=" + device + ",O=Lab,OU=Phones")
                && boot.stderr.contains("over HTTPS from CN=cucm-lab-ec,O=Lab,OU=CallManager: full configuration applied")),
            ("the lab served it to the device the client certificate names",
             labLog.contains { $0.contains("HTTPS: GET /" + device + ".cnf.xml.sgn from CN=" + device + ",O=Lab,OU=Phones → 200 OK") }),
            ("the phone is configured", boot.status == 0 && boot.stdout.contains("configured: " + device)),
            ("the database md5hash equals the phone's own LSC hash", !lscHash.isEmpty && lscHash == stored),
            ("the second boot took the configuration over HTTPS without CAPF",
             second?.status == 0 && again.contains("over HTTPS from") && !again.contains("CAPF:")),
            ("no secret on any console", !(boot.stderr + boot.stdout + again + labLog.joined()).contains("lab-Secret")),
        ]
    }

    /// A manufacturing CA and the phone's MIC (RSA-2048), as the factory would install it.
    static func makeMIC(in directory: URL) throws -> String {
        let rng = Lab.makeRNG()
        let caKey = try PrivateKey.generateRSA(bits: 2048, rng: rng)
        var caProfile = CertificateIssuer.Profile(subject: "CN=Lab Manufacturing CA,O=Lab", serialNumber: [1])
        caProfile.isCA = true
        let ca = try Identity(certificate: try CertificateIssuer.selfSigned(caProfile, key: caKey, rng: rng), privateKey: caKey)
        let micKey = try PrivateKey.generateRSA(bits: 2048, rng: rng)
        let mic = try CertificateIssuer.issue(.init(subject: "CN=CP-8841-SEPA45630BBFA40,O=Lab,OU=Manufacturing", serialNumber: [0x42, 7]),
                                              publicKey: PublicKey(subjectPublicKeyInfo: try micKey.subjectPublicKeyInfo()[...]),
                                              issuer: ca, rng: rng)
        let path = directory.appendingPathComponent("phone-mic.pem").path
        let pem = try PEM.encodeCertificate(mic.der) + micKey.exportPEM().copyBytes()
        guard FileManager.default.createFile(atPath: path, contents: Data(pem), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return path
    }

    /// The `phone` program built beside this one.
    static func runPhone(_ arguments: [String]) throws -> ProgramRun {
        try ProgramRun.run(ProgramRun.builtProgram("phone"), arguments)
    }
}
