import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport

/// Scenarios of the HTTPS configuration download (formats.md §5): the per-device vector
/// ITL has signer version 1.1 and an EC TFTP record (`tftp-ec`).
extension BootScenarios {
    static func tftpEC() throws -> Certificate { try Vectors.certificate("interop/pki/tftp-ec.pem") }
    /// An EC certificate no vector list holds.
    static func strangerEC() throws -> Certificate { try Vectors.certificate("interop/pki/phone-lsc-ec.pem") }

    /// The full configuration as an HTTPS server answers it, from `server`.
    static func httpsAnswer(from server: Certificate) -> (HTTPSConfigRequest) -> HTTPSConfigResult {
        { _ in .configuration(Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"), server: server.der) }
    }

    /// CTL and the 1.1 ITL served; HTTPS answers with `https` (in order), the signed full
    /// configuration waits on 6970 for a fallback.
    static func signerVersion11(_ https: [(HTTPSConfigRequest) -> HTTPSConfigResult],
                                tvs: @escaping (TVSQuery) -> TVSQueryResult = { _ in .failed(.channel(.connect(.refused))) },
                                memory: BootMemory? = nil,
                                configure: (inout BootSettings) -> Void = { _ in }) throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["CTLFile.tlv"] = Vectors.bytes("interop/CTLFile.tlv")
        world.files[device.perDeviceITL] = Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv")
        world.files[device.signedConfig] = try lab.signedFull()
        world.httpsAnswers = https
        world.tvsDefault = tvs
        var machine = machine(memory: try memory ?? BootMemory(mic: try mic(), tvsServers: [.init(host: "127.0.0.1")]),
                              configure: configure)
        world.run(&machine)
        return (world, machine)
    }

    /// The 1.1 ITL is installed and the cluster serves no trust list this time.
    static func installedSignerVersion11() throws -> (ScriptedWorld, BootMachine) {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"), kind: .itl, servedAs: "ITLSEPA45630BBFA40.tlv")
        let world = ScriptedWorld()
        world.httpsAnswers = [httpsAnswer(from: try tftpEC())]
        var machine = machine(memory: BootMemory(trustStore: store, mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    /// The phone's key store failed while signing the client's CertificateVerify: the
    /// store's code (CKR_DEVICE_ERROR) inside mbedTLS's handshake error.
    static var keyStoreBrokeTheHandshake: HTTPSConfigResult {
        .failed(.channel(.tls(.handshakeFailed(code: CryptoError.externalBase - 0x30))))
    }

    static func httpsScenarios() throws -> [ScriptedWorld] {
        let stranger = try strangerEC()
        let refusedStranger: (HTTPSConfigRequest) -> HTTPSConfigResult = { _ in
            .failed(.channel(.tls(.certificateNotTrusted(certificate: stranger.der))))
        }
        return [
            try signerVersion11([httpsAnswer(from: try tftpEC())]).0,
            try installedSignerVersion11().0,
            try signerVersion11([refusedStranger, httpsAnswer(from: stranger)],
                                tvs: { _ in .answered(.valid(roles: [.tftp], ttlSeconds: 600)) }).0,
            try signerVersion11([refusedStranger], tvs: { _ in .answered(.invalid) }).0,
            try signerVersion11([{ _ in keyStoreBrokeTheHandshake }]).0,
        ]
    }
}
