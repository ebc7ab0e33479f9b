import CLinuxPlatform
import PhoneCrypto

/// Why the token could not be used. Data only; `PhoneRuntime/Text` words it.
public enum TokenError: Error, Equatable {
    case pinFile(FileError)
    /// The PIN file is empty, or longer than a PIN can be.
    case pinMalformed(path: String)
    case moduleNotLoadable(path: String)
    case notAModule(path: String)
    case tokenAbsent(label: String)
    case wrongPIN
    case pinLocked
    case full
    case removed
    case deviceFailed
    case sessionClosed
    /// An answer that cannot be right (an oversized attribute, a key of the wrong kind).
    case malformed(what: String)
    /// No key on the token for the certificate.
    case keyMissing(label: String)
    case other(code: UInt32)
    /// A stored certificate's key is on a token, and no token was given.
    case notGiven

    public var reason: String {
        switch self {
        case .pinFile(let error): return "the PIN file: " + error.reason
        case .pinMalformed(let path): return path + ": not a PIN (one line of 1 to 64 bytes)"
        case .moduleNotLoadable(let path): return path + ": cannot be loaded as a shared library"
        case .notAModule(let path):
            return path + ": not a PKCS#11 module (no C_GetFunctionList, or a function list of another version or incomplete)"
        case .tokenAbsent(let label): return "no token labelled " + label
        case .wrongPIN: return "the token refused the PIN"
        case .pinLocked: return "the token's PIN is locked"
        case .full: return "the token is full"
        case .removed: return "the token was removed"
        case .deviceFailed: return "the token failed (device error)"
        case .sessionClosed: return "the token closed the session"
        case .malformed(let what): return "the token answered something that cannot be right: " + what
        case .keyMissing(let label): return "the token holds no " + label + " key for the certificate"
        case .other(let code): return "the token answered 0x" + String(code, radix: 16)
        case .notGiven: return "the key is on a token: give --pkcs11 MODULE --token LABEL --pin-file F"
        }
    }

    /// The code a `CryptoError` carries for it (external_key.h): the token's CKR value.
    var cryptoCode: Int32 {
        let code: UInt32
        switch self {
        case .wrongPIN: code = CLP_CKR_PIN_INCORRECT
        case .pinLocked: code = CLP_CKR_PIN_LOCKED
        case .full: code = CLP_CKR_DEVICE_MEMORY
        case .removed: code = CLP_CKR_DEVICE_REMOVED
        case .deviceFailed: code = CLP_CKR_DEVICE_ERROR
        case .sessionClosed: code = CLP_CKR_SESSION_CLOSED
        case .other(let other): code = other
        case .pinFile, .pinMalformed, .moduleNotLoadable, .notAModule, .tokenAbsent, .malformed, .keyMissing, .notGiven:
            return CryptoError.externalBadLength
        }
        return CryptoError.externalBase - Int32(min(code, 0xFFFF))
    }

    /// The token's answer (a CKR value, or one of the shim's own `CLP_P11_*`).
    public init(code: UInt32) {
        switch code {
        case CLP_CKR_PIN_INCORRECT, CLP_CKR_PIN_LEN_RANGE: self = .wrongPIN
        case CLP_CKR_PIN_LOCKED: self = .pinLocked
        case CLP_CKR_DEVICE_MEMORY: self = .full
        case CLP_CKR_DEVICE_REMOVED, CLP_CKR_TOKEN_NOT_PRESENT: self = .removed
        case CLP_CKR_DEVICE_ERROR: self = .deviceFailed
        case CLP_CKR_SESSION_CLOSED, CLP_CKR_SESSION_HANDLE_INVALID, CLP_CKR_USER_NOT_LOGGED_IN: self = .sessionClosed
        case CLP_P11_MALFORMED: self = .malformed(what: "an answer past its bound")
        case CryptoError.keyStoreWrongLength: self = .malformed(what: "a result of the wrong length")
        default: self = .other(code: code)
        }
    }
}

