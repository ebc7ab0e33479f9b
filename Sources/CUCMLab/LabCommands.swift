import Foundation
import LinuxPlatform
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The `cucm-lab` command line.
public enum LabCommands {
    struct UsageError: Error { let message: String }

    /// Options `--name value`; positional words kept in order.
    struct Options {
        var values: [String: String] = [:]
        var positional: [String] = []
        /// Options that take no value and were given.
        var flags: Set<String> = []

        init(_ words: ArraySlice<String>, known: Set<String>, flags flagNames: Set<String> = []) throws {
            var index = words.startIndex
            while index < words.endIndex {
                let word = words[index]
                index += 1
                if word.hasPrefix("--") {
                    guard known.contains(word) else { throw UsageError(message: "unknown option " + word) }
                    if flagNames.contains(word) {
                        flags.insert(word)
                        continue
                    }
                    guard index < words.endIndex else { throw UsageError(message: word + " needs a value") }
                    values[word] = words[index]
                    index += 1
                } else {
                    positional.append(word)
                }
            }
        }

        func required(_ name: String) throws -> String {
            guard let value = values[name] else { throw UsageError(message: name + " is required") }
            return value
        }

        func port(_ name: String) throws -> UInt16 {
            guard let text = values[name] else { return 0 }
            guard let port = UInt16(text) else { throw UsageError(message: name + " must be a port number") }
            return port
        }
    }

