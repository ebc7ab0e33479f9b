import PhoneWire

// The CAPF message codec and its structured elements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? CAPFMessage.decode(bytes) {
        _ = message.encoded()
        if let value = message.value(CAPFTag.certificate) { _ = CAPFElements.parseCertificate(value) }
        if let value = message.value(CAPFTag.sudiData) { _ = CAPFElements.parseTyped(value) }
        _ = message.integer(CAPFTag.retryDelay)
    }
    return 0
}
