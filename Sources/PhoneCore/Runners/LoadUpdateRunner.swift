import PhoneCrypto
import PhoneTrust
import PhoneWire

/// One firmware update: the load a configuration names, staged in the inactive slot.
public struct LoadUpdateRequest {
    /// The load's ID (`<loadInformation>`): its file is `<load>.loads`.
    public let load: String
    /// The file server it comes from (an index into the platform's list).
    public let server: Int
    /// The image-signing certificate the running firmware carries.
    public let anchor: ImageSigner
    /// The running firmware's hardware level (`ImageSigner.acceptLoad`).
    public let phoneLevel: Int
    /// The most bytes one image may have: a cap of its own, far above the 8 MiB of the
    /// cluster's files (an image is streamed, never held whole).
    public let imageCap: Int

    public init(load: String, server: Int, anchor: ImageSigner, phoneLevel: Int, imageCap: Int = 64 * 1024 * 1024) {
        self.load = load
        self.server = server
        self.anchor = anchor
        self.phoneLevel = phoneLevel
        self.imageCap = imageCap
    }

    public var fileName: String { load + ".loads" }
}

/// How an update ended. Data only.
public enum LoadUpdateResult: Equatable {
    /// Every image is in `slot`, its record written, the slot marked to try: a reset starts it.
    case staged(load: String, slot: LoadSlot, images: Int)
    /// The cluster does not serve `<load>.loads`: nothing changed (real clusters name loads
    /// nobody serves; the phone keeps what it runs).
    case notServed(String)
    /// The load file was refused (the anchor, its name, its hardware level, its text).
    case loadRefused(LoadError)
    /// The `.loads` could not be fetched.
    case fetchFailed(FetchFailure)
    /// An image, or the slot, failed: the slot holds no record, so nothing starts from it.
    case slotFailed(LoadSlotFailure)
}

/// An update run to its end on a port's file transport and load slots: the `.loads`
/// fetched and accepted (`ImageSigner.acceptLoad`), the inactive slot emptied, each image
/// streamed into it and checked, and only when every one passed, the slot staged. The
/// running load is never touched.
public struct LoadUpdateRunner {
    public init() {}

    public func run<P: FileTransport & LoadSlots>(_ request: LoadUpdateRequest, on platform: inout P) -> LoadUpdateResult {
        let bytes: [UInt8]
        switch platform.fetch(request.fileName, server: request.server) {
        case .file(let fetched): bytes = fetched
        case .notFound: return .notServed(request.fileName)
        case .failed(let failure): return .fetchFailed(failure)
        }
        let load: LoadFile
        do { load = try request.anchor.acceptLoad(bytes, servedAs: request.fileName, phoneLevel: request.phoneLevel) } catch {
            return .loadRefused(error)
        }
        let slot: LoadSlot
        switch platform.clearInactiveSlot() {
        case .success(let cleared): slot = cleared
        case .failure(let failure): return .slotFailed(failure)
        }
        var images: [WrittenImage] = []
        for index in load.images.indices {
            switch platform.writeImage(load.imageName(index), server: request.server, into: slot, anchor: request.anchor,
                                       cap: request.imageCap) {
            case .success(let image): images.append(image)
            case .failure(let failure): return .slotFailed(failure)
            }
        }
        if case .failure(let failure) = platform.stage(slot, load: request.load, images: images) { return .slotFailed(failure) }
        return .staged(load: request.load, slot: slot, images: images.count)
    }
}
