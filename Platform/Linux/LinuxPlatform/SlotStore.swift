import CLinuxPlatform
import PhoneCrypto
import PhoneWire

/// The board's two load slots on the flash, A and B (docs/firmware-loads.md, "Slots"):
///
///     DIR/A/NAME …   a load's images, each the body of its `.sbn`, named as the load lists it
///     DIR/A.record   the slot's record, written last: the slot holds a whole load only then
///     DIR/boot       the marks the board's init starts from ("good A", "try B", …)
///
/// Every file is written atomically (temporary, fsync, rename); a slot's record is removed
/// before the slot is emptied and written after its last image, so a power cut leaves each
/// slot whole or without a record, never a record naming images that are not there.
public struct SlotStore {
    public enum Slot: String, CaseIterable, Sendable {
        case a = "A"
        case b = "B"

        public var other: Slot { self == .a ? .b : .a }
    }

    /// What the board's init reads at power-on: it starts `tryNext` (marking it `trying`),
    /// else `good`, else its recovery copy. The load that reaches configured marks itself
    /// good; one marked `trying` at the next power-on never did, and becomes `failed`.
    public struct Marks: Equatable, Sendable {
        public var good: Slot?
        public var tryNext: Slot?
        public var trying: Slot?
        public var failed: Slot?

        public init(good: Slot? = nil, tryNext: Slot? = nil, trying: Slot? = nil, failed: Slot? = nil) {
            self.good = good
            self.tryNext = tryNext
            self.trying = trying
            self.failed = failed
        }

        /// One line per mark: "good A", "try B", "trying B", "failed B".
        var text: String {
            var lines = ""
            for (word, slot) in [("good", good), ("try", tryNext), ("trying", trying), ("failed", failed)] {
                if let slot { lines += word + " " + slot.rawValue + "\n" }
            }
            return lines
        }

        /// The marks of a boot file; a line it does not know is ignored (an init of a later
        /// load may write more), a slot it does not know leaves the mark unset.
        init(parsing bytes: [UInt8]) {
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                let words = line.split(separator: UInt8(ascii: " "))
                guard words.count == 2, let slot = Slot(rawValue: String(decoding: words[1], as: UTF8.self)) else { continue }
                switch String(decoding: words[0], as: UTF8.self) {
                case "good": good = slot
                case "try": tryNext = slot
                case "trying": trying = slot
                case "failed": failed = slot
                default: continue
                }
            }
        }
    }

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The boot file's marks; none when there is no file (a factory flash before its first
    /// update) or it cannot be read.
    public func marks() -> Marks {
        guard case .success(let bytes) = LinuxFiles.read(directory + "/boot", limit: 256) else { return Marks() }
        return Marks(parsing: bytes)
    }

    /// The slot an update writes: the one not marked good (B when none is).
    public func inactive() -> Slot { marks().good?.other ?? .b }

    /// Empties `slot` for a new load: its record first, then its images.
    public func clear(_ slot: Slot) -> Result<Void, FileError> {
        if case .failure(let error) = LinuxFiles.remove(recordPath(slot)) { return .failure(error) }
        let images = directory + "/" + slot.rawValue
        let result = images.withCString { clp_empty_directory($0) }
        guard result == 0 else { return .failure(.system(path: images, errno: result)) }
        if case .failure(let error) = LinuxFiles.makeDirectory(directory) { return .failure(error) }
        return LinuxFiles.makeDirectory(images)
    }

    /// An image of `slot`, written as it arrives (`LoadFile.isImageName` names only: no
    /// path, no hidden file).
    public func image(_ name: String, in slot: Slot) -> Result<StreamedFile, FileError> {
        let path = directory + "/" + slot.rawValue + "/" + name
        guard LoadFile.isImageName(ArraySlice(name.utf8)) else { return .failure(.system(path: path, errno: CLP_EINVAL)) }
        return StreamedFile.create(path, mode: 0o600)
    }

    /// The slot's record, after its last image: from now on the slot holds its load whole.
    public func commit(_ record: SlotRecord, to slot: Slot) -> Result<Void, FileError> {
        LinuxFiles.writeAtomically(recordPath(slot), Array(record.text.utf8), mode: 0o600)
    }

    /// The load `slot` holds whole, or nil (no record, or one that does not parse).
    public func record(_ slot: Slot) -> SlotRecord? {
        guard case .success(let bytes) = LinuxFiles.read(recordPath(slot), limit: SlotRecord.maxBytes) else { return nil }
        return SlotRecord(parsing: bytes)
    }

    /// `slot` is started at the next power-on, once; the good slot stays the fallback.
    public func markTry(_ slot: Slot) -> Result<Void, FileError> {
        var marks = marks()
        marks.tryNext = slot
        marks.trying = nil
        marks.failed = nil
        return write(marks)
    }

    /// `slot` reached configured: it is the one to start from now on.
    public func markGood(_ slot: Slot) -> Result<Void, FileError> { write(Marks(good: slot)) }

    private func write(_ marks: Marks) -> Result<Void, FileError> {
        if case .failure(let error) = LinuxFiles.makeDirectory(directory) { return .failure(error) }
        return LinuxFiles.writeAtomically(directory + "/boot", Array(marks.text.utf8), mode: 0o644)
    }

    private func recordPath(_ slot: Slot) -> String { directory + "/" + slot.rawValue + ".record" }
}

/// What a slot holds: the load's ID and each image with its size and SHA-256, one line each
/// ("load SIP75.9-3-1SR2-1S", "image NAME SIZE HEX"), so the board's init can read it too.
public struct SlotRecord: Equatable, Sendable {
    public struct Image: Equatable, Sendable {
        public let name: String
        public let size: Int
        public let sha256: [UInt8]

        public init(name: String, size: Int, sha256: [UInt8]) {
            self.name = name
            self.size = size
            self.sha256 = sha256
        }
    }

    /// A load lists at most `LoadFile.maximumImages`; each line is under 256 bytes.
    static let maxBytes = 64 + LoadFile.maximumImages * 256

    public let load: String
    public let images: [Image]

    public init(load: String, images: [Image]) {
        self.load = load
        self.images = images
    }

    var text: String {
        var text = "load " + load + "\n"
        for image in images { text += "image " + image.name + " " + String(image.size) + " " + hexString(image.sha256) + "\n" }
        return text
    }

    /// A record as `text` writes it; nil for anything else (a record is the phone's own file:
    /// one that does not parse is a slot without a whole load).
    init?(parsing bytes: [UInt8]) {
        var load: String?
        var images: [Image] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let words = line.split(separator: UInt8(ascii: " "))
            if words.count == 2, words[0].elementsEqual("load".utf8), load == nil {
                load = String(decoding: words[1], as: UTF8.self)
            } else if words.count == 4, words[0].elementsEqual("image".utf8), images.count < LoadFile.maximumImages,
                      LoadFile.isImageName(words[1]), let size = DecimalNumber.parse(words[2], maxDigits: 12),
                      words[3].count == 64, let digest = hexBytes(words[3]) {
                images.append(Image(name: String(decoding: words[1], as: UTF8.self), size: size, sha256: digest))
            } else {
                return nil
            }
        }
        guard let load, !images.isEmpty else { return nil }
        self.init(load: load, images: images)
    }
}
