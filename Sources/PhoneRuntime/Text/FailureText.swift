import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// The words for the core's typed failures and outcomes: the one place they are made
/// (the console, the JSON log and the exit message all use these).
public enum FailureText {
    public static func boot(_ failure: BootFailure) -> String {
        switch failure {
        case .unreachable(let file): return "no file server answered for " + file
        case .configNotFound: return "no configuration file found"
        case .configRejected(let file, let error): return file + " rejected: " + error.reason
        case .configMalformed(let file, let error): return file + " malformed: " + error.reason
        case .partialConfigWithoutTrustList: return "partial configuration but no trust list installed"
        case .partialConfigWithoutEncryption: return "partial configuration without encrConfig"
        case .noCAPFServer: return "partial configuration lists no CAPF server"
        case .unsupportedCAPFAuthMode(let mode): return "unsupported capfAuthMode " + String(mode)
        case .noCertificateForCAPF: return "CAPF wants a certificate and the phone has none"
        case .capfRefused(.invalidAuthentication): return "CAPF refused the phone: invalid authentication"
        case .capfRefused(.unknownDevice): return "CAPF refused the phone: unknown device"
        case .encryptedConfigUnavailable(let cause): return "encrypted configuration unavailable: " + unavailable(cause)
        case .decryptionFailed(let error): return "decryption failed after enrollment: " + error.reason
        case .tooManyResets(let count): return "too many resets (" + String(count) + ")"
        case .keyStoreFailed(let code): return "the key store failed: " + TokenError(code: code).reason
        case .internalFault(.untabledTransition(let from, let on, let to)):
            return "internal fault: untabled transition " + from.rawValue + " -" + on.rawValue + "-> " + to.rawValue
        case .internalFault(.stoppedWithoutOutcome): return "internal fault: the boot stopped without an outcome"
        }
    }

    /// A stable name for each failure (the JSON log's `failure` field).
    public static func code(_ failure: BootFailure) -> String {
        switch failure {
        case .unreachable: return "unreachable"
        case .configNotFound: return "configNotFound"
        case .configRejected: return "configRejected"
        case .configMalformed: return "configMalformed"
        case .partialConfigWithoutTrustList: return "partialConfigWithoutTrustList"
        case .partialConfigWithoutEncryption: return "partialConfigWithoutEncryption"
        case .noCAPFServer: return "noCAPFServer"
        case .unsupportedCAPFAuthMode: return "unsupportedCAPFAuthMode"
        case .noCertificateForCAPF: return "noCertificateForCAPF"
        case .capfRefused: return "capfRefused"
        case .encryptedConfigUnavailable: return "encryptedConfigUnavailable"
        case .decryptionFailed: return "decryptionFailed"
        case .tooManyResets: return "tooManyResets"
        case .keyStoreFailed: return "keyStoreFailed"
        case .internalFault: return "internalFault"
        }
    }

    public static func unavailable(_ cause: UnavailableCause) -> String {
        switch cause {
        case .notServed(let file): return notServed(file)
        case .capfUnreachable(let rounds, let last): return "CAPF unreachable after " + String(rounds) + " rounds: " + capf(last)
        case .capfWithoutNewCertificate(let result): return "CAPF ended without a new certificate (" + capf(result) + ")"
        case .capfRetryLaterForever: return "CAPF keeps answering RetryLater"
        }
    }

    /// A file the cluster answered "not found" for.
    static func notServed(_ file: String) -> String { "the cluster does not serve " + file }

    public static func capf(_ result: CAPFOutcome<String>) -> String {
        switch result {
        case .installed(let subject): return "LSC installed (" + subject + ")"
        case .deleted: return "LSC deleted"
        case .fetched: return "certificate fetched by the server"
        case .nothingScheduled: return "no operation scheduled"
        case .retryLater(let seconds): return "retry later (" + String(seconds) + " s)"
        case .invalidAuthentication: return "invalid authentication"
        case .unknownDevice: return "unknown device"
        case .failed(let problem): return "failed: " + capf(problem)
        }
    }

    public static func capf(_ problem: CAPFProblem) -> String {
        switch problem {
        case .channel(.stoppedAnswering(let ms)):
            return "the CAPF server stopped answering (no message in " + duration(UInt64(ms)) + ")"
        case .channel(let problem): return channel(problem, pinnedTo: "a CAPF record of the installed trust list")
        case .noPinnedCertificate: return "no CAPF certificate in the installed trust lists"
        case .session(let error): return session(error)
        case .couldNotStoreLSC: return "the phone could not store the LSC"
        case .couldNotDeleteLSC: return "the phone could not delete the LSC"
        case .certificateRefused(let refusal): return certificate(refusal)
        case .endedBeforeCertificate(let reason):
            return "server ended the session before issuing a certificate (reason " + String(reason) + ")"
        case .endSession(let reason): return "EndSession with reason " + String(reason)
        }
    }

    /// The phone's own certificate in a partial-config check: `LSC`, `MIC` or `none`.
    public static func certificate(_ own: PartialConfigCheck.Certificate) -> String {
        switch own {
        case .lsc: return "LSC"
        case .mic: return "MIC"
        case .none: return "none"
        }
    }

    public static func certificate(_ refusal: CertificateRefusal) -> String {
        switch refusal {
        case .notDER: return "the certificate is not valid DER"
        case .otherKey: return "the certificate's public key is not the key the phone generated"
        case .otherDevice(let subject, let expected): return "the certificate is for " + subject + ", not " + expected.text
        }
    }

