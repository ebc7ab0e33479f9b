import PhoneTrust
import PhoneWire

// Trust-list update and configuration verification against an installed ITL.
nonisolated(unsafe) var installed: TrustStore?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if installed == nil { installed = FuzzSetup.store() }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var store = installed!
    _ = try? store.install(bytes, kind: .itl, servedAs: "ITLFile.tlv")
    _ = try? store.install(bytes, kind: .ctl, servedAs: "CTLFile.tlv")
    _ = try? installed!.verifyConfiguration(bytes, servedAs: "SEPA45630BBFA40.cnf.xml.sgn")
    return 0
}
