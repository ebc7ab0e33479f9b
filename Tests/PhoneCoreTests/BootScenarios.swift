import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// Every scenario the boot machine is tested on, each returning its world so that the
/// tests can assert on it and the table-coverage test can collect the transitions.
enum BootScenarios {
    static let device = DeviceName("SEPA45630BBFA40")!

    static func machine(memory: BootMemory, servers: Int = 1, authString: [UInt8]? = nil,
                        configure: (inout BootSettings) -> Void = { _ in }) -> BootMachine {
        var settings = BootSettings(device: device, serverCount: servers, authString: authString)
        configure(&settings)
        return BootMachine(settings: settings, memory: memory, rng: testRNG())
    }

    static func mic() throws -> Identity { try Vectors.identity("interop/pki/phone-mic.pem") }
    /// A second RSA identity standing in for the LSC a CAPF server issues.
    static func issuedLSC() throws -> Identity { try Vectors.identity("cucm-style/pki/phone-mic.pem") }

    static func installedITL() throws -> TrustStore {
        var store = TrustStore()
        _ = try store.install(Vectors.bytes("interop/ITLFile.tlv"), kind: .itl, servedAs: "ITLFile.tlv")
        return store
    }

    /// The troubleshooting note, end to end: empty certHash → CAPF → new LSC → reset →
    /// the partial config again, hash matches → `.enc.sgn` → configured.
    /// `resets`: `.board` ends the run at the reset, as a board's reboot does.
    static func troubleshootingNote(resets: ResetKind = .inProcess) throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.resetKind = resets
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: "")
        let lsc = try issuedLSC()
        world.capfDefault = { _ in
            // The cluster stores the new certificate's hash and encrypts to its key.
            world.files[device.signedConfig] = try! lab.partial(certHash: try! LabCluster.md5(lsc))
            world.files[device.encryptedConfig] = try! lab.encrypted(to: lsc.certificate)
            return .installed(lsc)
        }
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    /// A cluster serving the interop vectors: the ITL, the partial configuration (its hash is
    /// the MIC's) and the encrypted one.
    static func servingVectors() -> ScriptedWorld {
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/ITLFile.tlv")
        world.files[device.signedConfig] = Vectors.bytes("interop/partial-SEPA45630BBFA40.cnf.xml.sgn")
        world.files[device.encryptedConfig] = Vectors.bytes("interop/SEPA45630BBFA40.cnf.xml.enc.sgn")
        return world
    }

    /// The interop vectors as served: the partial config's hash is the MIC's.
    static func vectorsWithMIC() throws -> (ScriptedWorld, BootMachine) {
        let world = servingVectors()
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func perDeviceITL() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["CTLFile.tlv"] = Vectors.bytes("interop/CTLFile.tlv")
        world.files[device.perDeviceITL] = Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv")
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/ITLFile.tlv")
        world.files[device.signedConfig] = try lab.signedFull()
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func rogueITLAfterGoodOne() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/rogue-ITLFile.tlv")
        world.files[device.signedConfig] = try lab.signedFull()
        var machine = machine(memory: BootMemory(trustStore: try installedITL(), mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func nonSecure() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.signedFull()
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    /// The `.enc.sgn` is encrypted to a key the phone does not hold, even after CAPF.
    static func undecryptable() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        let mic = try mic()
        let lsc = try issuedLSC()
        let stranger = try Vectors.certificate("interop/pki/tvs.pem")
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: try LabCluster.md5(mic))
        world.files[device.encryptedConfig] = try lab.encrypted(to: stranger)
        world.capfDefault = { _ in
            world.files[device.signedConfig] = try! lab.partial(certHash: try! LabCluster.md5(lsc))
            return .installed(lsc)
        }
        var machine = machine(memory: BootMemory(mic: mic))
        world.run(&machine)
        return (world, machine)
    }

    static func tamperedEncrypted() throws -> (ScriptedWorld, BootMachine) {
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/ITLFile.tlv")
        world.files[device.signedConfig] = Vectors.bytes("interop/partial-SEPA45630BBFA40.cnf.xml.sgn")
        world.files[device.encryptedConfig] = Vectors.bytes("interop/tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn")
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    /// capfAuthMode 1 and no string: the machine stops and asks; the test types one.
    static func authStringNeeded(typed: [[UInt8]] = [], preEntered: [UInt8]? = nil,
                                 firstAnswer: CAPFOutcome<Identity>? = nil) throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        let lsc = try issuedLSC()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: "", capfAuthMode: 1)
        world.typedAuthStrings = typed
        let install: (CAPFRequest) -> CAPFOutcome<Identity> = { _ in
            world.files[device.signedConfig] = try! lab.partial(certHash: try! LabCluster.md5(lsc), capfAuthMode: 1)
            world.files[device.encryptedConfig] = try! lab.encrypted(to: lsc.certificate)
            return .installed(lsc)
        }
        if let firstAnswer { world.capfAnswers = [{ _ in firstAnswer }] }
        world.capfDefault = install
        var machine = machine(memory: BootMemory(mic: try mic()), authString: preEntered)
        world.run(&machine)
        return (world, machine)
    }

    static func capfUnreachable() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: "", capfServers: ["capf-a", "capf-b"])
        world.capfDefault = { _ in .failed(.channel(.connect(.refused))) }
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    /// The hash matches but the cluster never serves the `.enc.sgn`.
    static func encryptedNeverServed() throws -> (ScriptedWorld, BootMachine) {
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/ITLFile.tlv")
        world.files[device.signedConfig] = Vectors.bytes("interop/partial-SEPA45630BBFA40.cnf.xml.sgn")
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func capfAnswers(capfServers: [String] = ["127.0.0.1"], _ outcome: @escaping (CAPFRequest) -> CAPFOutcome<Identity>,
                            capfAuthMode: Int = 0, memory: BootMemory? = nil) throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: "", capfAuthMode: capfAuthMode, capfServers: capfServers)
        world.capfDefault = outcome
        var machine = machine(memory: try memory ?? BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func noTrustList(config: [UInt8]?, defaultConfig: [UInt8]? = nil) throws -> (ScriptedWorld, BootMachine) {
        let world = ScriptedWorld()
        world.files[device.plainConfig] = config
        world.files[DeviceName.defaultPlainConfig] = defaultConfig
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func defaultConfig() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[DeviceName.defaultSignedConfig] = try SignedFileWriter.signedConfig(
            lab.plain, filename: DeviceName.defaultSignedConfig, signer: lab.tftp, timestamp: 1, rng: lab.rng)
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    static func servers(dead: Set<Int>, count: Int) throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.deadServers = dead
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.signedFull()
        var machine = machine(memory: BootMemory(mic: try mic()), servers: count)
        world.run(&machine)
        return (world, machine)
    }

    /// Server 1 fails for one file only (the config, or the encrypted config).
    static func fileFailsOnFirstServer(_ name: String, count: Int) throws -> (ScriptedWorld, BootMachine) {
        let world = ScriptedWorld()
        world.failingOnFirstServer = [name]
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/ITLFile.tlv")
        world.files[device.signedConfig] = Vectors.bytes("interop/partial-SEPA45630BBFA40.cnf.xml.sgn")
        world.files[device.encryptedConfig] = Vectors.bytes("interop/SEPA45630BBFA40.cnf.xml.enc.sgn")
        var machine = machine(memory: BootMemory(mic: try mic()), servers: count)
        world.run(&machine)
        return (world, machine)
    }

    /// A config signed by a certificate the ITL does not list.
    static func rejectedConfig() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try SignedFileWriter.signedConfig(
            lab.plain, filename: device.signedConfig, signer: try Vectors.identity("interop/pki/rogue-sast.pem"),
            timestamp: 1, rng: lab.rng)
        var machine = machine(memory: BootMemory(mic: try mic()))
        world.run(&machine)
        return (world, machine)
    }

    /// A board powered on with four resets of this boot already counted on its flash.
    static func boardResetsPastTheBound() throws -> (ScriptedWorld, BootMachine) {
        let world = ScriptedWorld()
        world.resetKind = .board
        var machine = machine(memory: BootMemory(mic: try mic(), boardResets: 4))
        world.run(&machine)
        return (world, machine)
    }

    static func allOfThem() throws -> [ScriptedWorld] {
        var worlds: [ScriptedWorld] = []
        worlds.append(try troubleshootingNote().0)
        worlds.append(try vectorsWithMIC().0)
        worlds.append(try perDeviceITL().0)
        worlds.append(try rogueITLAfterGoodOne().0)
        worlds.append(try nonSecure().0)
        worlds.append(try undecryptable().0)
        worlds.append(try tamperedEncrypted().0)
        worlds.append(try authStringNeeded(typed: [Array("12".utf8), Array("123456".utf8)]).0)
        worlds.append(try authStringNeeded(typed: [Array("123456".utf8)], firstAnswer: .invalidAuthentication).0)
        worlds.append(try capfUnreachable().0)
        worlds.append(try encryptedNeverServed().0)
        worlds.append(try capfAnswers { _ in .unknownDevice }.0)
        worlds.append(try capfAnswers { _ in .deleted }.0)
        worlds.append(try boardResetsPastTheBound().0)
        worlds.append(try noTrustList(config: nil).0)
        worlds.append(try servers(dead: [0], count: 2).0)
        worlds.append(try servers(dead: [0, 1], count: 2).0)
        worlds.append(try fileFailsOnFirstServer(device.encryptedConfig, count: 2).0)
        worlds.append(try fileFailsOnFirstServer(device.encryptedConfig, count: 1).0)
        worlds.append(try fileFailsOnFirstServer(device.signedConfig, count: 2).0)
        worlds.append(try fileFailsOnFirstServer(device.signedConfig, count: 1).0)
        worlds.append(try rejectedConfig().0)
        worlds.append(try directEncryptedUnusable().0)
        worlds.append(try decryptFailsInModeOne().0)
        worlds.append(try earlyTimePassed())
        worlds.append(try itlSignerChanged(tvs: { _ in .answered(.valid(roles: [.sast, .ccmTFTP], ttlSeconds: 3600)) }).0)
        worlds.append(try itlSignerChanged(tvs: { _ in .answered(.invalid) }).0)
        worlds += try httpsScenarios()
        worlds += try loadScenarios()
        return worlds
    }

    /// The cluster's CallManager certificate changed: the phone trusts the per-device
    /// vector ITL (which lists the CallManager as CCM only, and a TVS); the cluster serves
    /// an ITL signed by the CallManager key, listing it as SAST and CCM+TFTP, and the
    /// configuration signed by it. Only TVS can vouch for the new signer.
    static func itlSignerChanged(tvs: @escaping (TVSQuery) -> TVSQueryResult,
                                 servers: [DeviceConfiguration.TVSServer] = [.init(host: "127.0.0.1")])
        throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        var installed = TrustStore()
        _ = try installed.install(Vectors.bytes("interop/ITLSEPA45630BBFA40.tlv"), kind: .itl, servedAs: "ITLSEPA45630BBFA40.tlv")
        let capf = try Vectors.identity("interop/pki/capf.pem")
        let tvsIdentity = try Vectors.identity("interop/pki/tvs.pem")
        let world = ScriptedWorld()
        world.files[device.perDeviceITL] = try SignedFileWriter.trustList(
            entries: [(lab.tftp.certificate, .sast), (lab.tftp.certificate, .ccmTFTP), (capf.certificate, .capf),
                      (tvsIdentity.certificate, .tvs)],
            signer: lab.tftp, filename: "ITLFile.tlv", timestamp: 1_800_000_000, rng: lab.rng)
        world.files[device.signedConfig] = try lab.signedFull()
        world.tvsDefault = tvs
        var machine = machine(memory: BootMemory(trustStore: installed, mic: try mic(), tvsServers: servers))
        world.run(&machine)
        return (world, machine)
    }

    /// The last config was encrypted, so the `.enc.sgn` is asked first; it is encrypted
    /// to a stranger, so the phone falls back to the `.sgn`.
    static func directEncryptedUnusable() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.encryptedConfig] = try lab.encrypted(to: try Vectors.certificate("interop/pki/tvs.pem"))
        world.files[device.signedConfig] = try lab.signedFull()
        var machine = machine(memory: BootMemory(trustStore: try installedITL(), mic: try mic(), lastConfigEncrypted: true))
        world.run(&machine)
        return (world, machine)
    }

    /// Decryption fails and capfAuthMode is 1 with no string: the phone asks.
    static func decryptFailsInModeOne() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        let mic = try mic()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: try LabCluster.md5(mic), capfAuthMode: 1)
        world.files[device.encryptedConfig] = try lab.encrypted(to: try Vectors.certificate("interop/pki/tvs.pem"))
        var machine = machine(memory: BootMemory(mic: mic))
        world.run(&machine)
        return (world, machine)
    }

    /// `.timePassed` before the deadline: the machine keeps waiting.
    static func earlyTimePassed() throws -> ScriptedWorld {
        var (world, machine) = try waitingMachine()
        let step = machine.handle(.timePassed, now: 1)
        world.record(step)
        return world
    }

    /// A machine left in `.waiting` (CAPF unreachable, first round).
    static func waitingMachine() throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        var machine = machine(memory: BootMemory(mic: try mic()))
        let partial = try lab.partial(certHash: "")
        var step = machine.handle(.start, now: 0)
        world.record(step)
        for name in ["CTLSEPA45630BBFA40.tlv", "CTLFile.tlv", "ITLSEPA45630BBFA40.tlv"] {
            step = machine.handle(.fileNotFound(name: name), now: 0)
            world.record(step)
        }
        step = machine.handle(.fileArrived(name: "ITLFile.tlv", bytes: lab.itl), now: 0)
        world.record(step)
        step = machine.handle(.fileArrived(name: device.signedConfig, bytes: partial), now: 0)
        world.record(step)
        step = machine.handle(.capfFinished(.failed(.channel(.connect(.refused)))), now: 0)
        world.record(step)
        return (world, machine)
    }
}

