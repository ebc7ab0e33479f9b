import CPhoneSec
import LinuxPlatform
import PhoneRuntime
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What a `phonesec_phone *` points at: one phone's state directory, its device name,
/// what it trusts and holds (a snapshot of the flash, re-read after a boot and on
/// request), its one trust decider (whose TVS cache lives as long as the handle) and its
/// open channels.
final class PhoneHandle {
    let device: DeviceName
    let storage: PhoneStorage
    let model: String?
    /// Where the private keys are, when not on the flash; a boot opens the token again.
    let keyStore: KeyStoreOptions?
    let rng: RandomGenerator
    let io = LibraryIO()
    var decider = TrustDecider()
    private(set) var mic: Identity?
    private(set) var lsc: Identity?
    private(set) var store = TrustStore()
    private(set) var tvsServers: [DeviceConfiguration.TVSServer] = []
    private(set) var keyStoreProblem: TokenError?
    var channels = ChannelTable<SecureChannel<TCPStream>>()

    init(device: DeviceName, storage: PhoneStorage, model: String?, keyStore: KeyStoreOptions?, rng: RandomGenerator) {
        self.device = device
        self.storage = storage
        self.model = model
        self.keyStore = keyStore
        self.rng = rng
    }

    /// Reads the flash again (corrupt files count as absent, as in a boot); an identity
    /// whose key store fails or is not given is `keyStoreProblem`, never quietly absent
    /// (a channel would go out with the MIC instead of the LSC).
    func refresh() {
        let (mic, micProblem) = storage.loadMIC()
        let (lsc, lscProblem) = storage.loadLSC()
        self.mic = mic
        self.lsc = lsc
        keyStoreProblem = lscProblem?.keyStore ?? micProblem?.keyStore
        store = storage.loadTrustStore().0
        tvsServers = storage.loadTVSServers().0
    }

    /// The key store an identity of this phone needs and cannot use, as the caller's answer.
    func refusedForKeyStore(_ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status? {
        guard let keyStoreProblem else { return nil }
        return answer(PHONESEC_ERR_KEY_STORE, PhoneFailure.keyStore(keyStoreProblem).cMessage, message)
    }

    /// What this phone decides trust with: its lists, its TVS servers, its TVS name.
    var trustContext: TrustContext {
        TrustContext(store: store, tvsServers: tvsServers,
                     deviceName: .ofPhone(device: device, micSubject: mic?.certificate.subject, model: model))
    }

    /// The Linux board for trust questions and channels: no file servers, no console.
    func board() -> LinuxPhonePlatform {
        LinuxPhonePlatform(servers: [], transport: .http, storage: storage) { _, _ in }
    }

    static func from(_ pointer: OpaquePointer?) -> PhoneHandle? {
        guard let pointer else { return nil }
        return Unmanaged<PhoneHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

@_cdecl("phonesec_phone_open")
public func phonesec_phone_open(_ options: UnsafePointer<phonesec_phone_options>?, _ phone: UnsafeMutablePointer<OpaquePointer?>?,
                                _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let phone else { return answer(PHONESEC_ERR_ARGUMENT, "phone (the handle's address) is NULL", message) }
    phone.pointee = nil
    guard let options else { return answer(PHONESEC_ERR_ARGUMENT, "options is NULL", message) }
    guard let directory = text(options.pointee.state_directory), !directory.isEmpty else {
        return answer(PHONESEC_ERR_ARGUMENT, "options.state_directory is NULL or empty", message)
    }
    guard let macText = text(options.pointee.mac), let device = DeviceName(macText) else {
        return answer(PHONESEC_ERR_ARGUMENT, "options.mac must be 12 hex digits (or SEP and 12 hex digits)", message)
    }
    let model = text(options.pointee.model)
    if let model, TVSDeviceName(device: device, model: model) == nil {
        return answer(PHONESEC_ERR_ARGUMENT, "options.model must start with four digits (8841)", message)
    }
    let keyStore: KeyStoreOptions?
    switch (text(options.pointee.pkcs11_module), text(options.pointee.token_label), text(options.pointee.pin_file)) {
    case (nil, nil, nil): keyStore = nil
    case (let module?, let token?, let pinFile?): keyStore = KeyStoreOptions(module: module, token: token, pinFile: pinFile)
    default: return answer(PHONESEC_ERR_ARGUMENT, "options.pkcs11_module, token_label and pin_file go together", message)
    }
    let io = LibraryIO()
    let storage: PhoneStorage
    do throws(PhoneFailure) {
        storage = try StateFiles.open(directory, keys: keyStore, io: io)
        storage.removeTemporaryFiles()
        _ = try StateFiles.mic(text(options.pointee.mic_pem_path), storage: storage, io: io)
    } catch {
        if case .keyStore = error { return answer(PHONESEC_ERR_KEY_STORE, error.cMessage, message) }
        return answer(PHONESEC_ERR_STORAGE, error.cMessage, message)
    }
    let rng: RandomGenerator
    do {
        rng = try RandomGenerator(personalization: Array("phonesec".utf8)) { LinuxProcess.entropy($0) }
    } catch {
        return answer(PHONESEC_ERR_INTERNAL, error.reason, message)
    }
    let handle = PhoneHandle(device: device, storage: storage, model: model, keyStore: keyStore, rng: rng)
    handle.refresh()
    if let refused = handle.refusedForKeyStore(message) { return refused }
    phone.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    return answer(PHONESEC_OK, "", message)
}

@_cdecl("phonesec_phone_close")
public func phonesec_phone_close(_ phone: OpaquePointer?) {
    guard let phone, let handle = PhoneHandle.from(phone) else { return }
    handle.channels.closeAll()
    Unmanaged<PhoneHandle>.fromOpaque(UnsafeRawPointer(phone)).release()
}