/// The phone's keys in a PKCS#11 token: generated there, used there, never readable.
///
/// Objects: each private key is a token object, sensitive, private and never extractable,
/// labelled `phone-lsc` (the LSC's) or `phone-mic` (the MIC's), with `CKA_ID` the SHA-1 of
/// its public key's bits (RFC 5280 §4.2.1.2 method 1, the key identifier OpenSSL and
/// pkcs11-tool use). A generated pair's public half is a token object (tpm2-pkcs11 makes
/// both halves alike) with the label, read once and destroyed: the certificates, which
/// stay on the flash, carry the public keys. A key is found from its certificate by that
/// ID, and (RSA) its modulus read back from the token must be the certificate's.
public final class PKCS11Token {
    public static let lscLabel = "phone-lsc"
    public static let micLabel = "phone-mic"
    static let pinLimit = 64

    let token: OpaquePointer

    private init(_ token: OpaquePointer) { self.token = token }

    deinit { clp_token_close(token) }

    /// Loads `module`, finds the token labelled `label`, and logs in with the PIN in
    /// `pinFile` (its first line; the buffer is zeroized).
    public static func open(module: String, label: String, pinFile: String) -> Result<PKCS11Token, TokenError> {
        var pin: [UInt8]
        switch LinuxFiles.read(pinFile, limit: pinLimit + 1) {
        case .success(let bytes): pin = bytes
        case .failure(.tooLarge): return .failure(.pinMalformed(path: pinFile))
        case .failure(let error): return .failure(.pinFile(error))
        }
        defer { zeroize(&pin) }
        var length = pin.firstIndex(of: 0x0A) ?? pin.count
        if length > 0, pin[length - 1] == 0x0D { length -= 1 }
        guard length > 0 else { return .failure(.pinMalformed(path: pinFile)) }
        var opened: OpaquePointer?
        let code = pin.withUnsafeBufferPointer { clp_token_open(module, label, $0.baseAddress, length, &opened) }
        switch code {
        case 0:
            guard let opened else { return .failure(.malformed(what: "no session")) }
            return .success(PKCS11Token(opened))
        case CLP_P11_NOT_LOADABLE: return .failure(.moduleNotLoadable(path: module))
        case CLP_P11_NOT_A_MODULE: return .failure(.notAModule(path: module))
        case CLP_P11_NO_TOKEN: return .failure(.tokenAbsent(label: label))
        default: return .failure(TokenError(code: code))
        }
    }

    // MARK: Keys

    /// A new pair on the token, labelled `label`, its ID set from its public key.
    public func generate(_ kind: KeyKind, label: String) -> Result<PrivateKey, TokenError> {
        var privateHandle: UInt64 = 0
        var publicHandle: UInt64 = 0
        let code: UInt32
        switch kind {
        case .rsa(let bits):
            code = clp_token_generate(token, CLP_KEY_RSA, UInt32(bits), nil, 0, label, &privateHandle, &publicHandle)
        case .ec(let curve):
            let parameters = curve.parametersDER
            code = clp_token_generate(token, CLP_KEY_EC, 0, parameters, parameters.count, label, &privateHandle, &publicHandle)
        }
        guard code == 0 else { return .failure(TokenError(code: code)) }
        defer { _ = clp_token_destroy(token, publicHandle) }
        let publicKey: PublicKey
        switch readPublicKey(publicHandle, kind: kind) {
        case .success(let key): publicKey = key
        case .failure(let error):
            _ = clp_token_destroy(token, privateHandle)
            return .failure(error)
        }
        guard let id = try? Self.id(of: publicKey) else {
            _ = clp_token_destroy(token, privateHandle)
            return .failure(.malformed(what: "the public key"))
        }
        let set = id.withUnsafeBufferPointer { clp_token_set_id(token, privateHandle, $0.baseAddress, $0.count) }
        guard set == 0 else {
            _ = clp_token_destroy(token, privateHandle)
            return .failure(TokenError(code: set))
        }
        return privateKey(privateHandle, publicKey: publicKey)
    }

