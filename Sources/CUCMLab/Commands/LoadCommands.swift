import ArgumentParser
import Foundation
import PhoneCrypto

/// `cucm-lab load add`: a firmware load the cluster serves, signed by an image-signing key.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Firmware loads the cluster serves, signed by an image-signing key (not the cluster's).",
        subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "LOAD.loads naming each image, and each image as a signed NAME.sbn, in the lab's loads/.")

        @Argument(help: "The load's ID (e.g. SIP42.9-4-2SR3-1S): served as LOAD.loads.")
        var load: String
        @OptionGroup var lab: LabDirectory
        @Option(name: .customLong("image"), parsing: .upToNextOption,
                help: "An image file: served signed as its file name with .sbn added (unless it ends so).")
        var images: [String]
        @Option(help: "The image-signing certificate and key (PEM); the tests' fixed one is Tests/ImageSigning/test-image-signer.pem.")
        var signer: String
        @Option(help: "The hardware compatibility level the load requires (#HARDWARE_COMP_1).")
        var hardwareLevel: Int = 1

        func run() throws {
            let identity = try Identity(pem: [UInt8](try Data(contentsOf: URL(fileURLWithPath: signer))))
            let names = try Lab.addLoad(load, images: images.map { URL(fileURLWithPath: $0) }, signer: identity,
                                        hardwareLevel: hardwareLevel, in: lab.url)
            print("load " + load + ": " + load + ".loads (hardware level " + String(hardwareLevel) + ") and "
                  + names.joined(separator: ", ") + " signed by " + identity.certificate.subject + " in "
                  + Lab.loadsDirectory(in: lab.url).path)
        }
    }
}
