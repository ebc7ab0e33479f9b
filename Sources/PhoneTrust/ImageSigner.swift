import PhoneCrypto
import PhoneWire

/// Why a firmware load was refused.
public enum LoadError: Error, Equatable {
    /// The file does not parse (an image's header fault is the `.header` case).
    case malformed(LoadFileError)
    case filenameMismatch(served: String, inFile: String)
    /// The signature is not the image-signing certificate's; the signer the header names.
    case notSignedByTheAnchor(signer: String)
    /// The file's digest could not be made (mbedTLS failed).
    case digest(TrustError)
    /// An image streamed past its cap.
    case tooLarge(name: String, cap: Int)
    /// The load requires a lower hardware level than this phone's (nil: it states none).
    case hardwareLevelBelow(load: Int?, phone: Int)

    public var reason: String {
        switch self {
        case .malformed(let error): return "malformed load file: " + error.reason
        case .filenameMismatch(let served, let inFile): return "filename mismatch: served as " + served + ", header says " + inFile
        case .notSignedByTheAnchor(let signer):
            return "not signed by the image-signing certificate (the header names " + signer + ")"
        case .digest(let error): return error.reason
        case .tooLarge(let name, let cap): return name + " is over its " + String(cap) + "-byte cap"
        case .hardwareLevelBelow(let load?, let phone):
            return "the load's hardware level " + String(load) + " is below this phone's " + String(phone)
        case .hardwareLevelBelow(nil, let phone): return "the load states no hardware level (this phone's is " + String(phone) + ")"
        }
    }
}

/// The vendor's image-signing certificate: the one anchor a firmware load and its images
/// are checked against. It is not the cluster's: nothing in an ITL, a CTL or a TVS answer
/// stands in for it, so a cluster cannot make a phone run code its vendor did not sign
/// (formats.md §6). The header's signer name is what the load says of itself; the
/// signature, checked with the anchor's key, is what decides.
public struct ImageSigner {
    public let certificate: Certificate

    public init(_ certificate: Certificate) { self.certificate = certificate }

    /// What a firmware file checked by its name turned out to be.
    public enum Verified {
        case load(LoadFile)
        case image(SignedFile)
    }

    /// A file fetched as `name`: a load when the name is a `.loads`, an image otherwise.
    public func verify(_ bytes: [UInt8], servedAs name: String) throws(LoadError) -> Verified {
        if LoadFile.namesLoad(ArraySlice(name.utf8)) { return .load(try verifyLoad(bytes, servedAs: name)) }
        return .image(try verifyImage(bytes, servedAs: name))
    }

    /// A `.loads` file fetched as `name`: its header names `name` and its signature is the
    /// anchor's; only then is its body, the server's text, read.
    public func verifyLoad(_ bytes: [UInt8], servedAs name: String) throws(LoadError) -> LoadFile {
        _ = try verifyImage(bytes, servedAs: name)
        do { return try LoadFile.parse(bytes) } catch { throw .malformed(error) }
    }

    /// A load this phone may install: `verifyLoad`, then its hardware level. formats.md §6:
    /// the load states the highest hardware level it drives (`#HARDWARE_COMP_1`); a phone
    /// whose own level (`RunningLoad.hardwareLevel`) is higher refuses it, and one that states none
    /// is refused too: nothing says it can drive this phone. No other rule on which load:
    /// the cluster's configuration names it, an older one included (a rollback).
    public func acceptLoad(_ bytes: [UInt8], servedAs name: String, phoneLevel: Int) throws(LoadError) -> LoadFile {
        let load = try verifyLoad(bytes, servedAs: name)
        guard let level = load.hardwareLevel, level >= phoneLevel else {
            throw .hardwareLevelBelow(load: load.hardwareLevel, phone: phoneLevel)
        }
        return load
    }

    /// An image (`.sbn`, its body the image) fetched as `name`, whole in memory: its header
    /// names `name` and its signature is the anchor's. (Also the first half of `verifyLoad`.)
    public func verifyImage(_ bytes: [UInt8], servedAs name: String) throws(LoadError) -> SignedFile {
        let file: SignedFile
        do { file = try SignedFile.parse(bytes) } catch { throw .malformed(.header(error)) }
        try check(file, servedAs: name)
        return file
    }

    private func check(_ file: SignedFile, servedAs name: String) throws(LoadError) {
        try checkName(file, servedAs: name)
        let digest: [UInt8]
        do { digest = try FileSignature.digest(file) } catch { throw .digest(error) }
        try checkSignature(file, digest: digest)
    }

    /// The header names the file as it was asked for.
    func checkName(_ file: SignedFile, servedAs name: String) throws(LoadError) {
        guard file[file.filename].elementsEqual(name.utf8) else {
            throw .filenameMismatch(served: name, inFile: file.filenameText)
        }
    }

    /// The signature over `digest` is the anchor's.
    func checkSignature(_ file: SignedFile, digest: [UInt8]) throws(LoadError) {
        do { try FileSignature.verify(file, digest: digest, with: certificate) } catch {
            throw .notSignedByTheAnchor(signer: file.signerNameText)
        }
    }
}
