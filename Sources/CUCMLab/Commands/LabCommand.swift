import ArgumentParser
import Foundation
import PhoneCrypto
import PhoneTrust

/// `cucm-lab`: a lab cluster for the phone (host only). Every subcommand has `--help`.
public struct LabCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cucm-lab",
        abstract: "A lab CUCM cluster for the phone: PKI, ITL, device table, TFTP/HTTP/CAPF/TVS/HTTPS/SIP-TLS.",
        subcommands: [DemoCommand.self, InitCommand.self, DeviceCommand.self, SQLCommand.self, ServeCommand.self,
                      TVSCommand.self, RotateCCMCommand.self, ITLCommand.self, SignCommand.self, EncryptCommand.self,
                      LoadCommand.self])

    public init() {}
}

/// `--dir DIR`: the lab's directory, shared by most subcommands.
struct LabDirectory: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The lab's directory (made by init).")
    var path: String

    var url: URL { URL(fileURLWithPath: path) }
    /// The device table (and what TVS vouches for), without opening the lab's PKI.
    var databasePath: String { Lab.databasePath(in: url) }

    func deviceTable() throws -> DeviceTable { try DeviceTable(path: databasePath) }

    func open(log: @escaping @Sendable (String) -> Void = { _ in }) throws -> Lab { try Lab(url, log: log) }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole story of the troubleshooting note, on loopback; exit 0 when every step held.")

    @Flag(help: "An EC LSC and its configuration over HTTPS 6971.")
    var ec = false

    func run() throws {
        let status = try Demo.run(ec: ec)
        if status != 0 { throw ExitCode(status) }
    }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "A lab PKI (SAST, CCM+TFTP, CAPF, TVS; RSA-2048), ITLFile.tlv and a device table.")

    @OptionGroup var lab: LabDirectory
    @Flag(help: "Also an EC P-256 TFTP certificate, listed in an ITL of signer version 1.1.")
    var ec = false

    func run() throws {
        try Lab.initialise(lab.url, ec: ec)
        print("lab created in " + lab.url.path + ": pki/sast.pem, pki/ccm-tftp.pem, pki/capf.pem, pki/tvs.pem"
              + (ec ? ", pki/tftp-ec.pem (EC P-256), ITLFile.tlv (signer version 1.1, lists the EC TFTP certificate)"
                    : ", ITLFile.tlv") + ", devices.sqlite")
    }
}

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql", abstract: "A read-only query of the device table (\"select md5hash,name from device where name='SEP…'\").")

    @OptionGroup var lab: LabDirectory
    @Argument(help: "The query.")
    var query: String

    func run() throws {
        print(try DeviceTable.query(path: lab.databasePath, query))
    }
}

struct RotateCCMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-ccm",
        abstract: "The CallManager certificate change: new-key (a new CallManager key signs the ITL; TVS vouches for it), "
            + "then recovery (the SAST signs again). Restart serve afterwards.")

    @OptionGroup var lab: LabDirectory
    @Option(help: "new-key or recovery.")
    var step: RotationStep = .newKey

    func run() throws {
        let (signer, serial) = try lab.open { print("[lab] " + $0) }.rotateCallManager(step)
        print("rotate-ccm " + step.rawValue + ": ITLFile.tlv signed by " + signer + "; CallManager certificate serial "
              + serial + "; restart cucm-lab serve to serve it")
    }
}

extension RotationStep: ExpressibleByArgument {}

struct ITLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "itl", abstract: "Writes the lab's ITL again (a fresh timestamp).")

    @OptionGroup var lab: LabDirectory
    @Option(help: "Where to write it.")
    var out: String

    func run() throws {
        let opened = try lab.open()
        let itl = try Lab.makeITL(sast: opened.sast, callManager: opened.tftp, capf: opened.capf, tvs: opened.tvs,
                                  tftpEC: opened.tftpEC, signer: opened.sast, rng: opened.rng)
        try Data(itl).write(to: URL(fileURLWithPath: out))
    }
}

/// What `sign` and `encrypt` share: the file, the lab, the name it is served under, where it goes.
struct ConfigFileOptions: ParsableArguments {
    @Argument(help: "The configuration (XML).")
    var file: String
    @OptionGroup var lab: LabDirectory
    @Option(help: "The name the file is served under (its header's filename).")
    var name: String
    @Option(help: "Where to write it.")
    var out: String

    var body: [UInt8] { get throws { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) } }
    var now: UInt32 { UInt32(Date().timeIntervalSince1970) }
}

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "A .sgn signed by the lab's CCM+TFTP key.")

    @OptionGroup var options: ConfigFileOptions

    func run() throws {
        let lab = try options.lab.open()
        let file = try SignedFileWriter.signedConfig(try options.body, filename: options.name, signer: lab.tftp, timestamp: options.now,
                                                     rng: lab.rng)
        try Data(file).write(to: URL(fileURLWithPath: options.out))
    }
}

struct EncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encrypt", abstract: "A .enc.sgn for a phone's certificate.")

    @OptionGroup var options: ConfigFileOptions
    @Option(help: "The phone's certificate (PEM) the key is wrapped for.")
    var cert: String

    func run() throws {
        let lab = try options.lab.open()
        let certificate = try Certificate(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: cert))))
        let file = try SignedFileWriter.encryptedConfig(try options.body, filename: options.name, recipient: certificate,
                                                        signer: lab.tftp, timestamp: options.now, rng: lab.rng)
        try Data(file).write(to: URL(fileURLWithPath: options.out))
    }
}