    /// The key on the token that belongs to `certificate` (by ID), checked against it.
    public func key(for certificate: Certificate, label: String) -> Result<PrivateKey, TokenError> {
        guard let publicKey = try? certificate.publicKey(),
              let id = try? Self.id(of: publicKey) else { return .failure(.malformed(what: "the certificate's key")) }
        switch find(label: label, id: id) {
        case .failure(let error): return .failure(error)
        case .success(let handles):
            guard let handle = handles.first else { return .failure(.keyMissing(label: label)) }
            // The token's own public half must be the certificate's: an ID is only a name.
            if case .rsa = publicKey.kind {
                guard case .success(let modulus) = attribute(handle, CLP_CKA_MODULUS, limit: 512),
                      let theirs = try? publicKey.bareKey(), let token = try? PublicKey.rsa(modulus: modulus, exponent: [1, 0, 1]).bareKey(),
                      theirs == token else { return .failure(.malformed(what: "a key whose modulus is not the certificate's")) }
            }
            return privateKey(handle, publicKey: publicKey)
        }
    }

    /// Destroys the private keys labelled `label` but the one with ID `keep`: what a
    /// power cut or a failed enrolment left behind, or the key of a deleted LSC; and every
    /// public key of the label (the phone keeps none: a generated pair's public half left
    /// by a power cut). Counts the private keys. Objects of other labels (the MIC's,
    /// anything else on the token) are never touched.
    public func destroyKeys(label: String, keeping keep: [UInt8]?) -> Result<Int, TokenError> {
        let handles: [UInt64]
        switch find(label: label, id: nil) {
        case .success(let found): handles = found
        case .failure(let error): return .failure(error)
        }
        var destroyed = 0
        for handle in handles {
            if let keep {
                // A key whose ID does not read is kept: it may be the one to keep.
                guard case .success(let id) = attribute(handle, CLP_CKA_ID, limit: 64) else { continue }
                if id == keep { continue }
            }
            let code = clp_token_destroy(token, handle)
            guard code == 0 else { return .failure(TokenError(code: code)) }
            destroyed += 1
        }
        var halves = 0
        let code = clp_token_destroy_public(token, label, &halves)
        guard code == 0 else { return .failure(TokenError(code: code)) }
        return .success(destroyed)
    }

    /// Imports a private key (the factory's MIC), with the same attributes as a generated one.
    public func importKey(_ key: PrivateKey, label: String) -> Result<PrivateKey, TokenError> {
        var parts: [SecretBytes]
        do { parts = try key.components() } catch { return .failure(.malformed(what: "the key to import")) }
        guard let publicKey = try? PublicKey(subjectPublicKeyInfo: key.subjectPublicKeyInfo()[...]),
              let id = try? Self.id(of: publicKey) else { return .failure(.malformed(what: "the key to import")) }
        var handle: UInt64 = 0
        let type = key.kind.isRSA ? CLP_KEY_RSA : CLP_KEY_EC
        let code = withParts(parts) { pointers, lengths in
            id.withUnsafeBufferPointer { idBytes in
                clp_token_import(token, type, pointers, lengths, parts.count, label, idBytes.baseAddress, idBytes.count, &handle)
            }
        }
        parts.removeAll()
        guard code == 0 else { return .failure(TokenError(code: code)) }
        return privateKey(handle, publicKey: publicKey)
    }

    /// The ID of a key: SHA-1 of its public key's bits.
    public static func id(of publicKey: PublicKey) throws(CryptoError) -> [UInt8] {
        try Digest.hash(.sha1, publicKey.bareKey())
    }

    // MARK: Helpers

