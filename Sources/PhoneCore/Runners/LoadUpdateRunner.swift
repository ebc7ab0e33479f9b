import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What every update of this phone is checked against: the running firmware's.
public struct LoadUpdateSettings {
    /// The image-signing certificate the running firmware carries.
    public let anchor: ImageSigner
    /// The running firmware's hardware level (`ImageSigner.acceptLoad`).
    public let hardwareLevel: Int
    /// The most bytes one image may have: a cap of its own, far above the 8 MiB of the
    /// cluster's files (an image is streamed, never held whole).
    public let imageCap: Int
    /// The load that failed its trial on this phone (the board's slots remember it): never
    /// fetched again, or a cluster naming it would send the board round the same failed
    /// trial at every power-on.
    public let failedLoad: String?

    /// 64 MiB, the cap of one image unless a port sets its own.
    public static let defaultImageCap = 64 * 1024 * 1024

    public init(anchor: ImageSigner, hardwareLevel: Int, imageCap: Int = defaultImageCap, failedLoad: String? = nil) {
        self.anchor = anchor
        self.hardwareLevel = hardwareLevel
        self.imageCap = imageCap
        self.failedLoad = failedLoad
    }

    /// The longest one image's fetch may take: a minute, and its cap at 64 KiB/s (64 MiB:
    /// 18 minutes). A server that drips an image cannot hold the phone, nor fail a real
    /// image on a slow link.
    public var imageDeadlineMs: UInt64 { 60_000 + UInt64(imageCap / 64) }
}

/// One firmware update: the load a configuration names, staged in the inactive slot.
public struct LoadUpdateRequest {
    /// The load's ID (`<loadInformation>`): its file is `<load>.loads`.
    public let load: String
    /// The file server it comes from (an index into the platform's list).
    public let server: Int
    /// What the load and its images are checked against.
    public let settings: LoadUpdateSettings

    /// The update of `load` from file server `server`, under the phone's settings.
    public init(load: String, server: Int, _ settings: LoadUpdateSettings) {
        self.load = load
        self.server = server
        self.settings = settings
    }

    public var fileName: String { load + ".loads" }
}

/// Whether a configuration starts an update (formats.md §6, the "when to update"):
/// only a full configuration, naming a load (`<loadInformation>` not empty) other than the
/// one running, on a phone that has slots to write. Everything else keeps what runs — real
/// clusters name loads nobody serves, and the phone boots exactly as before.
public enum LoadDecision: Equatable, Sendable {
    case keep(KeepReason)
    case update(load: String)

    public enum KeepReason: Equatable, Sendable {
        /// A partial configuration (the phone's own, before CAPF) is no cluster's word on loads.
        case partialConfiguration
        case noLoadNamed
        case alreadyRunning
        /// The phone has no slots to write (`--slots` not given; the host's default).
        case noSlots
    }

    public static func after(_ config: DeviceConfiguration, running: String, hasSlots: Bool) -> LoadDecision {
        guard !config.isPartial else { return .keep(.partialConfiguration) }
        // The configuration parser has trimmed it (Cisco's files pad values with spaces).
        guard let named = config.loadInformation, !named.isEmpty else { return .keep(.noLoadNamed) }
        guard !named.utf8.elementsEqual(running.utf8) else { return .keep(.alreadyRunning) }
        guard hasSlots else { return .keep(.noSlots) }
        return .update(load: named)
    }
}

/// How an update ended. Data only.
public enum LoadUpdateResult: Equatable {
    /// Every image is in `slot`, its record written, the slot marked to try: a reset starts it.
    case staged(load: String, slot: LoadSlot, images: Int)
    /// Nothing staged: the phone keeps the load it runs.
    case notStaged(LoadUpdateFailure)
}

/// Why an update staged nothing. Data only; `PhoneRuntime/Text` words it.
public enum LoadUpdateFailure: Error, Equatable {
    /// The cluster does not serve `<load>.loads`: nothing changed (real clusters name loads
    /// nobody serves; the phone keeps what it runs).
    case notServed(String)
    /// The load file was refused (the anchor, its name, its hardware level, its text).
    case loadRefused(LoadError)
    /// The `.loads` could not be fetched.
    case fetchFailed(FetchFailure)
    /// The configuration names no load a file can be named for (at most 63 bytes of
    /// letters, digits, `.`, `_`, `-`).
    case badLoadName(String)
    /// The load failed its trial on this phone: staged, started, it never reached configured.
    case failedItsTrial(String)
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
        // The ID names the slot's record and the load's file: a file name, as a load's images'.
        guard LoadFile.isLoadID(request.load) else {
            return .notStaged(.badLoadName(request.load))
        }
        if let failed = request.settings.failedLoad, failed.utf8.elementsEqual(request.load.utf8) {
            return .notStaged(.failedItsTrial(request.load))
        }
        let bytes: [UInt8]
        switch platform.fetch(request.fileName, server: request.server) {
        case .file(let fetched): bytes = fetched
        case .notFound: return .notStaged(.notServed(request.fileName))
        case .failed(let failure): return .notStaged(.fetchFailed(failure))
        }
        let load: LoadFile
        do { load = try request.settings.anchor.acceptLoad(bytes, servedAs: request.fileName, phoneLevel: request.settings.hardwareLevel) } catch {
            return .notStaged(.loadRefused(error))
        }
        let slot: LoadSlot
        switch platform.clearInactiveSlot() {
        case .success(let cleared): slot = cleared
        case .failure(let failure): return .notStaged(.slotFailed(failure))
        }
        var images: [WrittenImage] = []
        for index in load.images.indices {
            switch image(load.imageName(index), request, into: slot, on: &platform) {
            case .success(let written): images.append(written)
            case .failure(let failure): return .notStaged(.slotFailed(failure))
            }
        }
        if case .failure(let failure) = platform.stage(slot, load: request.load, images: images) {
            return .notStaged(.slotFailed(failure))
        }
        return .staged(load: request.load, slot: slot, images: images.count)
    }

    /// One image streamed into `slot`, its bytes kept only as the anchor's check lets them
    /// through (`ImageStream`: the name first, the signature over the whole file at the end).
    public func image<P: LoadSlots>(_ name: String, _ request: LoadUpdateRequest, into slot: LoadSlot,
                                    on platform: inout P) -> Result<WrittenImage, LoadSlotFailure> {
        let settings = request.settings
        var stream = ImageStream(settings.anchor, name: name, cap: settings.imageCap)
        var refusal: LoadError?
        var accepted = false
        let written = platform.streamImage(name, server: request.server, into: slot, cap: settings.imageCap,
                                           deadlineMs: settings.imageDeadlineMs, check: { piece in
            do throws(LoadError) { return try stream.feed(piece) } catch {
                refusal = error
                return nil
            }
        }, finish: {
            do throws(LoadError) {
                let rest = try stream.finish().rest
                accepted = true
                return rest
            } catch {
                refusal = error
                return nil
            }
        })
        if case .failure(.checkRefused) = written, let refusal { return .failure(.image(refusal)) }
        // A port that kept an image its check never accepted whole is refused all the same.
        if case .success = written, !accepted { return .failure(.checkRefused) }
        return written
    }
}
