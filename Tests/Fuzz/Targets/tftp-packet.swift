import PhoneCore
import PhoneWire

// The TFTP packet parser and the read session fed datagrams (each input is split into
// datagrams at 0xFF 0xFF markers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? TFTPPacket.parse(bytes)
    var options = TFTPReadSession.Options()
    options.maxSize = 64 * 1024
    var session = TFTPReadSession(filename: "SEPA45630BBFA40.cnf.xml.sgn", options: options)
    _ = session.start(now: 0)
    var now: UInt64 = 0
    for datagram in bytes.split(separator: 0xFF, omittingEmptySubsequences: true) {
        now += 10
        _ = session.received(Array(datagram), now: now)
        if session.isFinished { break }
    }
    _ = session.timerFired(now: now + 5_000)
    return 0
}
