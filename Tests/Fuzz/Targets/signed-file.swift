import PhoneWire

// The signed-file reader, the trust-list parser and the firmware load's body on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SignedFile.parse(bytes) {
        _ = file.signedRanges
        _ = file.filenameText
        if let info = file.encryption { _ = file[info.digest] }
    }
    if let load = try? LoadFile.parse(bytes) {
        for index in load.images.indices { _ = load.imageName(index) }
    }
    if let list = try? TrustList.parse(bytes) {
        for record in list.records { _ = list[record.certificate] }
        _ = list.recordsMatchingSigner(of: list.file)
    }
    return 0
}
