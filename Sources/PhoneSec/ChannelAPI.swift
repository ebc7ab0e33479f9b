import CPhoneSec
import LinuxPlatform
import PhoneRuntime
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// A caller's timeout in milliseconds, at most ten minutes; 0 means `fallback` (a
/// `TLSTimeouts.channel` bound).
private func milliseconds(_ timeout: UInt32, else fallback: Int32) -> Int32 {
    timeout == 0 ? fallback : Int32(min(timeout, 600_000))
}

/// A channel problem as a status and a sentence.
private func describe(_ problem: TLSChannelProblem) -> (phonesec_status, String) {
    if let code = problem.keyStoreCode { return (PHONESEC_ERR_KEY_STORE, PhoneFailure.keyStoreFailed(code: code).cMessage) }
    switch problem {
    case .connect(.timedOut), .stoppedAnswering: return (PHONESEC_ERR_TIMEOUT, FailureText.channel(problem, pinnedTo: ""))
    case .connect: return (PHONESEC_ERR_UNREACHABLE, FailureText.channel(problem, pinnedTo: ""))
    case .stream(.closed), .tls(.closed): return (PHONESEC_ERR_CLOSED, FailureText.channel(problem, pinnedTo: ""))
    case .stream, .tls: return (PHONESEC_ERR_TLS, FailureText.channel(problem, pinnedTo: ""))
    }
}

@_cdecl("phonesec_channel_open")
public func phonesec_channel_open(_ phone: OpaquePointer?, _ host: UnsafePointer<CChar>?, _ port: UInt16, _ purposeCode: phonesec_purpose,
                                  _ timeout: UInt32, _ channel: UnsafeMutablePointer<UInt32>?,
                                  _ server: UnsafeMutablePointer<phonesec_trust_result>?,
                                  _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let channel else { return answer(PHONESEC_ERR_ARGUMENT, "channel (the number's address) is NULL", message) }
    channel.pointee = 0
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    guard let hostText = text(host), !hostText.isEmpty else { return answer(PHONESEC_ERR_ARGUMENT, "host is NULL or empty", message) }
    guard port > 0 else { return answer(PHONESEC_ERR_ARGUMENT, "port is 0", message) }
    guard let purpose = TrustPurpose(purposeCode) else { return answer(PHONESEC_ERR_ARGUMENT, "purpose is not a phonesec_purpose", message) }
    if let refused = handle.refusedForKeyStore(message) { return refused }
    guard !handle.channels.isFull else {
        return answer(PHONESEC_ERR_TOO_MANY_CHANNELS, String(PHONESEC_MAX_CHANNELS) + " channels are open on this phone", message)
    }
    let request = SecureChannelRequest(host: hostText, port: port, acceptance: .channel(purpose), trust: handle.trustContext,
                                       identity: handle.lsc ?? handle.mic)
    var timeouts = TLSTimeouts.channel
    timeouts.connectMs = milliseconds(timeout, else: timeouts.connectMs)
    timeouts.handshakeMs = milliseconds(timeout, else: timeouts.handshakeMs)
    var board = handle.board()
    let opened: SecureChannel<TCPStream>
    do {
        opened = try SecureChannel<TCPStream>.open(request, decider: &handle.decider, rng: handle.rng, timeouts: timeouts, on: &board)
    } catch {
        switch error {
        case .noIdentity:
            return answer(PHONESEC_ERR_NO_IDENTITY, "the phone holds neither an LSC nor a MIC to present", message)
        case .refused(let certificate, let refusal):
            if let server { fill(&server.pointee, refusal, certificate: certificate, purpose: purpose) }
            return answer(PHONESEC_ERR_NOT_TRUSTED, "server " + hostText + ":" + String(port) + " refused before any byte was sent: "
                          + TrustText.refusal(refusal, .channel(purpose)), message)
        case .channel(let problem):
            let (code, words) = describe(problem)
            return answer(code, hostText + ":" + String(port) + ": " + words, message)
        }
    }
    guard let number = handle.channels.add(opened) else {
        var unkept = opened
        unkept.close()
        return answer(PHONESEC_ERR_INTERNAL, "no free channel slot after the check", message)
    }
    if let server { fill(&server.pointee, opened.verdict, subject: opened.serverCertificate.subject, purpose: purpose) }
    channel.pointee = number
    return answer(PHONESEC_OK, "", message)
}

