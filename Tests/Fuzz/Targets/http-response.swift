import PhoneWire

// The HTTP response parser, fed in two chunks, then the connection closes; the same bytes
// through a streaming parser must give the same body, piece by piece, or the same fault.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.count / 2
    var kept = HTTPResponseParser(bodyLimit: 64 * 1024)
    var streaming = HTTPResponseParser(bodyLimit: 64 * 1024, keepsBody: false)
    var streamed: [UInt8] = []
    var whole: HTTPResponseParser.Response?
    var keptFault: HTTPResponseParser.ParseError?
    var streamedFault: HTTPResponseParser.ParseError?
    for piece in [bytes[0..<split], bytes[split...]] where whole == nil && keptFault == nil {
        do { whole = try kept.feed(piece) } catch { keptFault = error }
    }
    if whole == nil, keptFault == nil { do { whole = try kept.finish() } catch { keptFault = error } }
    var done = false
    for piece in [bytes[0..<split], bytes[split...]] where !done && streamedFault == nil {
        do { done = try streaming.feed(piece) != nil } catch { streamedFault = error }
        streamed += streaming.takeBody()
    }
    if !done, streamedFault == nil { do { _ = try streaming.finish() } catch { streamedFault = error } }
    streamed += streaming.takeBody()
    guard keptFault == streamedFault else { fatalError("the streaming parser faulted otherwise") }
    if let whole, whole.body != streamed { fatalError("the streamed body differs from the kept one") }
    return 0
}
