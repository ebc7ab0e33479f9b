import PhoneWire

// The HTTP response parser, fed in two chunks, then the connection closes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = HTTPResponseParser(bodyLimit: 64 * 1024)
    let split = bytes.count / 2
    if (try? parser.feed(bytes[0..<split])) ?? nil == nil, (try? parser.feed(bytes[split...])) ?? nil == nil {
        _ = try? parser.finish()
    }
    return 0
}