@_cdecl("phonesec_channel_write")
public func phonesec_channel_write(_ phone: OpaquePointer?, _ channel: UInt32, _ data: UnsafePointer<UInt8>?, _ length: Int,
                                   _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    guard let data, length > 0 else { return answer(PHONESEC_ERR_ARGUMENT, "data is NULL or length is 0", message) }
    guard length <= PhoneSecLimits.writeBytes else {
        return answer(PHONESEC_ERR_ARGUMENT, "length is over " + String(PhoneSecLimits.writeBytes) + " bytes", message)
    }
    let bytes = Array(UnsafeBufferPointer(start: data, count: length))
    let outcome: (phonesec_status, String)? = handle.channels.with(channel) { slot in
        if slot.serverClosed { return (PHONESEC_ERR_CLOSED, "the server closed the channel") }
        do throws(SecureChannelProblem) { try slot.channel.send(bytes, timeoutMs: TLSTimeouts.channel.readMs) } catch {
            guard case .channel(let problem) = error else { return (PHONESEC_ERR_TLS, "write failed") }
            return describe(problem)
        }
        return (PHONESEC_OK, "")
    }
    guard let (code, words) = outcome else { return answer(PHONESEC_ERR_CLOSED, "channel " + String(channel) + " is not open", message) }
    return answer(code, words, message)
}

@_cdecl("phonesec_channel_read")
public func phonesec_channel_read(_ phone: OpaquePointer?, _ channel: UInt32, _ buffer: UnsafeMutablePointer<UInt8>?, _ capacity: Int,
                                  _ received: UnsafeMutablePointer<Int>?, _ timeout: UInt32,
                                  _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let received else { return answer(PHONESEC_ERR_ARGUMENT, "received is NULL", message) }
    received.pointee = 0
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    guard let buffer else { return answer(PHONESEC_ERR_ARGUMENT, "buffer is NULL", message) }
    guard capacity > 0 else { return answer(PHONESEC_ERR_BUFFER_TOO_SMALL, "capacity is 0", message) }
    let outcome: (phonesec_status, String)? = handle.channels.with(channel) { slot in
        if slot.pendingStart == slot.pending.count {
            if slot.serverClosed { return (PHONESEC_ERR_CLOSED, "the server closed the channel") }
            do throws(SecureChannelProblem) {
                guard let plaintext = try slot.channel.read(timeoutMs: milliseconds(timeout, else: TLSTimeouts.channel.readMs)) else {
                    slot.serverClosed = true
                    return (PHONESEC_ERR_CLOSED, "the server closed the channel")
                }
                slot.pending = plaintext
                slot.pendingStart = 0
            } catch {
                guard case .channel(let problem) = error else { return (PHONESEC_ERR_TLS, "read failed") }
                let (code, words) = describe(problem)
                if code == PHONESEC_ERR_CLOSED { slot.serverClosed = true }
                return (code, words)
            }
        }
        let count = min(capacity, slot.pending.count - slot.pendingStart)
        for index in 0..<count { buffer[index] = slot.pending[slot.pendingStart + index] }
        slot.pendingStart += count
        received.pointee = count
        return (PHONESEC_OK, "")
    }
    guard let (code, words) = outcome else { return answer(PHONESEC_ERR_CLOSED, "channel " + String(channel) + " is not open", message) }
    return answer(code, words, message)
}

@_cdecl("phonesec_channel_close")
public func phonesec_channel_close(_ phone: OpaquePointer?, _ channel: UInt32,
                                   _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    guard handle.channels.close(channel) else { return answer(PHONESEC_ERR_CLOSED, "channel " + String(channel) + " is not open", message) }
    return answer(PHONESEC_OK, "", message)
}
