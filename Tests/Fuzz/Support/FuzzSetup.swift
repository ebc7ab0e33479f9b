import Glibc
import PhoneCrypto
import PhoneTrust

/// Fixed material for the fuzz targets: the interop ITL and MIC, read once from
/// Tests/Vectors (the fuzz script runs from the project root).
enum FuzzSetup {
    static func read(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { fatalError("missing " + path + ": run from the project root") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    static func rng() -> RandomGenerator {
        // Deterministic: a fuzz run must be reproducible from its input alone.
        try! RandomGenerator(personalization: Array("fuzz".utf8)) { buffer in
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index &* 31) }
            return true
        }
    }

    static func store() -> TrustStore {
        var store = TrustStore()
        _ = try! store.install(read("Tests/Vectors/interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        return store
    }

    /// The tests' image-signing identity (its certificate is the fuzzed images' anchor).
    static func imageSigner() -> Identity { try! Identity(pem: read("Tests/ImageSigning/test-image-signer.pem")) }

    static func mic() -> Identity { try! Identity(pem: read("Tests/Vectors/interop/pki/phone-mic.pem")) }
    static func micKey() -> PrivateKey { mic().privateKey }
}
