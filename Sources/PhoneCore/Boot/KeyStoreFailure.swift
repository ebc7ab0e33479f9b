import PhoneCrypto
import PhoneTrust

// Where a failure of the phone's own key store (a token removed, broken, full, a session
// closed under the phone) surfaces in what the boot's steps report: the store's code
// travels inside mbedTLS's error (`CryptoError.keyStoreCode`). The boot stops on it at
// once (`BootFailure.keyStoreFailed`): no other server, round or fallback can help, and
// the identity on the flash stays as it is.

extension TrustError {
    public var keyStoreCode: UInt32? {
        if case .crypto(let error) = self { return error.keyStoreCode }
        return nil
    }
}

extension TLSChannelProblem {
    public var keyStoreCode: UInt32? {
        if case .tls(let error) = self { return error.keyStoreCode }
        return nil
    }
}

extension CAPFProblem {
    public var keyStoreCode: UInt32? {
        switch self {
        case .channel(let problem): return problem.keyStoreCode
        case .session(.keyGenerationFailed(let error)), .session(.signingFailed(let error)): return error.keyStoreCode
        default: return nil
        }
    }
}

extension HTTPSConfigProblem {
    public var keyStoreCode: UInt32? {
        if case .channel(let problem) = self { return problem.keyStoreCode }
        return nil
    }
}
