import PhoneCrypto
import PhoneTrust
import PhoneWire

// `.enc.sgn` decryption with a fixed key (the signature check skipped, so the
// decryption steps themselves see hostile fields).
nonisolated(unsafe) var key: PrivateKey?
nonisolated(unsafe) var rng: RandomGenerator?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if key == nil {
        key = FuzzSetup.micKey()
        rng = FuzzSetup.rng()
    }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SignedFile.parse(bytes) {
        _ = try? EncryptedConfig.decrypt(file, privateKey: key!, rng: rng!)
    }
    return 0
}