    public static func run(_ arguments: [String], usage: String) -> Int32 {
        guard let command = arguments.first else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        let rest = arguments.dropFirst()
        do {
            switch command {
            case "demo": return try Demo.run(rest)
            case "init":
                let options = try Options(rest, known: ["--dir", "--ec"], flags: ["--ec"])
                let directory = URL(fileURLWithPath: try options.required("--dir"))
                let ec = options.flags.contains("--ec")
                try Lab.initialise(directory, ec: ec)
                print("lab created in " + directory.path + ": pki/sast.pem, pki/ccm-tftp.pem, pki/capf.pem, pki/tvs.pem"
                      + (ec ? ", pki/tftp-ec.pem (EC P-256), ITLFile.tlv (signer version 1.1, lists the EC TFTP certificate)"
                            : ", ITLFile.tlv") + ", devices.sqlite")
            case "device":
                return try device(rest)
            case "sql":
                let options = try Options(rest, known: ["--dir"])
                guard options.positional.count == 1 else { throw UsageError(message: "sql takes one query") }
                let path = URL(fileURLWithPath: try options.required("--dir")).appendingPathComponent("devices.sqlite").path
                print(try DeviceTable.query(path: path, options.positional[0]))
            case "serve":
                let options = try Options(rest, known: ["--dir", "--host", "--tftp-port", "--http-port", "--capf-port", "--attack",
                                                        "--keylog", "--tvs-port", "--https-port", "--sip-tls-port"])
                let host = options.values["--host"] ?? "127.0.0.1"
                // One line per event as it happens, also when the log goes to a file or a pipe
                // (a program waiting for the "serving on" line would otherwise wait for a full buffer).
                setvbuf(stdout, nil, _IOLBF, 0)
                // A signal mask is inherited across exec: a parent that blocks SIGTERM (some
                // harnesses do) would leave a lab that only SIGKILL stops. Unblock the stop
                // signals before any server thread starts, so every thread inherits that.
                var stopSignals = sigset_t()
                sigemptyset(&stopSignals)
                for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&stopSignals, signal) }
                pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
                let lab = try Lab(URL(fileURLWithPath: try options.required("--dir"))) { line in print("[lab] " + line) }
                if let name = options.values["--attack"] {
                    guard let attack = Attack(rawValue: name) else {
                        throw UsageError(message: "--attack is one of " + Attack.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    lab.attack = attack
                }
                if let keyLog = options.values["--keylog"] {
                    lab.keyLogPath = keyLog
                    print("[lab] TLS: key log on: CAPF and TVS session secrets are appended to " + keyLog)
                }
                let server = try LabServer(lab: lab, host: host, tftpPort: try options.port("--tftp-port"),
                                           httpPort: try options.port("--http-port"), capfPort: try options.port("--capf-port"),
                                           tvsPort: try options.port("--tvs-port"), httpsPort: try options.port("--https-port"),
                                           sipTLSPort: try options.port("--sip-tls-port"))
                server.start()
                print("[lab] serving on " + host + ": TFTP \(server.tftpPort), HTTP \(server.httpPort), CAPF \(server.capfPort), TVS \(server.tvsPort)"
                      + (server.httpsPort.map { ", HTTPS \($0)" } ?? "") + ", SIP-TLS \(server.sipTLSPort)")
                while true { Thread.sleep(forTimeInterval: 3600) }
            case "itl":
                let options = try Options(rest, known: ["--dir", "--out"])
                let lab = try Lab(URL(fileURLWithPath: try options.required("--dir"))) { _ in }
                let itl = try Lab.makeITL(sast: lab.sast, callManager: lab.tftp, capf: lab.capf, tvs: lab.tvs, tftpEC: lab.tftpEC,
                                          signer: lab.sast, rng: lab.rng)
                try Data(itl).write(to: URL(fileURLWithPath: try options.required("--out")))
            case "tvs":
                return try tvs(rest)
            case "rotate-ccm":
                let options = try Options(rest, known: ["--dir", "--step"])
                guard let step = RotationStep(rawValue: options.values["--step"] ?? "new-key") else {
                    throw UsageError(message: "--step is new-key or recovery")
                }
                let lab = try Lab(URL(fileURLWithPath: try options.required("--dir"))) { print("[lab] " + $0) }
                let (signer, serial) = try lab.rotateCallManager(step)
                print("rotate-ccm " + step.rawValue + ": ITLFile.tlv signed by " + signer + "; CallManager certificate serial "
                      + serial + "; restart cucm-lab serve to serve it")
            case "sign", "encrypt":
                let options = try Options(rest, known: ["--dir", "--name", "--out", "--cert"])
                guard options.positional.count == 1 else { throw UsageError(message: command + " takes one FILE") }
                let lab = try Lab(URL(fileURLWithPath: try options.required("--dir"))) { _ in }
                let body = [UInt8](try Data(contentsOf: URL(fileURLWithPath: options.positional[0])))
                let name = try options.required("--name")
                let now = UInt32(Date().timeIntervalSince1970)
                let file: [UInt8]
                if command == "sign" {
                    file = try SignedFileWriter.signedConfig(body, filename: name, signer: lab.tftp, timestamp: now, rng: lab.rng)
                } else {
                    let certificate = try Certificate(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: try options.required("--cert")))))
                    file = try SignedFileWriter.encryptedConfig(body, filename: name, recipient: certificate, signer: lab.tftp,
                                                                timestamp: now, rng: lab.rng)
                }
                try Data(file).write(to: URL(fileURLWithPath: try options.required("--out")))
            case "help", "--help", "-h":
                print(usage)
            default:
                throw UsageError(message: "unknown command " + command)
            }
            return 0
        } catch let error as UsageError {
            FileHandle.standardError.write(Data(("cucm-lab: " + error.message + "\n" + usage).utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("cucm-lab: \(error)\n".utf8))
            return 1
        }
    }

    static func device(_ words: ArraySlice<String>) throws -> Int32 {
        guard let verb = words.first else { throw UsageError(message: "device add or device list") }
        let options = try Options(words.dropFirst(), known: ["--dir", "--profile", "--capf-auth", "--operation", "--key"])
        let directory = URL(fileURLWithPath: try options.required("--dir"))
        let table = try DeviceTable(path: directory.appendingPathComponent("devices.sqlite").path)
        switch verb {
        case "add":
            guard options.positional.count == 1 else { throw UsageError(message: "device add takes SEP<MAC>") }
            let name = options.positional[0].uppercased()
            guard name.hasPrefix("SEP"), name.count == 15, name.dropFirst(3).allSatisfy(\.isHexDigit) else {
                throw UsageError(message: "device name must be SEP and 12 hex digits")
            }
            guard let profile = DeviceTable.Profile(rawValue: options.values["--profile"] ?? "encrypted") else {
                throw UsageError(message: "--profile is encrypted, authenticated or non-secure")
            }
            let auth = options.values["--capf-auth"] ?? "auto"
            guard auth == "auto" || auth == "null" || (auth.hasPrefix("string:") && (4...16).contains(auth.count - 7)
                                                       && auth.dropFirst(7).allSatisfy(\.isNumber)) else {
                throw UsageError(message: "--capf-auth is auto, null or string:DIGITS (4 to 16)")
            }
            let operation = options.values["--operation"] ?? "none"
            guard ["install", "fetch", "delete", "none"].contains(operation) else {
                throw UsageError(message: "--operation is install, fetch, delete or none")
            }
            // CUCM's key order: one key ("RSA only", "EC only"), or EC then RSA ("EC preferred, RSA backup").
            let key = options.values["--key"] ?? "rsa:2048"
            let rsaKeys = ["rsa:512", "rsa:1024", "rsa:2048", "rsa:3072", "rsa:4096"]
            let ecKeys = ["ec:P-256", "ec:P-384", "ec:P-521"]
            let order = key.split(separator: ",").map(String.init)
            let validOrder = (order.count == 1 && (rsaKeys + ecKeys).contains(order[0]))
                || (order.count == 2 && ecKeys.contains(order[0]) && rsaKeys.contains(order[1]))
            guard validOrder else {
                throw UsageError(message: "--key is one of " + (rsaKeys + ecKeys).joined(separator: ", ")
                                 + ", or EC preferred with RSA backup: ec:CURVE,rsa:BITS")
            }
            var device = try table.device(name) ?? DeviceTable.Device(name: name, profile: profile, capfAuth: auth, operation: operation,
                                                                      key: key, certificate: nil, md5hash: "", publicKey: nil)
            device.profile = profile
            device.capfAuth = auth
            device.operation = operation
            device.key = key
            try table.upsert(device)
            print(name + ": " + profile.rawValue + ", CAPF auth " + auth + ", operation " + operation + ", key " + key)
        case "list":
            for device in try table.all() {
                print(device.name + "  " + device.profile.rawValue + "  capf-auth " + device.capfAuth + "  operation "
                      + device.operation + "  key " + device.key + "  md5hash " + (device.md5hash.isEmpty ? "-" : device.md5hash))
            }
        default:
            throw UsageError(message: "device add or device list")
        }
        return 0
    }

    /// `tvs add CERT --roles tftp,app-server --ttl N` and `tvs list`: what the lab's TVS
    /// vouches for beyond the certificates of its own ITL.
    static func tvs(_ words: ArraySlice<String>) throws -> Int32 {
        guard let verb = words.first else { throw UsageError(message: "tvs add or tvs list") }
        let options = try Options(words.dropFirst(), known: ["--dir", "--roles", "--ttl"])
        let table = try DeviceTable(path: URL(fileURLWithPath: try options.required("--dir")).appendingPathComponent("devices.sqlite").path)
        switch verb {
        case "add":
            guard options.positional.count == 1 else { throw UsageError(message: "tvs add takes one certificate (PEM)") }
            let certificate = try Certificate(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: options.positional[0]))))
            let names: [String: TrustRole] = ["sast": .sast, "ccm": .ccm, "ccm+tftp": .ccmTFTP, "tftp": .tftp, "capf": .capf,
                                             "app-server": .appServer, "tvs": .tvs]
            var roles: [UInt16] = []
            for word in try options.required("--roles").lowercased().split(separator: ",") {
                guard let role = names[String(word)] else {
                    throw UsageError(message: "--roles is a comma-separated list of " + names.keys.sorted().joined(separator: ", "))
                }
                roles.append(role.rawValue)
            }
            guard let ttl = UInt32(options.values["--ttl"] ?? "3600") else { throw UsageError(message: "--ttl is seconds (0 to 4294967295)") }
            try table.upsertTVS(.init(subject: certificate.subject, certificate: certificate.der, roles: roles, ttl: ttl),
                                sha256: hexString(try Digest.hash(.sha256, certificate.der)))
            print("TVS vouches for " + certificate.subject + ": roles "
                  + roles.map { TrustRole(rawValue: $0).name }.joined(separator: ", ") + ", TTL \(ttl) s")
        case "list":
            for entry in try table.tvsEntries() {
                print(entry.subject + "  roles " + entry.roles.map { TrustRole(rawValue: $0).name }.joined(separator: ",")
                      + "  ttl \(entry.ttl)")
            }
        default:
            throw UsageError(message: "tvs add or tvs list")
        }
        return 0
    }
}
