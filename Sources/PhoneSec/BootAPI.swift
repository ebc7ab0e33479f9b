import CPhoneSec
import LinuxPlatform
import PhoneRuntime
import PhoneCore
import PhoneCrypto
import PhoneWire

/// The longest authentication string CAPF takes, and the callback's buffer.
private let authStringCapacity = 16

@_cdecl("phonesec_boot")
public func phonesec_boot(_ phone: OpaquePointer?, _ options: UnsafePointer<phonesec_boot_options>?,
                          _ result: UnsafeMutablePointer<phonesec_boot_result>?,
                          _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let result else { return answer(PHONESEC_ERR_ARGUMENT, "result is NULL", message) }
    result.pointee = phonesec_boot_result()
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    fill(&result.pointee.device, handle.device.text)
    guard let options = options?.pointee else { return answer(PHONESEC_ERR_ARGUMENT, "options is NULL", message) }
    guard let list = options.servers, options.server_count > 0 else {
        return answer(PHONESEC_ERR_ARGUMENT, "options.servers is NULL or options.server_count is 0", message)
    }
    guard options.server_count <= PHONESEC_MAX_SERVERS else {
        return answer(PHONESEC_ERR_ARGUMENT, "options.server_count is over " + String(PHONESEC_MAX_SERVERS), message)
    }
    let transport: LinuxPhonePlatform.Transport
    switch options.transport {
    case PHONESEC_TRANSPORT_HTTP: transport = .http
    case PHONESEC_TRANSPORT_TFTP: transport = .tftp
    default: return answer(PHONESEC_ERR_ARGUMENT, "options.transport is not a phonesec_transport", message)
    }
    var request = BootRequest(device: handle.device, stateDirectory: handle.storage.directory, servers: [], transport: transport)
    for index in 0..<options.server_count {
        guard let text = text(list[index]), let (host, port) = HostPort.parse(text, defaultPort: transport.defaultPort) else {
            return answer(PHONESEC_ERR_ARGUMENT, "options.servers[" + String(index) + "] must be HOST or HOST:PORT", message)
        }
        request.servers.append(.init(host: host, port: port))
    }
    request.authString = text(options.auth_string).map { Array($0.utf8) }
    request.model = handle.model
    request.keyStore = handle.keyStore
    request.keyLogPath = text(options.key_log_path)
    if options.https_port != 0 { request.httpsPort = options.https_port }
    if options.backoff_ms != 0 { request.backoffMs = UInt64(options.backoff_ms) }
    request.slotsDirectory = text(options.slots_directory)

    var prompt: ((Bool) -> [UInt8]?)?
    if let ask = options.ask_auth_string {
        let context = options.ask_context
        prompt = { retry in
            var digits = [CChar](repeating: 0, count: authStringCapacity)
            defer { for index in digits.indices { digits[index] = 0 } }
            let count = digits.withUnsafeMutableBufferPointer { ask(context, retry ? 1 : 0, $0.baseAddress, $0.count) }
            guard count >= 0, Int(count) <= authStringCapacity else { return nil }
            return digits.prefix(Int(count)).map { UInt8(bitPattern: $0) }
        }
    }
    let onEvent = options.on_event
    let eventContext = options.event_context
    let outcome: BootResult
    do throws(PhoneFailure) {
        outcome = try PhoneBoot.run(request, io: handle.io, authStringPrompt: prompt) { elapsed, entry in
            guard let onEvent else { return }
            EventView.deliver(entry, elapsedMs: elapsed, to: onEvent, context: eventContext)
        }
    } catch {
        fill(&result.pointee.reason, error.cMessage)
        return answer(status(of: error), error.cMessage, message)
    }
    handle.refresh()
    switch outcome {
    case .configured(let configuration):
        fill(&result.pointee, configuration)
        return answer(PHONESEC_OK, "", message)
    case .needsAuthString:
        let failure = PhoneFailure.needsAuthString
        result.pointee.failure = PHONESEC_FAILURE_NEEDS_AUTH_STRING
        fill(&result.pointee.reason, failure.cMessage)
        return answer(PHONESEC_ERR_NEEDS_AUTH_STRING, failure.cMessage, message)
    case .loadStaged(let configuration, let load, let slot):
        fill(&result.pointee, configuration)
        result.pointee.load_staged = 1
        fill(&result.pointee.staged_load, load)
        fill(&result.pointee.staged_slot, slot.name)
        return answer(PHONESEC_OK, "", message)
    case .resetByBoard:
        // The C API resets in process (its requests never hand the reset to the board).
        return answer(status(of: .resetByBoard), PhoneFailure.resetByBoard.cMessage, message)
    case .failed(let cause):
        let failure = PhoneBoot.failure(cause)
        result.pointee.failure = failureCode(cause)
        fill(&result.pointee.reason, failure.cMessage)
        return answer(status(of: failure), failure.cMessage, message)
    }
}

/// The library's status for a failure of the boot (the command line maps the same
/// failures to its exit codes).
private func status(of failure: PhoneFailure) -> phonesec_status {
    switch failure {
    case .rejected: return PHONESEC_ERR_REJECTED
    case .unreachable: return PHONESEC_ERR_UNREACHABLE
    case .enrollmentFailed: return PHONESEC_ERR_ENROLLMENT
    case .needsAuthString: return PHONESEC_ERR_NEEDS_AUTH_STRING
    case .internalFault, .resetByBoard: return PHONESEC_ERR_INTERNAL
    case .usage, .option, .optionsTogether, .input: return PHONESEC_ERR_ARGUMENT
    case .file: return PHONESEC_ERR_STORAGE
    case .keyStore: return PHONESEC_ERR_KEY_STORE
    }
}

/// What `phone boot` prints of a configuration (`Summary`), as fields.
private func fill(_ result: inout phonesec_boot_result, _ configuration: DeviceConfiguration) {
    result.configured = 1
    fill(&result.load_information, configuration.loadInformation ?? "")
    result.security_mode = Int32(configuration.deviceSecurityMode ?? 0)
    result.transport_layer_protocol = Int32(configuration.transportLayerProtocol ?? 0)
    fill(&result.version_stamp, configuration.versionStamp ?? "")
    let managers = configuration.callManagers.prefix(Int(PHONESEC_MAX_SERVERS))
    result.call_manager_count = managers.count
    for (index, manager) in managers.enumerated() {
        withElement(&result.call_managers, index, as: phonesec_call_manager.self) { entry in
            entry.priority = Int32(manager.priority)
            fill(&entry.host, manager.host)
            entry.sip_port = manager.port("sipPort") ?? 0
            entry.secured_sip_port = manager.port("securedSipPort") ?? 0
        }
    }
    fill(&result.tvs, count: &result.tvs_count, configuration.tvsServers.map { ($0.host, $0.port) })
    fill(&result.capf, count: &result.capf_count, configuration.capfServers.map { ($0.host, $0.port) })
}

extension BootOption {
    /// The option as a C caller sets it.
    var field: String {
        switch self {
        case .server: return "options.servers"
        case .mic: return "phonesec_phone_options.mic_pem_path"
        case .factoryMIC: return "a factory MIC"
        case .authString: return "options.auth_string"
        case .model: return "phonesec_phone_options.model"
        case .httpsPort: return "options.https_port"
        case .backoffMs: return "options.backoff_ms"
        case .fetchDeadlineMs: return "the fetch deadline"
        case .keyLog: return "options.key_log_path"
        }
    }
}

extension PhoneFailure {
    /// The words of the C API's message: options named by their fields.
    var cMessage: String { message(naming: { $0.field }) }
}
