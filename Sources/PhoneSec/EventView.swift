import CPhoneSec
import LinuxPlatform
import PhoneCore
import PhoneTrust
import PhoneWire

/// One console entry of the board as the C API's `phonesec_event`, made from its
/// `EventRecord` field by field: the same fields the JSON log is made from, with no prose.
enum EventView {
    /// Hands the entry to the caller's callback. Strings live until the callback returns.
    static func deliver(_ entry: ConsoleEntry, elapsedMs: UInt64, to callback: phonesec_event_fn,
                        context: UnsafeMutableRawPointer?) {
        let record = entry.record
        var event = phonesec_event()
        event.kind = phonesec_event_kind(UInt32(record.kind.rawValue))
        event.elapsed_ms = elapsedMs
        event.trust_list = record.trustList.map(code) ?? PHONESEC_TRUST_LIST_NONE
        event.trust_list_outcome = record.trustListOutcome.map(code) ?? PHONESEC_TRUST_LIST_OUTCOME_NONE
        event.encrypted = flag(record.encrypted)
        event.hash_matches = flag(record.partialConfig?.matches)
        event.transport = record.transport.map(code) ?? PHONESEC_FILE_TRANSPORT_NONE
        event.port = record.port ?? 0
        event.file_server = Int32(record.fileServer ?? 0)
        event.next_file_server = Int32(record.nextFileServer ?? 0)
        event.pinned = Int32(record.pinned ?? 0)
        event.vouched_by_tvs = flag(record.vouchedByTVS)
        event.tvs_servers = Int32(record.tvsServers ?? 0)
        event.tvs_answer = record.tvsAnswer.map(code) ?? PHONESEC_TVS_ANSWER_NONE
        if let verdict = record.verdict { (event.verdict_source, event.verdict_refusal) = codes(of: verdict) }
        event.capf_result = record.capfResult.map(code) ?? PHONESEC_CAPF_RESULT_NONE
        event.lsc_stored = flag(record.lscStored)
        event.resets = Int32(record.resets ?? 0)
        event.failure = record.failure.map(failureCode) ?? PHONESEC_FAILURE_NONE
        event.until_ms = record.untilMs ?? 0
        let (nextFile, nextHost) = record.next.map { set(&event, $0) } ?? (nil, nil)

        // The strings, each NUL-terminated, in one buffer alive for the call.
        let texts: [String?] = [entry.enteredState?.rawValue, record.file, record.signer, record.host, record.serverCertificate,
                                record.clientCertificate, record.issuedCertificate, nextFile, nextHost]
        var storage: [CChar] = []
        var offsets: [Int?] = []
        for text in texts {
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
            event.state = string(0)
            event.file = string(1)
            event.signer = string(2)
            event.host = string(3)
            event.server_certificate = string(4)
            event.client_certificate = string(5)
            event.issued_certificate = string(6)
            event.next_file = string(7)
            event.next_host = string(8)
            callback(context, &event)
        }
    }

    private static func flag(_ value: Bool?) -> Int32 { value == true ? 1 : 0 }

    /// What the phone does next; returns its file and host, which the caller stores with
    /// the event's other strings.
    private static func set(_ event: inout phonesec_event, _ next: BootNext) -> (file: String?, host: String?) {
        switch next {
        case .fetching(let name):
            event.next = PHONESEC_NEXT_FETCH
            return (name, nil)
        case .fetchingOverHTTPS(let name, let port):
            event.next = PHONESEC_NEXT_FETCH_OVER_HTTPS
            event.next_port = port
            return (name, nil)
        case .enrolling(let attempt):
            event.next = PHONESEC_NEXT_CAPF
            event.next_port = attempt.server.port
            return (nil, attempt.server.host)
        case .askingForAuthString: event.next = PHONESEC_NEXT_ASK_FOR_AUTH_STRING
        case .resetting: event.next = PHONESEC_NEXT_RESET
        case .retryingCAPF(_, _, let delay):
            event.next = PHONESEC_NEXT_RETRY_CAPF
            event.next_delay_ms = delay
        case .retryingCAPFLater(let delay):
            event.next = PHONESEC_NEXT_RETRY_CAPF_LATER
            event.next_delay_ms = delay
        case .askingAgain(_, let delay):
            event.next = PHONESEC_NEXT_ASK_AGAIN
            event.next_delay_ms = delay
        case .stopping(let failure):
            event.next = PHONESEC_NEXT_STOP
            event.next_failure = failureCode(failure)
        }
        return (nil, nil)
    }

    private static func code(_ kind: TrustListKind) -> phonesec_trust_list {
        kind == .ctl ? PHONESEC_TRUST_LIST_CTL : PHONESEC_TRUST_LIST_ITL
    }

    private static func code(_ outcome: TrustListUpdate.Outcome) -> phonesec_trust_list_outcome {
        switch outcome {
        case .firstUse: return PHONESEC_TRUST_LIST_FIRST_USE
        case .updated: return PHONESEC_TRUST_LIST_UPDATED
        case .unchanged: return PHONESEC_TRUST_LIST_UNCHANGED
        case .vouchedByTVS: return PHONESEC_TRUST_LIST_VOUCHED_BY_TVS
        }
    }

    private static func code(_ transport: FileProtocol) -> phonesec_file_transport {
        switch transport {
        case .http: return PHONESEC_FILE_TRANSPORT_HTTP
        case .tftp: return PHONESEC_FILE_TRANSPORT_TFTP
        case .https: return PHONESEC_FILE_TRANSPORT_HTTPS
        }
    }

    private static func code(_ answer: TVSQueryResult) -> phonesec_tvs_answer {
        switch answer {
        case .answered(.valid): return PHONESEC_TVS_ANSWER_VALID
        case .answered(.invalid): return PHONESEC_TVS_ANSWER_INVALID
        case .failed: return PHONESEC_TVS_ANSWER_FAILED
        }
    }

    private static func code(_ result: CAPFOutcome<String>) -> phonesec_capf_result {
        switch result {
        case .installed: return PHONESEC_CAPF_RESULT_INSTALLED
        case .deleted: return PHONESEC_CAPF_RESULT_DELETED
        case .fetched: return PHONESEC_CAPF_RESULT_FETCHED
        case .nothingScheduled: return PHONESEC_CAPF_RESULT_NOTHING_SCHEDULED
        case .retryLater: return PHONESEC_CAPF_RESULT_RETRY_LATER
        case .invalidAuthentication: return PHONESEC_CAPF_RESULT_INVALID_AUTHENTICATION
        case .unknownDevice: return PHONESEC_CAPF_RESULT_UNKNOWN_DEVICE
        case .failed: return PHONESEC_CAPF_RESULT_FAILED
        }
    }
}

/// A boot failure's code in the C API.
func failureCode(_ failure: BootFailure) -> phonesec_failure {
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
    case .keyStoreFailed: return PHONESEC_FAILURE_KEY_STORE
    case .internalFault: return PHONESEC_FAILURE_INTERNAL_FAULT
    }
}
