import CPhoneSec
import LinuxPlatform
import PhoneCore
import PhoneTrust
import PhoneWire

/// One console entry of the board as the C API's `phonesec_event`: the same typed data
/// the console line and the JSON log are made from, with no prose. Strings live until
/// the callback returns.
struct EventView {
    var kind: phonesec_event_kind
    var state: String?
    var file: String?
    var subject: String?
    var host: String?
    var port: UInt16 = 0
    var server: Int32 = 0
    var value: Int32 = 0
    var failure = PHONESEC_FAILURE_NONE
    var next = PHONESEC_NEXT_NONE
    var nextFile: String?
    var delayMs: UInt64 = 0

    init(kind: phonesec_event_kind) { self.kind = kind }

    init(_ entry: ConsoleEntry) {
        switch entry {
        case .boot(let event, let transition):
            self.init(event)
            state = transition?.to.rawValue
        case .capf(let event):
            self.init(event)
        case .tvs(let server, let result):
            self.init(kind: PHONESEC_EVENT_TVS_ASKED)
            host = server.host
            port = server.port
            switch result {
            case .answered(.valid): value = 1
            case .answered(.invalid): value = 0
            case .failed: value = -1
            }
        case .fetching(let transport, let name, let server):
            self.init(kind: PHONESEC_EVENT_FETCHING)
            file = name
            host = server.host
            port = server.port
            value = transport == .http ? 0 : 1
        case .fetchingOverHTTPS(let name, let host, let port, _, _):
            self.init(kind: PHONESEC_EVENT_FETCHING)
            file = name
            self.host = host
            self.port = port
            value = 2
        case .storageFailed:
            self.init(kind: PHONESEC_EVENT_STORAGE_FAILED)
        case .reset:
            self.init(kind: PHONESEC_EVENT_RESET)
        case .keyLogOn(let path):
            self.init(kind: PHONESEC_EVENT_KEY_LOG_ON)
            file = path
        }
    }

    init(_ event: BootEvent) {
        switch event {
        case .started(_, let reset, _):
            self.init(kind: PHONESEC_EVENT_STARTED)
            value = Int32(reset)
        case .trustListInstalled(let name, _, let outcome, let signer):
            self.init(kind: PHONESEC_EVENT_TRUST_LIST_INSTALLED)
            file = name
            subject = signer
            switch outcome {
            case .firstUse: value = 0
            case .updated: value = 1
            case .unchanged: value = 2
            case .vouchedByTVS: value = 3
            }
        case .trustListRejected(let name, _, _):
            self.init(kind: PHONESEC_EVENT_TRUST_LIST_REJECTED)
            file = name
        case .askingTVS(let name, _, let signer, _, let servers):
            self.init(kind: PHONESEC_EVENT_ASKING_TVS)
            file = name
            subject = signer
            value = Int32(servers)
        case .trustListNotVouched(let name, _, _, _):
            self.init(kind: PHONESEC_EVENT_TRUST_LIST_NOT_VOUCHED)
            file = name
        case .fileNotFound(let name, let then):
            self.init(kind: PHONESEC_EVENT_FILE_NOT_FOUND)
            file = name
            set(then)
        case .fetchFailed(let name, let server, _, let nextServer):
            self.init(kind: PHONESEC_EVENT_FETCH_FAILED)
            file = name
            self.server = Int32(server + 1)
            value = nextServer.map { Int32($0 + 1) } ?? 0
        case .noTrustList(let then):
            self.init(kind: PHONESEC_EVENT_NO_TRUST_LIST)
            set(then)
        case .configApplied(let name, let signer, let encrypted):
            self.init(kind: PHONESEC_EVENT_CONFIG_APPLIED)
            file = name
            subject = signer
            value = encrypted ? 1 : 0
        case .httpsConfigApplied(let name, let server, let vouched):
            self.init(kind: PHONESEC_EVENT_HTTPS_CONFIG_APPLIED)
            file = name
            subject = server
            value = vouched ? 1 : 0
        case .askingTVSAboutHTTPSServer(let server, let servers):
            self.init(kind: PHONESEC_EVENT_ASKING_TVS_ABOUT_HTTPS_SERVER)
            subject = server
            value = Int32(servers)
        case .httpsServerVouched(let server, _):
            self.init(kind: PHONESEC_EVENT_HTTPS_SERVER_VOUCHED)
            subject = server
        case .httpsConfigFallback(_, let then):
            self.init(kind: PHONESEC_EVENT_HTTPS_CONFIG_FALLBACK)
            set(then)
        case .partialConfig(let check, let then):
            self.init(kind: PHONESEC_EVENT_PARTIAL_CONFIG)
            file = check.name
            subject = check.signer
            value = check.matches ? 1 : 0
            set(then)
        case .directDecryptFailed(let name, let cause, let then):
            self.init(kind: PHONESEC_EVENT_DIRECT_DECRYPT_FAILED)
            file = name
            set(then)
            failure = code(cause)
        case .decryptionFailed(let name, _, let then):
            self.init(kind: PHONESEC_EVENT_DECRYPTION_FAILED)
            file = name
            set(then)
        case .capfStarting(let attempt):
            self.init(kind: PHONESEC_EVENT_CAPF_STARTING)
            host = attempt.server.host
            port = attempt.server.port
        case .capfEnded(let result, let then):
            self.init(kind: PHONESEC_EVENT_CAPF_ENDED)
            if case .installed = result { value = 1 }
            set(then)
        case .authStringRefused:
            self.init(kind: PHONESEC_EVENT_AUTH_STRING_REFUSED)
        case .resumed(let then):
            self.init(kind: PHONESEC_EVENT_RESUMED)
            set(then)
        case .stillWaiting(let until):
            self.init(kind: PHONESEC_EVENT_STILL_WAITING)
            delayMs = until
        case .failed(let cause):
            self.init(kind: PHONESEC_EVENT_FAILED)
            failure = code(cause)
        case .ignored:
            self.init(kind: PHONESEC_EVENT_IGNORED)
        }
    }