    public static func session(_ error: CAPFSessionError) -> String {
        switch error {
        case .wire(let error): return error.reason
        case .sessionIDChanged(let expected, let received):
            return "CAPF session id changed from " + String(expected) + " to " + String(received)
        case .unexpectedCommand(let command, let phase): return "unexpected " + command.name + " while " + self.phase(phase)
        case .missingElement(let tag, let command): return command.name + " lacks element " + String(tag)
        case .unsupportedKeyRequest(.rsaSize(let bits)): return "unsupported key request: RSA-" + String(bits)
        case .unsupportedKeyRequest(.curve(let curve)): return "unsupported key request: curve " + String(curve)
        case .unsupportedKeyRequest(.keyType(let type)): return "unsupported key request: key type " + String(type)
        case .keyGenerationFailed(let error): return "key generation failed: " + error.reason
        case .signingFailed(let error): return "could not sign the authentication data: " + error.reason
        case .closed(let phase): return "server closed the connection while " + self.phase(phase)
        }
    }

    public static func phase(_ phase: CAPFSessionPhase) -> String {
        switch phase {
        case .awaitingAuthRequest: return "awaiting AuthRequest"
        case .awaitingOperation: return "awaiting the operation"
        case .generatingKey: return "generating the key"
        case .awaitingCertificate: return "awaiting the certificate"
        case .storing: return "storing the LSC"
        case .deleting: return "deleting the LSC"
        case .awaitingEndSession: return "awaiting EndSession"
        case .finished: return "finished"
        }
    }

    /// A TLS channel's failure; `pinnedTo` says what the refused server certificate is not.
    public static func channel(_ problem: TLSChannelProblem, pinnedTo: String) -> String {
        switch problem {
        case .connect(let error): return "connect: " + stream(error)
        case .stream(let error): return stream(error)
        case .tls(.certificateNotTrusted(let certificate)):
            return "TLS handshake refused: server certificate " + Certificate.subject(of: certificate) + " is not " + pinnedTo
        case .tls(let error): return error.reason
        case .stoppedAnswering(let ms): return "no answer in " + duration(UInt64(ms))
        }
    }

    public static func stream(_ error: StreamError) -> String {
        switch error {
        case .timedOut: return "timed out"
        case .closed: return "connection closed by the peer"
        case .refused: return "connection refused"
        case .system(let code): return errnoText(code)
        }
    }

    public static func fetch(_ failure: FetchFailure) -> String {
        switch failure {
        case .nameNotResolved: return "the server's name did not resolve"
        case .connection(let error): return stream(error)
        case .deadlineExceeded(let ms): return "the fetch exceeded " + duration(ms)
        case .httpStatus(let status): return "HTTP status " + String(status)
        case .httpRedirect(let status): return "HTTP " + String(status) + ": redirects are not followed"
        case .httpMalformed(let error): return error.reason
        case .tftp(let error): return tftp(error)
        case .readerStopped: return "the file was refused as it arrived"
        }
    }

    public static func tftp(_ error: TFTPError) -> String {
        switch error {
        case .notFound: return "file not found"
        case .serverError(let code, let message): return "TFTP error " + String(code) + ": " + message
        case .timedOut(let retries): return "timed out after " + String(retries) + " retransmissions"
        case .tooLarge(let limit): return "file larger than " + String(limit) + " bytes (CFG TFTP Size Error)"
        case .protocolViolation(let what): return "TFTP protocol violation: " + what
        }
    }

    /// Why a file, a list or a download was not used, in words.
    public static func cause(_ cause: EventCause) -> String {
        switch cause {
        case .trust(let error): return error.reason
        case .fetch(let failure): return fetch(failure)
        case .httpsFallback(let fallback): return HTTPSText.fallback(fallback)
        case .certificateRefused(let refusal): return certificate(refusal)
        case .loadUpdate(let failure): return loadUpdate(failure)
        case .platform(let reason): return reason
        }
    }

    /// Why an update staged nothing.
    public static func loadUpdate(_ failure: LoadUpdateFailure) -> String {
        switch failure {
        case .notServed(let file): return notServed(file)
        case .loadRefused(let error): return error.reason
        case .fetchFailed(let failure): return "the load file: " + fetch(failure)
        case .badLoadName(let load): return "no file can be named for load " + load
        case .failedItsTrial(let load):
            return load + " failed its trial on this phone (it never reached configured): the cluster must name another load"
        case .slotFailed(.imageNotFound(let name)): return notServed("the image " + name)
        case .slotFailed(.fetch(let failure)): return "an image: " + fetch(failure)
        case .slotFailed(.checkRefused): return "an image's bytes were refused by its check"
        case .slotFailed(.image(let error)): return "an image: " + error.reason
        case .slotFailed(.flash(let reason)): return "the slot: " + reason
        }
    }

    public static func method(_ mode: CAPFAuthMode) -> String {
        switch mode {
        case .automatic: return "automatic"
        case .authenticationString: return "authentication string"
        case .nullString: return "null string"
        case .existingCertificate(let lscFirst): return lscFirst ? "certificate (LSC first)" : "certificate (MIC first)"
        case .unsupported(let value): return "capfAuthMode " + String(value)
        }
    }

    public static func reason(_ reason: CAPFReason) -> String {
        switch reason {
        case .keyMismatch: return "key mismatch"
        case .decryptionFailed: return "decryption failed"
        }
    }

    /// `30 s`, or `250 ms` when not whole seconds.
    public static func duration(_ milliseconds: UInt64) -> String {
        milliseconds % 1000 == 0 ? String(milliseconds / 1000) + " s" : String(milliseconds) + " ms"
    }
}
