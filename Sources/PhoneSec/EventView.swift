import CPhoneSec
import LinuxPlatform
import PhoneRuntime
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// One console entry of the board as the C API's `phonesec_event`, made from its
/// `EventRecord` field by field: the same fields the JSON log is made from (its words made
/// by the same functions, `EventJSON`'s), each into one named field.
enum EventView {
    /// The event's strings, in the order they are stored.
    private enum Text: Int, CaseIterable {
        case state, device, file, signer, certHash, ownHash, ownCertificate, host, server, client, tvsAnswer, capfMode, capfReason
        case capfDetail, key, issued, load, slot, cause, reason, storedItem, ignoredInput, ignoredState
        case nextFile, nextHost, nextCAPFMode, nextCAPFReason, nextCause, nextReason
    }

    /// Hands the entry to the caller's callback. Strings live until the callback returns.
    static func deliver(_ entry: ConsoleEntry, elapsedMs: UInt64, to callback: phonesec_event_fn,
                        context: UnsafeMutableRawPointer?) {
        let record = entry.record
        var event = phonesec_event()
        var texts = [String?](repeating: nil, count: Text.allCases.count)
        event.kind = phonesec_event_kind(UInt32(record.kind.rawValue))
        event.elapsed_ms = elapsedMs
        texts[Text.state.rawValue] = entry.enteredState?.rawValue
        texts[Text.device.rawValue] = record.device
        event.resets = Int32(record.resets ?? 0)
        for list in record.installed ?? [] { event.installed |= 1 << code(list).rawValue }
        texts[Text.file.rawValue] = record.file
        event.trust_list = record.trustList.map(code) ?? PHONESEC_TRUST_LIST_NONE
        event.trust_list_outcome = record.trustListOutcome.map(code) ?? PHONESEC_TRUST_LIST_OUTCOME_NONE
        texts[Text.signer.rawValue] = record.signer
        event.encrypted = flag(record.encrypted)
        if let check = record.partialConfig {
            texts[Text.certHash.rawValue] = check.certHash
            texts[Text.ownHash.rawValue] = check.ownHash
            texts[Text.ownCertificate.rawValue] = FailureText.certificate(check.ownCertificate)
            event.hash_matches = flag(check.matches)
        }
        event.transport = record.transport.map(code) ?? PHONESEC_FILE_TRANSPORT_NONE
        texts[Text.host.rawValue] = record.host
        event.port = record.port ?? 0
        event.file_server = Int32(record.fileServer ?? 0)
        event.next_file_server = Int32(record.nextFileServer ?? 0)
        texts[Text.server.rawValue] = record.serverCertificate
        event.pinned = Int32(record.pinned ?? 0)
        texts[Text.client.rawValue] = record.clientCertificate
        event.vouched_by_tvs = flag(record.vouchedByTVS)
        event.tvs_servers = Int32(record.tvsServers ?? 0)
        event.tvs_answer = record.tvsAnswer.map(code) ?? PHONESEC_TVS_ANSWER_NONE
        texts[Text.tvsAnswer.rawValue] = record.tvsAnswer.map(TrustText.result)
        var verdict = phonesec_trust_result()
        if let decided = record.verdict {
            // What the decision was for: a trust list's new signer, or the HTTPS server. Its
            // subject when the event names the certificate (a list's refused signer is named
            // by the askingTVS event before it).
            let purpose: TrustPurpose = record.kind == .httpsServerVouched ? .configuration : .trustListSigner
            fill(&verdict, decided, subject: record.serverCertificate ?? record.signer ?? "", purpose: purpose)
        }
        texts[Text.capfMode.rawValue] = record.capfMode.map(FailureText.method)
        texts[Text.capfReason.rawValue] = record.capfReason.map(FailureText.reason)
        event.capf_result = record.capfResult.map(code) ?? PHONESEC_CAPF_RESULT_NONE
        texts[Text.capfDetail.rawValue] = record.capfResult.map(FailureText.capf)
        event.capf_command = Int32(record.capfCommand?.rawValue ?? 0)
        let skippedTags = record.skippedTags ?? []
        event.skipped_tag_count = skippedTags.count
        texts[Text.key.rawValue] = record.keyKind?.name
        texts[Text.issued.rawValue] = record.issuedCertificate
        event.lsc_stored = flag(record.lscStored)
        texts[Text.load.rawValue] = record.load
        texts[Text.slot.rawValue] = record.slot?.name
        event.images = Int32(record.images ?? 0)
        texts[Text.cause.rawValue] = record.cause.map(FailureText.cause)
        if let failure = record.failure {
            event.failure = failureCode(failure)
            texts[Text.reason.rawValue] = FailureText.boot(failure)
        }
        texts[Text.storedItem.rawValue] = record.storedItem.map(ConsoleText.stored)
        event.until_ms = record.untilMs ?? 0
        texts[Text.ignoredInput.rawValue] = record.ignoredInput?.rawValue
        texts[Text.ignoredState.rawValue] = record.ignoredIn?.rawValue
        if let next = record.next { set(&event, &texts, next) }

        // The strings, each NUL-terminated, in one buffer alive for the call.
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
            func string(_ text: Text) -> UnsafePointer<CChar>? { offsets[text.rawValue].map { base.baseAddress! + $0 } }
            event.state = string(.state)
            event.device = string(.device)
            event.file = string(.file)
            event.signer = string(.signer)
            event.cert_hash = string(.certHash)
            event.own_hash = string(.ownHash)
            event.own_certificate = string(.ownCertificate)
            event.host = string(.host)
            event.server_certificate = string(.server)
            event.client_certificate = string(.client)
            event.tvs_answer_detail = string(.tvsAnswer)
            event.capf_mode = string(.capfMode)
            event.capf_reason = string(.capfReason)
            event.capf_detail = string(.capfDetail)
            event.key = string(.key)
            event.issued_certificate = string(.issued)
            event.load = string(.load)
            event.slot = string(.slot)
            event.cause = string(.cause)
            event.reason = string(.reason)
            event.stored_item = string(.storedItem)
            event.ignored_input = string(.ignoredInput)
            event.ignored_state = string(.ignoredState)
            event.next_file = string(.nextFile)
            event.next_host = string(.nextHost)
            event.next_capf_mode = string(.nextCAPFMode)
            event.next_capf_reason = string(.nextCAPFReason)
            event.next_cause = string(.nextCause)
            event.next_reason = string(.nextReason)
            skippedTags.withUnsafeBufferPointer { tags in
                event.skipped_tags = tags.isEmpty ? nil : tags.baseAddress
                withUnsafePointer(to: &verdict) { decided in
                    event.verdict = record.verdict == nil ? nil : decided
                    callback(context, &event)
                }
            }
        }
    }

    private static func flag(_ value: Bool?) -> Int32 { value == true ? 1 : 0 }

    /// What the phone does next: its fields, and its strings among the event's.
    private static func set(_ event: inout phonesec_event, _ texts: inout [String?], _ next: BootNext) {
        switch next {
        case .fetching(let name):
            event.next = PHONESEC_NEXT_FETCH
            texts[Text.nextFile.rawValue] = name
        case .fetchingOverHTTPS(let name, let port):
            event.next = PHONESEC_NEXT_FETCH_OVER_HTTPS
            event.next_port = port
            texts[Text.nextFile.rawValue] = name
        case .enrolling(let attempt):
            event.next = PHONESEC_NEXT_CAPF
            event.next_port = attempt.server.port
            texts[Text.nextHost.rawValue] = attempt.server.host
            texts[Text.nextCAPFMode.rawValue] = FailureText.method(attempt.mode)
            texts[Text.nextCAPFReason.rawValue] = FailureText.reason(attempt.reason)
        case .askingForAuthString(let retry):
            event.next = PHONESEC_NEXT_ASK_FOR_AUTH_STRING
            event.next_retry = flag(retry)
        case .resetting: event.next = PHONESEC_NEXT_RESET
        case .retryingCAPF(let round, let of, let delay):
            event.next = PHONESEC_NEXT_RETRY_CAPF
            event.next_round = Int32(round)
            event.next_rounds = Int32(of)
            event.next_delay_ms = delay
        case .retryingCAPFLater(let delay):
            event.next = PHONESEC_NEXT_RETRY_CAPF_LATER
            event.next_delay_ms = delay
        case .askingAgain(let cause, let delay):
            event.next = PHONESEC_NEXT_ASK_AGAIN
            event.next_delay_ms = delay
            texts[Text.nextCause.rawValue] = FailureText.unavailable(cause)
        case .stopping(let failure):
            event.next = PHONESEC_NEXT_STOP
            event.next_failure = failureCode(failure)
            texts[Text.nextReason.rawValue] = FailureText.boot(failure)
        }
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