    init(_ event: CAPFEvent) {
        switch event {
        case .tlsEstablished(let host, let port):
            self.init(kind: PHONESEC_EVENT_CAPF_TLS_ESTABLISHED)
            self.host = host
            self.port = port
        case .received: self.init(kind: PHONESEC_EVENT_CAPF_RECEIVED)
        case .sent, .answeredAuthRequest: self.init(kind: PHONESEC_EVENT_CAPF_SENT)
        case .installRequested: self.init(kind: PHONESEC_EVENT_CAPF_INSTALL_REQUESTED)
        case .certificateReceived(let subject):
            self.init(kind: PHONESEC_EVENT_CAPF_CERTIFICATE_RECEIVED)
            self.subject = subject
        case .certificateRefused: self.init(kind: PHONESEC_EVENT_CAPF_CERTIFICATE_REFUSED)
        case .lscStored(let stored):
            self.init(kind: PHONESEC_EVENT_CAPF_LSC_STORED)
            value = stored ? 1 : 0
        }
    }

    /// What the phone does next.
    private mutating func set(_ then: BootNext) {
        switch then {
        case .fetching(let name):
            next = PHONESEC_NEXT_FETCH
            nextFile = name
        case .fetchingOverHTTPS(let name, _):
            next = PHONESEC_NEXT_FETCH_OVER_HTTPS
            nextFile = name
        case .enrolling(let attempt):
            next = PHONESEC_NEXT_CAPF
            host = attempt.server.host
            port = attempt.server.port
        case .askingForAuthString: next = PHONESEC_NEXT_ASK_FOR_AUTH_STRING
        case .resetting: next = PHONESEC_NEXT_RESET
        case .retryingCAPF(_, _, let delay):
            next = PHONESEC_NEXT_RETRY_CAPF
            delayMs = delay
        case .retryingCAPFLater(let delay):
            next = PHONESEC_NEXT_RETRY_CAPF_LATER
            delayMs = delay
        case .askingAgain(_, let delay):
            next = PHONESEC_NEXT_ASK_AGAIN
            delayMs = delay
        case .stopping(let cause):
            next = PHONESEC_NEXT_STOP
            failure = code(cause)
        }
    }

    /// Hands the event to the caller's callback.
    func deliver(elapsedMs: UInt64, to callback: phonesec_event_fn, context: UnsafeMutableRawPointer?) {
        // All strings in one buffer, each NUL-terminated, alive for the call.
        var storage: [CChar] = []
        var offsets: [Int?] = []
        for text in [state, file, subject, host, nextFile] {
            guard let text else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            for byte in text.utf8 { storage.append(CChar(bitPattern: byte)) }
            storage.append(0)
        }
        storage.append(0)
        storage.withUnsafeBufferPointer { base in
            func string(_ index: Int) -> UnsafePointer<CChar>? { offsets[index].map { base.baseAddress! + $0 } }
            var event = phonesec_event()
            event.kind = kind
            event.elapsed_ms = elapsedMs
            event.state = string(0)
            event.file = string(1)
            event.subject = string(2)
            event.host = string(3)
            event.port = port
            event.server = server
            event.value = value
            event.failure = failure
            event.next = next
            event.next_file = string(4)
            event.delay_ms = delayMs
            callback(context, &event)
        }
    }
}

/// A boot failure's code in the C API.
func code(_ failure: BootFailure) -> phonesec_failure {
    switch failure {
    case .unreachable: return PHONESEC_FAILURE_UNREACHABLE
    case .configNotFound: return PHONESEC_FAILURE_CONFIG_NOT_FOUND
    case .configRejected: return PHONESEC_FAILURE_CONFIG_REJECTED
    case .configMalformed: return PHONESEC_FAILURE_CONFIG_MALFORMED
    case .partialConfigWithoutTrustList: return PHONESEC_FAILURE_PARTIAL_CONFIG_WITHOUT_TRUST_LIST
    case .partialConfigWithoutEncryption: return PHONESEC_FAILURE_PARTIAL_CONFIG_WITHOUT_ENCRYPTION
    case .noCAPFServer: return PHONESEC_FAILURE_NO_CAPF_SERVER
    case .unsupportedCAPFAuthMode: return PHONESEC_FAILURE_UNSUPPORTED_CAPF_AUTH_MODE
    case .noCertificateForCAPF: return PHONESEC_FAILURE_NO_CERTIFICATE_FOR_CAPF
    case .capfRefused: return PHONESEC_FAILURE_CAPF_REFUSED
    case .encryptedConfigUnavailable: return PHONESEC_FAILURE_ENCRYPTED_CONFIG_UNAVAILABLE
    case .decryptionFailed: return PHONESEC_FAILURE_DECRYPTION_FAILED
    case .tooManyResets: return PHONESEC_FAILURE_TOO_MANY_RESETS
    case .internalFault: return PHONESEC_FAILURE_INTERNAL_FAULT
    }
}
