import PhoneCore
import PhoneWire

// The TVS client session (session id 1) fed server bytes in two chunks split at the
// first byte's value, then the connection's end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.isEmpty ? 0 : min(Int(bytes[0]), bytes.count)
    var session = TVSClientSession(request: TVSVerifyRequest(sessionID: 1, deviceName: Array("CP-8841-SEPA45630BBFA40".utf8),
                                                             certificate: [0x30, 0x03, 0x02, 0x01, 0x01]))
    _ = session.start()
    do {
        if try session.receive(Array(bytes[0..<split])) != nil { return 0 }
        if try session.receive(Array(bytes[split...])) != nil { return 0 }
        _ = try session.receive(nil)
    } catch {}
    return 0
}
