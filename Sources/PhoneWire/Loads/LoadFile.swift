/// A firmware load's `.loads` file (formats.md §6): a signed file with the header of every
/// `.sgn` (Cisco's signer names put `;` between their parts) whose body is text. Lines that
/// begin with `#` are comments, but for `#HARDWARE_COMP_1 N`, the hardware compatibility
/// level the load requires; blank lines are skipped; every other line names one image
/// (an `.sbn` signed file). CRLF or LF: the spaces and tabs around a name are Cisco's
/// untidiness (its own files carry trailing spaces), not the name's. The names are fetched
/// from the file server and written to the flash, so they are held to a file name's
/// characters. Bounded: the body, the line length, the name length, the number of images.
/// The header is a plain signed file's (version 1.0, or 1.1 as Cisco's load is): a trust
/// list's or an encrypted file's header is no load.
public struct LoadFile: Sendable {
    public let signed: SignedFile
    /// `#HARDWARE_COMP_1`; nil when the file states none (a mistyped marker, such as
    /// `#HARDWARE_COMP_1=5`, is a comment like any other): what a phone does with a load
    /// that states no level is the updater's decision, not the format's.
    public let hardwareLevel: Int?
    /// The image names in the order given, as ranges of the file's bytes.
    public let images: [Range<Int>]

    public static let maximumImages = 32
    /// Cisco's own is 258 bytes; 32 names at their longest with comments fit many times.
    public static let maximumBodyLength = 16_384
    /// Without the line end (LF, or CR LF).
    public static let maximumLineLength = 512
    public static let maximumNameLength = 128
    /// A load's ID (`<loadInformation>`, a slot record's `load`) is at most this long: the
    /// 64 bytes of the firmware's `.phone_load_id` less its NUL.
    public static let maximumLoadIDLength = 63

    /// A load's ID: a file name as a load names its images (the ID names `<ID>.loads`), at
    /// most `maximumLoadIDLength` bytes.
    public static func isLoadID(_ id: String) -> Bool {
        id.utf8.count <= maximumLoadIDLength && isImageName(ArraySlice(id.utf8))
    }
    /// Digits of a hardware level.
    static let maximumLevelDigits = 4
    static let hardwareLevelMarker: [UInt8] = Array("#HARDWARE_COMP_1".utf8)

    public func imageName(_ index: Int) -> String { signed.text(images[index]) }

    /// A load's name (`X.loads`).
    public static func namesLoad(_ name: ArraySlice<UInt8>) -> Bool { name.hasSuffix(".loads") }

    /// A load's or an image's name (`X.loads`, `X.sbn`): files a phone checks by its
    /// image-signing certificate alone, never by a trust list.
    public static func namesFirmware(_ name: ArraySlice<UInt8>) -> Bool { name.hasSuffix(".loads") || name.hasSuffix(".sbn") }

    public static func parse(_ bytes: [UInt8]) throws(LoadFileError) -> LoadFile {
        let signed: SignedFile
        do { signed = try SignedFile.parse(bytes) } catch { throw .header(error) }
        guard signed.encryption == nil, signed.version.major == 1, signed.version.minor <= 1 else { throw .notALoadHeader }
        guard signed.body.count <= maximumBodyLength else { throw .bodyTooLong(limit: maximumBodyLength) }
        var hardwareLevel: Int?
        var images: [Range<Int>] = []
        var start = signed.body.lowerBound
        let end = signed.body.upperBound
        while start < end {
            // One line, looked at no further than its bound (and one byte for a CR).
            var lineEnd = start
            let lookLimit = min(end, start + maximumLineLength + 2)
            while lineEnd < lookLimit, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var last = lineEnd
            if last > start, bytes[last - 1] == UInt8(ascii: "\r") { last -= 1 }
            guard last - start <= maximumLineLength else { throw .lineTooLong(offset: start, limit: maximumLineLength) }
            var first = start
            while first < last, isBlank(bytes[first]) { first += 1 }
            while last > first, isBlank(bytes[last - 1]) { last -= 1 }
            start = lineEnd + 1
            guard first < last else { continue }
            if bytes[first] == UInt8(ascii: "#") {
                guard let level = try levelLine(bytes, first..<last) else { continue }
                guard hardwareLevel == nil else { throw .duplicateHardwareLevel(offset: first) }
                hardwareLevel = level
                continue
            }
            let name = first..<last
            guard isImageName(bytes[name]) else { throw .badImageName(offset: first) }
            guard images.count < maximumImages else { throw .tooManyImages(limit: maximumImages) }
            for earlier in images where bytes[earlier] == bytes[name] { throw .duplicateImage(offset: first) }
            images.append(name)
        }
        guard !images.isEmpty else { throw .noImages }
        return LoadFile(signed: signed, hardwareLevel: hardwareLevel, images: images)
    }

    /// The level of a `#HARDWARE_COMP_1 N` line; nil for any other comment (a marker
    /// followed by more than blanks, such as `#HARDWARE_COMP_10`, is another comment).
    private static func levelLine(_ bytes: [UInt8], _ line: Range<Int>) throws(LoadFileError) -> Int? {
        let marker = hardwareLevelMarker
        guard line.count >= marker.count, bytes[line.lowerBound..<(line.lowerBound + marker.count)].elementsEqual(marker)
        else { return nil }
        var digits = line.lowerBound + marker.count
        guard digits == line.upperBound || isBlank(bytes[digits]) else { return nil }
        while digits < line.upperBound, isBlank(bytes[digits]) { digits += 1 }
        guard let level = DecimalNumber.parse(bytes[digits..<line.upperBound], maxDigits: maximumLevelDigits) else {
            throw .badHardwareLevel(offset: digits)
        }
        return level
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// Letters, digits, `.`, `-` and `_`, beginning with a letter, a digit or `_`, at most
    /// `maximumNameLength` bytes: a name that stays a file of the directory it is written
    /// to and is no command's option. The rule for an image's name and a load's ID alike.
    public static func isImageName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-"), name.count <= maximumNameLength
        else { return false }
        for byte in name {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return false
            }
        }
        return true
    }
}

extension ArraySlice<UInt8> {
    /// Ends with `suffix`'s bytes, and is longer than it.
    fileprivate func hasSuffix(_ suffix: StaticString) -> Bool {
        let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        return count > tail.count && self.suffix(tail.count).elementsEqual(tail)
    }
}
