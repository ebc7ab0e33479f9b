import PhoneWire

// The XML tokenizer and the configuration model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var tokenizer = XMLTokenizer(bytes)
    while let token = try? tokenizer.next() {
        if case .text(let range, let references) = token { _ = try? XMLText.decode(bytes, range, hasReferences: references) }
    }
    _ = try? DeviceConfiguration.parse(bytes)
    return 0
}