extension ScriptedWorld {
    /// Records a step driven by hand (not through `BootRunner`).
    func record(_ step: BootStep) {
        log(step.event, transition: step.transition)
    }
}

// MARK: Keys in a store that fails

import CExternalKey

extension BootScenarios {
    /// The MIC's certificate with a private key held "outside" whose unwrap answers
    /// `decryptAnswer` (a store's CKR code, or `PHONE_EXTERNAL_KEY_REFUSED_INPUT`).
    static func identityWithExternalKey(decryptAnswer: UInt) throws -> Identity {
        let certificate = try mic().certificate
        let operations = UnsafeMutablePointer<phone_external_key_ops>.allocate(capacity: 1)  // lives as long as the test process
        operations.initialize(to: phone_external_key_ops(
            sign: { _, _, _, _, _, _ in 0x30 },
            decrypt: { key, _, _, _, _, _ in key!.load(as: UInt.self) },
            release: { key in key!.deallocate() }))
        let answer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<UInt>.size, alignment: MemoryLayout<UInt>.alignment)
        answer.storeBytes(of: decryptAnswer, as: UInt.self)
        let key = try PrivateKey.external(publicKey: try certificate.publicKey(), operations: operations, key: answer)
        return try Identity(certificate: certificate, privateKey: key)
    }

    /// The partial configuration names `identity`'s hash and the `.enc.sgn` is encrypted to
    /// it: the phone unwraps with its own key, no CAPF needed.
    static func encryptedToOwnKey(_ identity: Identity) throws -> (ScriptedWorld, BootMachine) {
        let lab = try LabCluster()
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[device.signedConfig] = try lab.partial(certHash: try LabCluster.md5(identity))
        world.files[device.encryptedConfig] = try lab.encrypted(to: identity.certificate)
        var machine = machine(memory: BootMemory(mic: identity))
        world.run(&machine)
        return (world, machine)
    }
}
