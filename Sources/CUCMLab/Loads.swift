import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The firmware loads a lab serves (formats.md §6): `loads/LOAD.loads` and its images as
/// `loads/NAME.sbn`, each a signed file of the image-signing key `load add` was given.
extension Lab {
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    static func loadsDirectory(in directory: URL) -> URL { directory.appendingPathComponent("loads") }

    /// What the phone takes as a name (`LoadFile.isImageName`: its rule, not a copy).
    static func isPlainName(_ name: String) -> Bool { LoadFile.isImageName(ArraySlice(name.utf8)) }

    /// Writes each image signed as NAME.sbn, then LOAD.loads naming them (CRLF, as Cisco's
    /// files are); returns the image names.
    static func addLoad(_ load: String, images: [URL], signer: Identity, hardwareLevel: Int, in directory: URL) throws -> [String] {
        guard isPlainName(load) else { throw LoadError(description: "load ID " + load + " is not a plain file name") }
        guard !images.isEmpty else { throw LoadError(description: "a load names at least one image (--image)") }
        let folder = loadsDirectory(in: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let rng = makeRNG()
        let timestamp = UInt32(Date().timeIntervalSince1970)
        var names: [String] = []
        for image in images {
            let base = image.lastPathComponent
            let name = base.hasSuffix(".sbn") ? base : base + ".sbn"
            guard isPlainName(name) else { throw LoadError(description: "image name " + name + " is not a plain file name") }
            let signed = try SignedFileWriter.signedConfig([UInt8](try Data(contentsOf: image)), filename: name, signer: signer,
                                                           timestamp: timestamp, rng: rng)
            try Data(signed).write(to: folder.appendingPathComponent(name), options: .atomic)
            names.append(name)
        }
        let body = "#\r\n# A load of the lab, for its image-signing tests\r\n#\r\n#HARDWARE_COMP_1 " + String(hardwareLevel)
            + "\r\n\r\n" + names.map { $0 + "\r\n" }.joined()
        let loads = try SignedFileWriter.signedConfig(Array(body.utf8), filename: load + ".loads", signer: signer,
                                                      timestamp: timestamp, rng: rng)
        try Data(loads).write(to: folder.appendingPathComponent(load + ".loads"), options: .atomic)
        return names
    }

    /// A `.loads` or `.sbn` the lab holds, or why not.
    func serveLoadFile(_ name: String) -> Served {
        guard Lab.isPlainName(name) else { return .notFound("not a plain file name") }
        guard let bytes = FileManager.default.contents(atPath: Lab.loadsDirectory(in: directory).appendingPathComponent(name).path)
        else { return .notFound("no such load file") }
        return .file([UInt8](bytes))
    }
}
