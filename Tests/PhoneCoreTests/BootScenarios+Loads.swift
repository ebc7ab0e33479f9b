import Foundation
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport

/// Scenarios of a firmware update (formats.md §6): every configuration of the scripted
/// cluster names load `SIP75.9-3-1SR2-1S`; a phone with slots running another load fetches
/// it, and the cluster serves it signed by the tests' image-signing key (two images).
extension BootScenarios {
    static let namedLoad = "SIP75.9-3-1SR2-1S"

    static var imageSigner: Identity { try! Vectors.imageSigner() }

    /// A phone running load `running`, with slots, whose anchor is the tests' key.
    static func withSlots(running: String = "SIP00.0-0-0") -> (inout BootSettings) -> Void {
        { settings in
            settings.runningLoad = running
            settings.loadUpdate = LoadUpdateSettings(anchor: ImageSigner(imageSigner.certificate), hardwareLevel: 1)
        }
    }

    /// The named load and its two images, each signed by `signer`, served by `world`.
    static func serveLoad(in world: ScriptedWorld, signer: Identity = imageSigner) throws {
        let rng = testRNG()
        let body = Array("#HARDWARE_COMP_1 2\r\nkern75.sbn\r\nrootfs75.sbn\r\n".utf8)
        world.files[namedLoad + ".loads"] = try SignedFileWriter.signedConfig(body, filename: namedLoad + ".loads", signer: signer,
                                                                              timestamp: 0, rng: rng)
        for (name, size) in [("kern75.sbn", 700), ("rootfs75.sbn", 2_500)] {
            world.files[name] = try SignedFileWriter.signedConfig([UInt8](repeating: 0xA5, count: size), filename: name,
                                                                 signer: signer, timestamp: 0, rng: rng)
        }
    }

    /// The signed full configuration over 6970, then the load (`serve`: whether the cluster
    /// serves it; `signer`: who signed it).
    static func loadAfterSignedConfig(serve: Bool = true, signer: Identity = imageSigner,
                                      running: String = "SIP00.0-0-0") throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.signedFull()
        if serve { try serveLoad(in: world, signer: signer) }
        var machine = machine(memory: BootMemory(mic: try mic()), configure: withSlots(running: running))
        world.run(&machine)
        return (world, machine)
    }

    /// The interop vectors' encrypted configuration (the MIC's hash), then the load.
    static func loadAfterEncryptedConfig() throws -> (ScriptedWorld, BootMachine) {
        let world = servingVectors()
        try serveLoad(in: world)
        var machine = machine(memory: BootMemory(mic: try mic()), configure: withSlots())
        world.run(&machine)
        return (world, machine)
    }

    /// The full configuration over HTTPS (signer version 1.1), then the load.
    static func loadAfterHTTPSConfig() throws -> (ScriptedWorld, BootMachine) {
        let tftpEC = try tftpEC()
        let world = ScriptedWorld()
        world.files["CTLFile.tlv"] = Vectors.bytes("interop/CTLFile.tlv")
        world.files[device.perDeviceITL] = Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv")
        world.httpsAnswers = [httpsAnswer(from: tftpEC)]
        try serveLoad(in: world)
        var machine = machine(memory: BootMemory(mic: try mic()), configure: withSlots())
        world.run(&machine)
        return (world, machine)
    }

    static func loadScenarios() throws -> [ScriptedWorld] {
        [
            try loadAfterSignedConfig().0,
            try loadAfterSignedConfig(serve: false).0,
            try loadAfterEncryptedConfig().0,
            try loadAfterHTTPSConfig().0,
        ]
    }
}
