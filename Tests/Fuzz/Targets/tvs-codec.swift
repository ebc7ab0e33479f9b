import PhoneWire

// The TVS codec: headers, requests and responses, each decoded and written back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? TVSHeader.parse(bytes)
    if let request = try? TVSVerifyRequest.decode(bytes) {
        // Elements may come in any order; what a decoded request says survives writing it again.
        precondition((try? TVSVerifyRequest.decode(request.encode())) == request, "a request round-trips")
    }
    if let response = try? TVSVerifyResponse.decode(bytes) {
        precondition((try? TVSVerifyResponse.decode(response.encode())) == response, "a response round-trips")
    }
    return 0
}