    private func privateKey(_ handle: UInt64, publicKey: PublicKey) -> Result<PrivateKey, TokenError> {
        // Whatever the template asked, the key is used only if the token says it never lets
        // it out: a module that ignored the template, or a key planted under the label, is refused.
        switch (attribute(handle, CLP_CKA_SENSITIVE, limit: 1), attribute(handle, CLP_CKA_EXTRACTABLE, limit: 1)) {
        case (.failure(let error), _), (_, .failure(let error)): return .failure(error)
        case (.success([1]), .success([0])): break
        default: return .failure(.malformed(what: "a key the token would let out (not sensitive, or extractable)"))
        }
        guard let key = clp_token_key(token, handle, publicKey.kind.isRSA ? 0 : 1) else { return .failure(.malformed(what: "memory")) }
        do {
            return .success(try PrivateKey.external(publicKey: publicKey, operations: clp_token_key_ops(), key: key))
        } catch {
            return .failure(.malformed(what: "a key mbedTLS cannot use"))
        }
    }

    private func find(label: String, id: [UInt8]?) -> Result<[UInt64], TokenError> {
        var handles = [UInt64](repeating: 0, count: 16)
        var count = 0
        let code: UInt32
        if let id {
            code = id.withUnsafeBufferPointer { clp_token_find(token, label, $0.baseAddress, $0.count, &handles, handles.count, &count) }
        } else {
            code = clp_token_find(token, label, nil, 0, &handles, handles.count, &count)
        }
        guard code == 0 else { return .failure(TokenError(code: code)) }
        return .success(Array(handles[0..<count]))
    }

    private func attribute(_ handle: UInt64, _ type: UInt64, limit: Int) -> Result<[UInt8], TokenError> {
        var value = [UInt8](repeating: 0, count: limit)
        var length = 0
        let code = clp_token_attribute(token, handle, type, &value, value.count, &length)
        guard code == 0 else { return .failure(TokenError(code: code)) }
        value.removeLast(value.count - length)
        return .success(value)
    }

    private func readPublicKey(_ handle: UInt64, kind: KeyKind) -> Result<PublicKey, TokenError> {
        switch kind {
        case .rsa:
            guard case .success(let modulus) = attribute(handle, CLP_CKA_MODULUS, limit: 512),
                  case .success(let exponent) = attribute(handle, CLP_CKA_PUBLIC_EXPONENT, limit: 8),
                  let key = try? PublicKey.rsa(modulus: modulus, exponent: exponent), key.kind == kind
            else { return .failure(.malformed(what: "the generated RSA public key")) }
            return .success(key)
        case .ec(let curve):
            guard case .success(let value) = attribute(handle, CLP_CKA_EC_POINT, limit: 160),
                  let key = try? PublicKey.ec(curve: curve, point: Self.point(value, curve: curve)), key.kind == kind
            else { return .failure(.malformed(what: "the generated EC public key")) }
            return .success(key)
        }
    }

    /// CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 2.40); some modules give
    /// the bare point. The bare point is 1 + 2n bytes; anything else is unwrapped once.
    static func point(_ value: [UInt8], curve: Curve) -> [UInt8] {
        let bare = 1 + 2 * curve.coordinateBytes
        if value.count == bare { return value }
        guard value.count > 2, value[0] == 0x04 else { return value }
        let header = value[1] < 0x80 ? 2 : 2 + Int(value[1] & 0x7F)
        return value.count == header + bare ? Array(value[header...]) : value
    }

    private func withParts<R>(_ parts: [SecretBytes], _ body: (UnsafePointer<UnsafePointer<UInt8>?>, UnsafePointer<Int>) -> R) -> R {
        var pointers: [UnsafePointer<UInt8>?] = []
        var lengths: [Int] = []
        func collect(_ index: Int) -> R {
            guard index < parts.count else { return body(pointers, lengths) }
            return parts[index].withUnsafeBytes { bytes in
                pointers.append(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
                lengths.append(bytes.count)
                return collect(index + 1)
            }
        }
        return collect(0)
    }
}
