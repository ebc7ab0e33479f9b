import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

// The boot machine's HTTPS configuration step (formats.md §5) fed hostile answers: the
// installed per-device ITL (signer version 1.1) sends it to 6971; the input is then the
// body of a 200 (first byte even) or the DER of a server certificate the pin refused
// (first byte odd), which the machine parses to decide on TVS.
nonisolated(unsafe) var memory: BootMemory?
nonisolated(unsafe) var rng: RandomGenerator?
nonisolated(unsafe) var server: [UInt8] = []

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if memory == nil {
        var store = TrustStore()
        _ = try! store.install(FuzzSetup.read("Tests/Vectors/interop/ITLSEPA45630BBFA40.tlv"), kind: .itl,
                               servedAs: "ITLSEPA45630BBFA40.tlv")
        memory = BootMemory(trustStore: store, mic: FuzzSetup.mic(), tvsServers: [.init(host: "127.0.0.1")])
        rng = FuzzSetup.rng()
        server = try! Certificate(pem: FuzzSetup.read("Tests/Vectors/interop/pki/tftp-ec.pem")).der
    }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let device = DeviceName("SEPA45630BBFA40")!
    var machine = BootMachine(settings: BootSettings(device: device, serverCount: 1), memory: memory!, rng: rng!)
    _ = machine.handle(.start, now: 0)
    for name in [device.perDeviceCTL, "CTLFile.tlv", device.perDeviceITL, "ITLFile.tlv"] {
        _ = machine.handle(.fileNotFound(name: name), now: 0)
    }
    guard machine.stateKind == .fetchingConfigOverHTTPS else { fatalError("the 1.1 ITL must send the boot to HTTPS") }
    let answer: HTTPSConfigResult = (bytes.first ?? 0) & 1 == 0
        ? .configuration(bytes, server: server)
        : .failed(.channel(.tls(.certificateNotTrusted(certificate: Array(bytes.dropFirst())))))
    let step = machine.handle(.httpsFetched(answer), now: 0)
    for case .decideTrust(let question) in step.actions {
        // The trust decision on the hostile certificate, with a TVS that answers nothing.
        var decider = TrustDecider()
        var tvs = SilentTVS()
        _ = machine.handle(.trustDecided(decider.decide(question, now: 0, rng: rng!, on: &tvs)), now: 0)
    }
    return 0
}

struct SilentTVS: TVSQuerying {
    mutating func ask(_ query: TVSQuery, rng: RandomGenerator) -> TVSQueryResult { .failed(.channel(.connect(.refused))) }
}
