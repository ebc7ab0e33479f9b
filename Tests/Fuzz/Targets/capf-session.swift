import PhoneCore
import PhoneCrypto
import PhoneWire

// The CAPF client session fed server bytes (with a MIC, so certificate
// authentication paths run too), in two chunks split at the first byte's value.
nonisolated(unsafe) var mic: Identity?
nonisolated(unsafe) var rng: RandomGenerator?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if mic == nil {
        mic = FuzzSetup.mic()
        rng = FuzzSetup.rng()
    }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.isEmpty ? 0 : min(Int(bytes[0]), bytes.count)
    var session = CAPFClientSession(device: DeviceName("SEPA45630BBFA40")!, mode: .existingCertificate(lscFirst: false), authString: nil,
                                    lsc: nil, mic: mic, rng: rng!)
    _ = try? session.handle(.received(Array(bytes[0..<split])))
    _ = try? session.handle(.received(Array(bytes[split...])))
    _ = try? session.handle(.closed)
    return 0
}
