import ArgumentParser
import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What the lab's TVS vouches for beyond the certificates of its own ITL.
struct TVSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tvs", abstract: "What the lab's TVS vouches for beyond the lab's own certificates.",
        subcommands: [Add.self, List.self])

    static let roleNames: [String: TrustRole] = ["sast": .sast, "ccm": .ccm, "ccm+tftp": .ccmTFTP, "tftp": .tftp, "capf": .capf,
                                                 "app-server": .appServer, "tvs": .tvs]

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "TVS vouches for a certificate with these roles.")

        @Argument(help: "The certificate (PEM).")
        var certificate: String
        @OptionGroup var lab: LabDirectory
        @Option(help: "Comma-separated: sast, ccm, ccm+tftp, tftp, capf, app-server, tvs.")
        var roles: String
        @Option(help: "Seconds the answer may be cached (0 to 4294967295).")
        var ttl: UInt32 = 3600

        /// The roles given, nil when one is no role's name.
        var roleValues: [UInt16]? {
            let words = roles.lowercased().split(separator: ",")
            let values = words.compactMap { TVSCommand.roleNames[String($0)]?.rawValue }
            return values.count == words.count ? values : nil
        }

        func validate() throws {
            guard roleValues != nil else {
                throw ValidationError("--roles is a comma-separated list of " + TVSCommand.roleNames.keys.sorted().joined(separator: ", "))
            }
        }

        func run() throws {
            let certificate = try Certificate(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: self.certificate))))
            let roleValues = self.roleValues ?? []
            let table = try lab.deviceTable()
            try table.upsertTVS(.init(subject: certificate.subject, certificate: certificate.der, roles: roleValues, ttl: ttl),
                                sha256: hexString(try Digest.hash(.sha256, certificate.der)))
            print("TVS vouches for " + certificate.subject + ": roles "
                  + roleValues.map { TrustRole(rawValue: $0).name }.joined(separator: ", ") + ", TTL " + String(ttl) + " s")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every certificate TVS vouches for, its roles and TTL.")

        @OptionGroup var lab: LabDirectory

        func run() throws {
            for entry in try lab.deviceTable().tvsEntries() {
                print(entry.subject + "  roles " + entry.roles.map { TrustRole(rawValue: $0).name }.joined(separator: ",")
                      + "  ttl " + String(entry.ttl))
            }
        }
    }
}
