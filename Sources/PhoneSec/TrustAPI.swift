import CPhoneSec
import LinuxPlatform
import PhoneRuntime
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

extension TrustPurpose {
    init?(_ purpose: phonesec_purpose) {
        switch purpose {
        case PHONESEC_PURPOSE_CALL_CONTROL: self = .callControl
        case PHONESEC_PURPOSE_CONFIGURATION: self = .configuration
        case PHONESEC_PURPOSE_HTTPS_SERVICE: self = .httpsService
        case PHONESEC_PURPOSE_TRUST_LIST_SIGNER: self = .trustListSigner
        default: return nil
        }
    }
}

/// What decided a verdict, or why nothing did, as the C API's codes.
func codes(of verdict: TrustVerdict) -> (source: phonesec_trust_source, refusal: phonesec_refusal) {
    switch verdict.answer {
    case .listed(let kind, _, _, _): return (kind == .ctl ? PHONESEC_SOURCE_CTL : PHONESEC_SOURCE_ITL, PHONESEC_REFUSAL_NONE)
    case .vouched(_, _, _, let fromCache): return (fromCache ? PHONESEC_SOURCE_TVS_CACHE : PHONESEC_SOURCE_TVS, PHONESEC_REFUSAL_NONE)
    case .notTrusted(.noTVSServer): return (PHONESEC_SOURCE_NONE, PHONESEC_REFUSAL_NO_TVS_SERVER)
    case .notTrusted(.noTVSCertificate): return (PHONESEC_SOURCE_NONE, PHONESEC_REFUSAL_NO_TVS_CERTIFICATE)
    case .notTrusted(.noDeviceName): return (PHONESEC_SOURCE_NONE, PHONESEC_REFUSAL_NO_DEVICE_NAME)
    case .notTrusted(.tvsSaysInvalid): return (PHONESEC_SOURCE_NONE, PHONESEC_REFUSAL_TVS_SAYS_INVALID)
    case .notTrusted(.rolesDoNotFit): return (PHONESEC_SOURCE_NONE, PHONESEC_REFUSAL_ROLES_DO_NOT_FIT)
    case .unanswered: return (PHONESEC_SOURCE_NONE, PHONESEC_REFUSAL_UNANSWERED)
    }
}

/// A verdict of the trust decision as the C API's `phonesec_trust_result`, about the
/// certificate of `subject`; `purpose` picks the fitting role of a TVS answer.
func fill(_ result: inout phonesec_trust_result, _ verdict: TrustVerdict, subject: String, purpose: TrustPurpose) {
    result = phonesec_trust_result()
    fill(&result.subject, subject)
    fill(&result.verdict, TrustText.verdict(verdict))
    result.tvs_servers_asked = Int32(verdict.attempts.count)
    result.trusted = verdict.isTrusted ? 1 : 0
    (result.source, result.refusal) = codes(of: verdict)
    switch verdict.answer {
    case .listed(_, _, _, let role):
        fill(&result.role, role.name)
    case .vouched(let server, let roles, let ttl, _):
        if let role = roles.first(where: { purpose.fits($0) }) { fill(&result.role, role.name) }
        fill(&result.tvs.host, server.host)
        result.tvs.port = server.port
        result.ttl_seconds = ttl
    case .notTrusted(.tvsSaysInvalid(let server)), .notTrusted(.rolesDoNotFit(let server, _)):
        fill(&result.tvs.host, server.host)
        result.tvs.port = server.port
    case .notTrusted, .unanswered:
        break
    }
}

/// A channel's refused server: the verdict when TVS was asked, else why the policy refused it.
func fill(_ result: inout phonesec_trust_result, _ refusal: ServerAcceptance.Refusal, certificate: [UInt8], purpose: TrustPurpose) {
    switch refusal {
    case .notVouched(_, let verdict):
        fill(&result, verdict, subject: Certificate.subject(of: certificate), purpose: purpose)
    case .keyNotAllowed:
        fillRefused(&result, refusal, PHONESEC_REFUSAL_KEY_NOT_ALLOWED, certificate: certificate, purpose: purpose)
    case .certificateChanged:
        fillRefused(&result, refusal, PHONESEC_REFUSAL_CERTIFICATE_CHANGED, certificate: certificate, purpose: purpose)
    }
}

/// A server the policy refused before any trust question: not trusted, and why.
private func fillRefused(_ result: inout phonesec_trust_result, _ refusal: ServerAcceptance.Refusal, _ code: phonesec_refusal,
                         certificate: [UInt8], purpose: TrustPurpose) {
    result = phonesec_trust_result()
    fill(&result.subject, Certificate.subject(of: certificate))
    fill(&result.verdict, TrustText.refusal(refusal, .channel(purpose)))
    result.refusal = code
}

/// The status a verdict gives a trust check: trusted, not, or nobody to ask answered.
func status(of verdict: TrustVerdict) -> phonesec_status {
    switch verdict.answer {
    case .listed, .vouched: return PHONESEC_OK
    case .notTrusted: return PHONESEC_ERR_NOT_TRUSTED
    case .unanswered: return PHONESEC_ERR_UNREACHABLE
    }
}

@_cdecl("phonesec_trust_check")
public func phonesec_trust_check(_ phone: OpaquePointer?, _ der: UnsafePointer<UInt8>?, _ length: Int, _ purposeCode: phonesec_purpose,
                                 _ result: UnsafeMutablePointer<phonesec_trust_result>?,
                                 _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    guard let der, length > 0 else { return answer(PHONESEC_ERR_ARGUMENT, "der is NULL or der_length is 0", message) }
    guard length <= PhoneSecLimits.certificateBytes else {
        return answer(PHONESEC_ERR_ARGUMENT, "der_length is over " + String(PhoneSecLimits.certificateBytes) + " bytes", message)
    }
    guard let purpose = TrustPurpose(purposeCode) else { return answer(PHONESEC_ERR_ARGUMENT, "purpose is not a phonesec_purpose", message) }
    guard let result else { return answer(PHONESEC_ERR_ARGUMENT, "result is NULL", message) }
    let certificate = Array(UnsafeBufferPointer(start: der, count: length))
    do { _ = try Certificate(der: certificate[...]) } catch {
        result.pointee = phonesec_trust_result()
        return answer(PHONESEC_ERR_ARGUMENT, "der is not a certificate: " + error.reason, message)
    }
    var board = handle.board()
    let question = handle.trustContext.question(about: certificate, for: purpose)
    let verdict = handle.decider.decide(question, now: board.now(), rng: handle.rng, on: &board)
    fill(&result.pointee, verdict, subject: Certificate.subject(of: certificate), purpose: purpose)
    let code = status(of: verdict)
    return answer(code, code == PHONESEC_OK ? "" : TrustText.verdict(verdict), message)
}

/// Bounds on what callers hand in.
enum PhoneSecLimits {
    /// Far above any X.509 certificate a cluster uses.
    static let certificateBytes = 64 * 1024
    /// One write on a channel: far above a SIP message.
    static let writeBytes = 1024 * 1024
}
