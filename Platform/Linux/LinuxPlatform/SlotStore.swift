import CLinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneWire

extension LoadSlot {
    /// "A" or "B", as the files and the marks name it.
    public var name: String { self == .a ? "A" : "B" }

    /// A slot's name read byte by byte (the firmware compares no text as Unicode).
    init?(_ bytes: ArraySlice<UInt8>) {
        if bytes.elementsEqual("A".utf8) { self = .a } else if bytes.elementsEqual("B".utf8) { self = .b } else { return nil }
    }
}

/// The board's two load slots on the flash, A and B (docs/firmware-loads.md, "Built so far"):
///
///     DIR/A/NAME …   a load's images, each the body of its `.sbn`, named as the load lists it
///     DIR/A.record   the slot's record, written last: the slot holds a whole load only then
///     DIR/boot       the marks the board's init starts from ("good A", "try B", …)
///
/// Every file is written atomically (temporary, fsync, rename); a slot's record is removed
/// before the slot is emptied and written after its last image, so a power cut leaves each
/// slot whole or without a record, never a record naming images that are not there.
public struct SlotStore {
    public typealias Slot = LoadSlot

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
                if let slot { lines += word + " " + slot.name + "\n" }
            }
            return lines
        }

        /// The marks of a boot file; a line it does not know is ignored (an init of a later
        /// load may write more), a slot it does not know leaves the mark unset.
        init(parsing bytes: [UInt8]) {
            self.init()
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                let words = line.split(separator: UInt8(ascii: " "))
                guard words.count == 2, let slot = Slot(words[1]) else { continue }
                let word = words[0]
                if word.elementsEqual("good".utf8) {
                    good = slot
                } else if word.elementsEqual("try".utf8) {
                    tryNext = slot
                } else if word.elementsEqual("trying".utf8) {
                    trying = slot
                } else if word.elementsEqual("failed".utf8) {
                    failed = slot
                }
            }
        }
    }

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The boot file's marks, as the init reads them: none when there is no file (a factory
    /// flash before its first update) or it cannot be read.
    public func marks() -> Marks { (try? currentMarks().get()) ?? Marks() }

    /// The marks a change starts from: none only when there is no file; a file that cannot
    /// be read is a failure (rewriting it would drop its good slot).
    private func currentMarks() -> Result<Marks, FileError> {
        switch LinuxFiles.read(directory + "/boot", limit: 256) {
        case .success(let bytes): return .success(Marks(parsing: bytes))
        case .failure(.system(_, let code)) where code == CLP_ENOENT: return .success(Marks())
        case .failure(let error): return .failure(error)
        }
    }

    /// The slot an update writes: not the good one, B first; a load staged but not yet tried
    /// is replaced. Nil while a load is on trial: an update waits until it reached configured
    /// (and is good) or failed — else a trial that never confirms, with no good slot behind
    /// it, would stage into the other slot at every boot and never be marked failed.
    public func inactive() -> Slot? {
        let marks = marks()
        guard marks.trying == nil else { return nil }
        return [Slot.b, .a].first { $0 != marks.good }
    }

    /// Empties `slot` for a new load: its marks other than good first (the init must not
    /// start it half-written), then its record, then its images.
    public func clear(_ slot: Slot) -> Result<Void, FileError> {
        var marks: Marks
        switch currentMarks() {
        case .success(let read): marks = read
        case .failure(let error): return .failure(error)
        }
        // Never the slot that boots, nor the one the init is trying (it may be what runs).
        guard marks.good != slot, marks.trying != slot else { return .failure(.system(path: directory + "/" + slot.name, errno: CLP_EINVAL)) }
        if marks.tryNext == slot || marks.failed == slot {
            if marks.tryNext == slot { marks.tryNext = nil }
            if marks.failed == slot { marks.failed = nil }
            if case .failure(let error) = write(marks) { return .failure(error) }
        }
        if case .failure(let error) = LinuxFiles.remove(recordPath(slot)) { return .failure(error) }
        let images = directory + "/" + slot.name
        let result = images.withCString { clp_empty_directory($0) }
        guard result == 0 else { return .failure(.system(path: images, errno: result)) }
        if case .failure(let error) = LinuxFiles.makeDirectory(directory) { return .failure(error) }
        return LinuxFiles.makeDirectory(images)
    }

    /// An image of `slot`, written as it arrives (`LoadFile.isImageName` names only: no
    /// path, no hidden file).
    public func image(_ name: String, in slot: Slot) -> Result<StreamedFile, FileError> {
        let path = directory + "/" + slot.name + "/" + name
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

    /// `slot` is started at the next power-on, once; the good slot stays the fallback. Only
    /// a slot with its record: one that holds a whole load.
    public func markTry(_ slot: Slot) -> Result<Void, FileError> {
        guard record(slot) != nil else { return .failure(.system(path: recordPath(slot), errno: CLP_ENOENT)) }
        var marks: Marks
        switch currentMarks() {
        case .success(let read): marks = read
        case .failure(let error): return .failure(error)
        }
        marks.tryNext = slot
        marks.trying = nil
        marks.failed = nil
        return write(marks)
    }

    /// `slot` reached configured: it is the one to start from now on.
    public func markGood(_ slot: Slot) -> Result<Void, FileError> { write(Marks(good: slot)) }

    /// The running load reached configured: when it is the load on trial (the slot marked
    /// `trying` holds it), that slot becomes the good one. True when it did.
    public func confirm(running load: String) -> Result<Bool, FileError> {
        guard let trying = marks().trying, let record = record(trying), record.load.utf8.elementsEqual(load.utf8) else {
            return .success(false)
        }
        return markGood(trying).map { true }
    }

    /// The load of the slot whose trial failed, while the marks say so.
    public func failedLoad() -> String? { marks().failed.flatMap { record($0)?.load } }

    private func write(_ marks: Marks) -> Result<Void, FileError> {
        if case .failure(let error) = LinuxFiles.makeDirectory(directory) { return .failure(error) }
        return LinuxFiles.writeAtomically(directory + "/boot", Array(marks.text.utf8), mode: 0o644)
    }

    private func recordPath(_ slot: Slot) -> String { directory + "/" + slot.name + ".record" }
}

/// What a slot holds: the load's ID and each image with its size and SHA-256, one line each
/// ("load SIP75.9-3-1SR2-1S", "image NAME SIZE HEX"), so the board's init can read it too.
public struct SlotRecord: Equatable, Sendable {
    public typealias Image = WrittenImage

    /// A load lists at most `LoadFile.maximumImages`; each line is under 256 bytes.
    static let maxBytes = 64 + LoadFile.maximumImages * 256

    public let load: String
    public let images: [Image]

    /// Nil when the load's ID or an image's name is no file name as a load names them
    /// (`LoadFile.isImageName`: no space, no newline, no path), an image is listed twice, or
    /// there are none or too many.
    public init?(load: String, images: [Image]) {
        guard LoadFile.isLoadID(load), !images.isEmpty, images.count <= LoadFile.maximumImages
        else { return nil }
        for (index, image) in images.enumerated() {
            guard LoadFile.isImageName(ArraySlice(image.name.utf8)),
                  !images[..<index].contains(where: { $0.name.utf8.elementsEqual(image.name.utf8) }) else { return nil }
        }
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
        guard let load else { return nil }
        self.init(load: load, images: images)
    }
}
