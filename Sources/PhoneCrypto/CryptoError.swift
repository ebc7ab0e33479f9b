/// A failure inside the crypto layer: which operation failed and mbedTLS's own error code
/// (negative), or 0 when the input was refused before mbedTLS was called.
public struct CryptoError: Error, Equatable {
    public enum Operation: Equatable, Sendable {
        case digest
        case randomSeed
        case random
        case keyParse
        case certificateParse
        case keyGeneration
        case sign
        case verify
        case encrypt
        case decrypt
        case keyExport
        case cipher
        case unsupportedKey
        case invalidInput
    }

    public let operation: Operation
    public let code: Int32

    public init(_ operation: Operation, code: Int32 = 0) {
        self.operation = operation
        self.code = code
    }

    /// A short English reason, for logs and command-line errors.
    public var reason: String {
        let what: String
        switch operation {
        case .digest: what = "digest failed"
        case .randomSeed: what = "random generator could not be seeded"
        case .random: what = "random generator failed"
        case .keyParse: what = "private or public key could not be parsed"
        case .certificateParse: what = "certificate could not be parsed"
        case .keyGeneration: what = "key generation failed"
        case .sign: what = "signing failed"
        case .verify: what = "signature does not verify"
        case .encrypt: what = "encryption failed"
        case .decrypt: what = "decryption failed"
        case .keyExport: what = "key export failed"
        case .cipher: what = "AES-CBC failed"
        case .unsupportedKey: what = "key type or size not supported"
        case .invalidInput: what = "invalid input"
        }
        if code == 0 { return what }
        if code == Self.externalBadLength { return what + " (the key's token answered with a result of the wrong length)" }
        if let token = keyStoreCode { return what + " (the key's token answered 0x" + String(token, radix: 16) + ")" }
        return what + " (mbedTLS -0x" + String(UInt32(bitPattern: -code), radix: 16) + ")"
    }

    // external_key.h: a token's failure comes back through mbedTLS as BASE - its code.
    public static let externalBase: Int32 = -0x10000
    public static let externalBadLength: Int32 = -0x20000

    /// The code `keyStoreCode` gives for an answer of the wrong length (no PKCS#11 code).
    public static let keyStoreWrongLength: UInt32 = 0xFFFF_FFFF

    /// A key kept in a token failed: the token's own code (a PKCS#11 CKR value, or
    /// `keyStoreWrongLength` for a signature or plaintext of a length that cannot be
    /// right: a token that answers so is failing too), else nil.
    public var keyStoreCode: UInt32? {
        if code == Self.externalBadLength { return Self.keyStoreWrongLength }
        guard code <= Self.externalBase, code > Self.externalBadLength else { return nil }
        return UInt32(Self.externalBase - code)
    }
}

@inline(__always)
func check(_ result: Int32, _ operation: CryptoError.Operation) throws(CryptoError) {
    if result != 0 { throw CryptoError(operation, code: result) }
}
