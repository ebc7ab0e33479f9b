import PhoneWire

// The signed-file reader and the trust-list parser on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SignedFile.parse(bytes) {
        _ = file.signedRanges
        _ = file.filenameText
        if let info = file.encryption { _ = file[info.digest] }
    }
    if let list = try? TrustList.parse(bytes) {
        for record in list.records { _ = list[record.certificate] }
        _ = list.recordsMatchingSigner(of: list.file)
    }
    return 0
}
