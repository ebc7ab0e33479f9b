/// Why a `.loads` file was refused; offsets from the start of the file.
public enum LoadFileError: WireFault, Equatable, Sendable {
    /// The signed-file header.
    case header(WireError)
    /// A trust list's or an encrypted file's header, or a version no load has.
    case notALoadHeader
    case bodyTooLong(limit: Int)
    case lineTooLong(offset: Int, limit: Int)
    /// `#HARDWARE_COMP_1` without a decimal level of at most four digits after it (the
    /// offset of what stands where the digits should).
    case badHardwareLevel(offset: Int)
    case duplicateHardwareLevel(offset: Int)
    /// A name with a character a file name of the phone may not have, or too long.
    case badImageName(offset: Int)
    case duplicateImage(offset: Int)
    case tooManyImages(limit: Int)
    case noImages
}

extension LoadFileError {
    public var code: String {
        switch self {
        case .header(let error): return error.code
        case .notALoadHeader: return "notALoadHeader"
        case .bodyTooLong: return "bodyTooLong"
        case .lineTooLong: return "lineTooLong"
        case .badHardwareLevel: return "badHardwareLevel"
        case .duplicateHardwareLevel: return "duplicateHardwareLevel"
        case .badImageName: return "badImageName"
        case .duplicateImage: return "duplicateImage"
        case .tooManyImages: return "tooManyImages"
        case .noImages: return "noImages"
        }
    }

    public var offset: Int? {
        switch self {
        case .header(let error): return error.offset
        case .lineTooLong(let offset, _), .badHardwareLevel(let offset), .duplicateHardwareLevel(let offset),
             .badImageName(let offset), .duplicateImage(let offset):
            return offset
        case .notALoadHeader, .bodyTooLong, .tooManyImages, .noImages: return nil
        }
    }

    public var problem: String {
        switch self {
        case .header(let error): return error.problem
        case .notALoadHeader: return "not a load's header (a plain signed file of version 1.0 or 1.1)"
        case .bodyTooLong(let limit): return "a body longer than " + String(limit) + " bytes"
        case .lineTooLong(_, let limit): return "a line longer than " + String(limit) + " bytes"
        case .badHardwareLevel: return "a #HARDWARE_COMP_1 line without a level"
        case .duplicateHardwareLevel: return "a second #HARDWARE_COMP_1 line"
        case .badImageName: return "an image name that is not a plain file name"
        case .duplicateImage: return "an image named twice"
        case .tooManyImages(let limit): return "more than " + String(limit) + " images"
        case .noImages: return "no image named"
        }
    }
}
