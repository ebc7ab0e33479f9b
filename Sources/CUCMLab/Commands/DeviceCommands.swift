import ArgumentParser
import Foundation

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device", abstract: "The device table: a phone's security profile, CAPF authentication, operation and key order.",
        subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adds a device, or changes it.")

        @Argument(help: "SEP and 12 hex digits.")
        var name: String
        @OptionGroup var lab: LabDirectory
        @Option(help: "encrypted, authenticated or non-secure.")
        var profile: DeviceTable.Profile = .encrypted
        @Option(name: .customLong("capf-auth"), help: "auto, null or string:DIGITS (4 to 16).")
        var capfAuth = "auto"
        @Option(help: "install, fetch, delete or none.")
        var operation = "none"
        @Option(help: """
            CUCM's key order: rsa:1024|2048|3072|4096, ec:P-256|P-384|P-521, or ec:CURVE,rsa:BITS \
            ("EC preferred, RSA backup").
            """)
        var key = "rsa:2048"
        @Option(help: "The firmware load its configuration names (<loadInformation>; `load add` serves it); \"\" for none. Kept when not given.")
        var load: String?

        static let rsaKeys = ["rsa:512", "rsa:1024", "rsa:2048", "rsa:3072", "rsa:4096"]
        static let ecKeys = ["ec:P-256", "ec:P-384", "ec:P-521"]

        func validate() throws {
            let device = name.uppercased()
            guard device.hasPrefix("SEP"), device.count == 15, device.dropFirst(3).allSatisfy(\.isHexDigit) else {
                throw ValidationError("the device name must be SEP and 12 hex digits")
            }
            guard capfAuth == "auto" || capfAuth == "null"
                    || (capfAuth.hasPrefix("string:") && (4...16).contains(capfAuth.count - 7) && capfAuth.dropFirst(7).allSatisfy(\.isNumber))
            else { throw ValidationError("--capf-auth is auto, null or string:DIGITS (4 to 16)") }
            guard ["install", "fetch", "delete", "none"].contains(operation) else {
                throw ValidationError("--operation is install, fetch, delete or none")
            }
            // One key ("RSA only", "EC only"), or EC then RSA ("EC preferred, RSA backup").
            let order = key.split(separator: ",").map(String.init)
            guard (order.count == 1 && (Self.rsaKeys + Self.ecKeys).contains(order[0]))
                    || (order.count == 2 && Self.ecKeys.contains(order[0]) && Self.rsaKeys.contains(order[1])) else {
                throw ValidationError("--key is one of " + (Self.rsaKeys + Self.ecKeys).joined(separator: ", ")
                                      + ", or EC preferred with RSA backup: ec:CURVE,rsa:BITS")
            }
            if let load, !load.isEmpty, !Lab.isPlainName(load) { throw ValidationError("--load is a plain file name (the load's ID)") }
        }

        func run() throws {
            let device = name.uppercased()
            let table = try lab.deviceTable()
            var row = try table.device(device) ?? DeviceTable.Device(name: device, profile: profile, capfAuth: capfAuth,
                                                                     operation: operation, key: key, certificate: nil,
                                                                     md5hash: "", publicKey: nil)
            row.profile = profile
            row.capfAuth = capfAuth
            row.operation = operation
            row.key = key
            if let load { row.load = load }
            try table.upsert(row)
            print(device + ": " + profile.rawValue + ", CAPF auth " + capfAuth + ", operation " + operation + ", key " + key
                  + (row.load.isEmpty ? "" : ", load " + row.load))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every device and its certificate's md5hash.")

        @OptionGroup var lab: LabDirectory

        func run() throws {
            for device in try lab.deviceTable().all() {
                print(device.name + "  " + device.profile.rawValue + "  capf-auth " + device.capfAuth + "  operation "
                      + device.operation + "  key " + device.key + "  md5hash " + (device.md5hash.isEmpty ? "-" : device.md5hash))
            }
        }
    }
}

extension DeviceTable.Profile: ExpressibleByArgument {}
