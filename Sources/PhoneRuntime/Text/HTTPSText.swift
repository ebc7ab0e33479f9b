import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneWire

/// The words of the HTTPS configuration download (formats.md §5): why the phone fell
/// back to 6970/TFTP, what the server did.
public enum HTTPSText {
    public static func fallback(_ cause: HTTPSFallback) -> String {
        switch cause {
        case .failed(let problem): return Self.problem(problem)
        case .serverRefused(let refusal): return TrustText.refusal(refusal, .configurationOverHTTPS)
        case .notFullConfiguration: return "the answer is not a full configuration"
        case .forAnotherCertificate(let certHash, let presented):
            return "the configuration is for another certificate (certHash '" + certHash + "', the client certificate's MD5 '"
                + presented + "')"
        case .malformed(let error): return "the configuration is malformed: " + error.reason
        }
    }

    public static func problem(_ problem: HTTPSConfigProblem) -> String {
        switch problem {
        case .channel(.tls(.handshakeFailed(let code))):
            return TLSError.handshakeFailed(code: code).reason + " (the server may have refused the client certificate)"
        case .channel(let problem):
            return FailureText.channel(problem, pinnedTo: TrustText.pinned(.configurationOverHTTPS))
        case .malformed(let error): return "malformed HTTP response: " + error.reason
        case .status(let status):
            switch status {
            case 403: return "HTTP 403 (the server refused this device)"
            case 404: return "HTTP 404 (not found)"
            default: return "HTTP status " + String(status)
            }
        case .deadlineExceeded(let ms): return "no complete answer in " + FailureText.duration(ms)
        }
    }
}
