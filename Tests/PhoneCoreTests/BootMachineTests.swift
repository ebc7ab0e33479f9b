import CExternalKey
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

final class BootMachineTests: XCTestCase {
    let device = BootScenarios.device
    let plainConfig = try! DeviceConfiguration.parse(Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml"))

    func testTroubleshootingNoteEndToEnd() throws {
        let (world, machine) = try BootScenarios.troubleshootingNote()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.configuration, plainConfig)
        XCTAssertEqual(world.fetched, [
            "CTLSEPA45630BBFA40.tlv", "CTLFile.tlv", "ITLSEPA45630BBFA40.tlv", "ITLFile.tlv",
            "SEPA45630BBFA40.cnf.xml.sgn",
            // CAPF, new LSC, reset:
            "CTLSEPA45630BBFA40.tlv", "CTLFile.tlv", "ITLSEPA45630BBFA40.tlv", "ITLFile.tlv",
            "SEPA45630BBFA40.cnf.xml.sgn", "SEPA45630BBFA40.cnf.xml.enc.sgn",
        ])
        XCTAssertEqual(world.capfRequests.count, 1)
        let request = try XCTUnwrap(world.capfRequests.first)
        XCTAssertEqual(request.reason, .keyMismatch)
        XCTAssertEqual(request.mode, .automatic)
        XCTAssertEqual(request.server, .init(host: "127.0.0.1", port: 3804))
        XCTAssertEqual(world.resets, 1)
        // The ITL was installed once (first use); the second time it was unchanged.
        XCTAssertEqual(world.persistedTrustLists.count, 1)
        XCTAssertEqual(world.persistedEncryptedFlags, [true])
        XCTAssertEqual(machine.memory.lsc?.certificate.der, try BootScenarios.issuedLSC().certificate.der)
        XCTAssertTrue(world.events.contains(.trustListInstalled(name: "ITLFile.tlv", kind: .itl, outcome: .firstUse,
                                                                signer: "CN=SAST-A45630BBFA40,O=Lab,OU=Security")), world.log)
        let checks = world.partialConfigChecks
        XCTAssertEqual(checks.count, 2, world.log)
        let (before, enrolling) = try XCTUnwrap(checks.first)
        XCTAssertEqual(before.certHash, "")
        XCTAssertEqual(before.ownHash, "276adb402e2a9b37cf378b787e2272f3")
        XCTAssertEqual(before.ownCertificate, .mic)
        XCTAssertFalse(before.matches)
        guard case .enrolling(let attempt) = enrolling else { return XCTFail("\(enrolling)") }
        XCTAssertEqual(attempt.server, .init(host: "127.0.0.1", port: 3804))
        XCTAssertEqual(attempt.mode, .automatic)
        XCTAssertEqual(attempt.reason, .keyMismatch)
        XCTAssertTrue(world.events.contains { event in
            guard case .capfEnded(.installed(let subject), .resetting) = event else { return false }
            return subject.hasPrefix("CN=CP-8841-SEP0CD0F8000001")
        }, world.log)
        let (after, fetching) = try XCTUnwrap(checks.last)
        XCTAssertEqual(after.ownCertificate, .lsc)
        XCTAssertEqual(after.ownHash, try LabCluster.md5(try BootScenarios.issuedLSC()))
        XCTAssertTrue(after.matches)
        XCTAssertEqual(fetching, .fetching("SEPA45630BBFA40.cnf.xml.enc.sgn"))
        XCTAssertEqual(world.events.last, .configApplied(name: "SEPA45630BBFA40.cnf.xml.enc.sgn",
                                                         signer: "CN=cucm-A45630BBFA40,O=Lab,OU=Voice", encrypted: true))
    }

    /// On a board the reset is a reboot: the run ends at the reset with the new LSC on the
    /// flash, and the next power-on — a new machine that knows only what was persisted —
    /// configures from it without CAPF.
    func testABoardResetEndsTheRunAndThePowerOnAfterItBootsFromTheFlash() throws {
        let (world, machine) = try BootScenarios.troubleshootingNote(resets: .board)
        guard case .resetByBoard = world.result else { return XCTFail("\(String(describing: world.result))\n" + world.log) }
        XCTAssertEqual(machine.stateKind, .resetting)
        XCTAssertEqual(world.resets, 1)
        XCTAssertEqual(world.capfRequests.count, 1)
        // The CAPF runner stores the LSC before it reports (the scripted CAPF only hands it over).
        let lsc = try XCTUnwrap(machine.memory.lsc)
        XCTAssertEqual(world.persistedTrustLists.map(\.0), [.itl])
        var store = TrustStore()
        for (kind, bytes) in world.persistedTrustLists { _ = try store.install(bytes, kind: kind, servedAs: "ITLFile.tlv") }

        var powerOn = BootScenarios.machine(memory: BootMemory(trustStore: store, mic: try BootScenarios.mic(), lsc: lsc))
        XCTAssertEqual(world.run(&powerOn), .configured, world.log)
        XCTAssertEqual(world.capfRequests.count, 1, "no second enrolment")
        XCTAssertEqual(world.resets, 1)
        XCTAssertEqual(world.persistedEncryptedFlags, [true])
    }

    func testVectorsWithTheMICNeedNoCAPF() throws {
        let (world, machine) = try BootScenarios.vectorsWithMIC()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.configuration, plainConfig)
        XCTAssertTrue(world.capfRequests.isEmpty)
        XCTAssertEqual(world.fetched.suffix(2), ["SEPA45630BBFA40.cnf.xml.sgn", "SEPA45630BBFA40.cnf.xml.enc.sgn"])
    }

    func testEncryptedFlagMakesTheNextBootAskForTheEncSgnFirst() throws {
        let (_, first) = try BootScenarios.vectorsWithMIC()
        XCTAssertTrue(first.memory.lastConfigEncrypted)
        let world = ScriptedWorld()
        world.files["ITLFile.tlv"] = Vectors.bytes("interop/ITLFile.tlv")
        world.files[device.encryptedConfig] = Vectors.bytes("interop/SEPA45630BBFA40.cnf.xml.enc.sgn")
        var second = BootScenarios.machine(memory: first.memory)
        world.run(&second)
        XCTAssertEqual(second.stateKind, .configured, world.log)
        XCTAssertEqual(world.fetched.last, "SEPA45630BBFA40.cnf.xml.enc.sgn")
        XCTAssertFalse(world.fetched.contains("SEPA45630BBFA40.cnf.xml.sgn"))
    }

    func testDirectEncryptedConfigUnusableFallsBackToTheSgn() throws {
        let (world, machine) = try BootScenarios.directEncryptedUnusable()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.fetched.suffix(2), ["SEPA45630BBFA40.cnf.xml.enc.sgn", "SEPA45630BBFA40.cnf.xml.sgn"])
        XCTAssertEqual(world.persistedEncryptedFlags, [false])
        XCTAssertTrue(world.events.contains { if case .directDecryptFailed(_, _, .fetching(device.signedConfig)) = $0 { return true }; return false })
    }

    func testNoCTLAndPerDeviceITLPreferred() throws {
        let (world, machine) = try BootScenarios.perDeviceITL()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        // CTLSEP missing, CTLFile installed; ITLSEP served, so ITLFile is never asked for.
        XCTAssertEqual(Array(world.fetched.prefix(3)), ["CTLSEPA45630BBFA40.tlv", "CTLFile.tlv", "ITLSEPA45630BBFA40.tlv"])
        XCTAssertFalse(world.fetched.contains("ITLFile.tlv"))
        XCTAssertEqual(world.persistedTrustLists.map(\.0), [.ctl, .itl])
        XCTAssertNotNil(machine.memory.trustStore.ctl)
    }

    func testRogueITLIsRejectedTheOldListKeptAndTheBootGoesOn() throws {
        let (world, machine) = try BootScenarios.rogueITLAfterGoodOne()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertTrue(world.persistedTrustLists.isEmpty)
        XCTAssertEqual(machine.memory.trustStore.itl?.list.bytes, Vectors.bytes("interop/ITLFile.tlv"))
        // The installed ITL does not list the rogue signer; with no TVS to vouch for it, it is refused.
        XCTAssertTrue(world.events.contains { event in
            guard case .trustListNotVouched("ITLFile.tlv", .itl, .signerUnknown(let subject), let verdict) = event else { return false }
            return subject.hasPrefix("CN=ROGUE") && verdict.answer == .notTrusted(.noTVSServer)
        }, world.log)
    }

    func testNonSecureClusterServesTheFullSignedConfig() throws {
        let (world, machine) = try BootScenarios.nonSecure()
        XCTAssertEqual(machine.stateKind, .configured)
        XCTAssertEqual(world.configuration, plainConfig)
        XCTAssertTrue(world.capfRequests.isEmpty)
        XCTAssertTrue(world.persistedEncryptedFlags.isEmpty)
        XCTAssertEqual(world.events.last, .configApplied(name: "SEPA45630BBFA40.cnf.xml.sgn",
                                                         signer: "CN=cucm-A45630BBFA40,O=Lab,OU=Voice", encrypted: false))
    }

    func testDecryptionFailureLeadsToCAPFOnceNotForever() throws {
        let (world, machine) = try BootScenarios.undecryptable()
        XCTAssertEqual(machine.stateKind, .failed, world.log)
        XCTAssertEqual(world.capfRequests.map(\.reason), [.decryptionFailed])
        XCTAssertEqual(world.resets, 1)
        guard case .decryptionFailed(.keyUnwrapFailed) = world.failure else { return XCTFail("\(String(describing: world.failure))") }
    }

    /// A key store that fails under CAPF (the key generation, or the signature of the
    /// authentication) ends the boot at once with its code: no other server, no round.
    func testAKeyStoreFailureInCAPFEndsTheBootAtOnce() throws {
        let removed = CryptoError(.keyGeneration, code: CryptoError.externalBase - 0x32)
        for problem in [CAPFProblem.session(.keyGenerationFailed(removed)), .session(.signingFailed(removed))] {
            let (world, machine) = try BootScenarios.capfAnswers(capfServers: ["capf-a", "capf-b"]) { _ in .failed(problem) }
            XCTAssertEqual(machine.stateKind, .failed, world.log)
            XCTAssertEqual(world.failure, .keyStoreFailed(code: 0x32))
            XCTAssertEqual(world.capfRequests.count, 1)
            XCTAssertEqual(world.clock, 0, "no back-off")
        }
        // A failure of mbedTLS itself (not the store's) is retried as before.
        let (world, _) = try BootScenarios.capfAnswers { _ in .failed(.session(.keyGenerationFailed(CryptoError(.keyGeneration, code: -0x4080)))) }
        XCTAssertGreaterThan(world.capfRequests.count, 1)
    }

    /// The `.enc.sgn` unwrap with a key whose store fails ends the boot with the store's
    /// code; a ciphertext the store says is not for its key is the cluster's doing, and
    /// leads to CAPF once as with a key in memory.
    func testAKeyStoreFailureInTheUnwrapEndsTheBootAndARefusedInputDoesNot() throws {
        let failing = try BootScenarios.identityWithExternalKey(decryptAnswer: 0x30)
        let (world, machine) = try BootScenarios.encryptedToOwnKey(failing)
        XCTAssertEqual(machine.stateKind, .failed, world.log)
        XCTAssertEqual(world.failure, .keyStoreFailed(code: 0x30))
        XCTAssertTrue(world.capfRequests.isEmpty)

        let refusing = try BootScenarios.identityWithExternalKey(decryptAnswer: PHONE_EXTERNAL_KEY_REFUSED_INPUT)
        let (refused, _) = try BootScenarios.encryptedToOwnKey(refusing)
        XCTAssertEqual(refused.capfRequests.map(\.reason), [.decryptionFailed], refused.log)
    }

    func testTamperedEncryptedConfigIsRejectedWithoutLooping() throws {
        let (world, machine) = try BootScenarios.tamperedEncrypted()
        XCTAssertEqual(machine.stateKind, .failed)
        XCTAssertTrue(world.capfRequests.isEmpty)
        guard case .configRejected(let file, .badSignature) = world.failure else { return XCTFail("\(String(describing: world.failure))") }
        XCTAssertEqual(file, "SEPA45630BBFA40.cnf.xml.enc.sgn")
    }

    func testModeOneWithoutAStringWaitsForIt() throws {
        var (world, machine) = try BootScenarios.authStringNeeded()
        XCTAssertEqual(machine.stateKind, .awaitingAuthString)
        XCTAssertTrue(world.waitingForUser)
        XCTAssertTrue(world.capfRequests.isEmpty)
        // A bad string is refused; a good one starts CAPF with it.
        XCTAssertEqual(world.resume(&machine, with: .authStringEntered(Array("12a4".utf8))), .awaitingAuthString)
        XCTAssertEqual(world.resume(&machine, with: .authStringEntered(Array("123456".utf8))), .configured, world.log)
        XCTAssertEqual(world.capfRequests.map(\.authString), [Array("123456".utf8)])
        XCTAssertFalse(world.log.contains("123456"), "the string must never be logged")
    }

    func testModeOneWithAStringGivenBeforehand() throws {
        let (world, machine) = try BootScenarios.authStringNeeded(preEntered: Array("4321".utf8))
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.capfRequests.map(\.authString), [Array("4321".utf8)])
        XCTAssertFalse(world.log.contains("4321"))
    }

    func testModeOneWrongStringAsksAgain() throws {
        let (world, machine) = try BootScenarios.authStringNeeded(typed: [Array("111111".utf8), Array("123456".utf8)],
                                                                  firstAnswer: .invalidAuthentication)
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.capfRequests.map(\.authString), [Array("111111".utf8), Array("123456".utf8)])
        XCTAssertTrue(world.events.contains(.capfEnded(.invalidAuthentication, then: .askingForAuthString(retry: true))), world.log)
    }

    func testEveryCAPFServerUnreachableBacksOffAndGivesUp() throws {
        let (world, machine) = try BootScenarios.capfUnreachable()
        XCTAssertEqual(machine.stateKind, .failed)
        // Two servers, four rounds (the first and three retries), 30 s apart.
        XCTAssertEqual(world.capfRequests.map(\.server.host), Array(repeating: ["capf-a", "capf-b"], count: 4).flatMap { $0 })
        XCTAssertEqual(world.clock, 90_000)
        XCTAssertEqual(world.failure, .encryptedConfigUnavailable(.capfUnreachable(rounds: 4, last: .channel(.connect(.refused)))))
    }

    func testEncryptedConfigNeverServedBacksOffWithGrowingDelays() throws {
        let (world, machine) = try BootScenarios.encryptedNeverServed()
        XCTAssertEqual(machine.stateKind, .failed)
        XCTAssertEqual(world.fetched.filter { $0 == "SEPA45630BBFA40.cnf.xml.enc.sgn" }.count, 5)
        XCTAssertEqual(world.clock, 30_000 + 60_000 + 120_000 + 240_000)
        XCTAssertEqual(world.failure, .encryptedConfigUnavailable(.notServed(file: "SEPA45630BBFA40.cnf.xml.enc.sgn")))
    }

    func testNothingScheduledDoesNotLoop() throws {
        let (world, machine) = try BootScenarios.capfAnswers { _ in .nothingScheduled }
        XCTAssertEqual(machine.stateKind, .failed)
        XCTAssertEqual(world.capfRequests.count, 5)
        XCTAssertEqual(world.failure, .encryptedConfigUnavailable(.capfWithoutNewCertificate(.nothingScheduled)))
    }

    func testRetryLaterIsHonouredAndBounded() throws {
        let (world, machine) = try BootScenarios.capfAnswers { _ in .retryLater(seconds: 5000) }
        XCTAssertEqual(machine.stateKind, .failed)
        XCTAssertEqual(world.capfRequests.count, 4)
        // Each delay capped at 10 minutes.
        XCTAssertEqual(world.clock, 3 * 600_000)
        XCTAssertEqual(world.failure, .encryptedConfigUnavailable(.capfRetryLaterForever))
    }

    func testUnknownDeviceAndDeletedCertificate() throws {
        let (unknown, unknownMachine) = try BootScenarios.capfAnswers { _ in .unknownDevice }
        XCTAssertEqual(unknownMachine.stateKind, .failed)
        XCTAssertEqual(unknown.failure, .capfRefused(.unknownDevice))

        // A delete is a change: reset; the cluster still holds no hash, CAPF says it
        // deleted again, and the reset cap ends it.
        let (deleted, deletedMachine) = try BootScenarios.capfAnswers { _ in .deleted }
        XCTAssertEqual(deletedMachine.stateKind, .failed)
        XCTAssertEqual(deleted.resets, 4)
        XCTAssertEqual(deleted.failure, .tooManyResets(4))
    }

    /// On a board every reset is a reboot and a new machine: the count rides on the flash
    /// (`BootMemory.boardResets`), so a cluster that changes the LSC at every boot stops
    /// at the same bound as in-process resets, before a fetch.
    func testABoardsResetsCountTowardTheBoundAcrossPowerOns() throws {
        let world = ScriptedWorld()
        world.resetKind = .board
        let lab = try LabCluster()
        world.files["ITLFile.tlv"] = lab.itl
        world.files[BootScenarios.device.signedConfig] = try lab.partial(certHash: "")
        world.capfDefault = { _ in .deleted }
        var flashCount = 0
        for powerOn in 1...4 {
            var machine = BootScenarios.machine(memory: BootMemory(mic: try BootScenarios.mic(), boardResets: flashCount))
            world.run(&machine)
            guard case .resetByBoard = world.result else { return XCTFail("power-on \(powerOn): \(world.log)") }
            flashCount = try XCTUnwrap(world.resetCounts.last)
            XCTAssertEqual(flashCount, powerOn)
        }
        let fetchesBefore = world.fetched.count
        var fifth = BootScenarios.machine(memory: BootMemory(mic: try BootScenarios.mic(), boardResets: flashCount))
        XCTAssertEqual(world.run(&fifth), .failed, world.log)
        XCTAssertEqual(world.failure, .tooManyResets(4))
        XCTAssertEqual(world.fetched.count, fetchesBefore, "stopped before any fetch")
        XCTAssertEqual(world.capfRequests.count, 4)
    }

    func testCAPFProtocolFailureIsRetriedLikeUnreachable() throws {
        let (world, _) = try BootScenarios.capfAnswers { _ in .failed(.certificateRefused(.notDER)) }
        XCTAssertEqual(world.capfRequests.count, 4)
        XCTAssertEqual(world.failure, .encryptedConfigUnavailable(.capfUnreachable(rounds: 4, last: .certificateRefused(.notDER))))
    }

    func testCertificateModesAndUnsupportedModes() throws {
        let (three, _) = try BootScenarios.capfAnswers({ _ in .unknownDevice }, capfAuthMode: 3)
        XCTAssertEqual(three.capfRequests.map(\.mode), [.existingCertificate(lscFirst: true)])
        let (four, _) = try BootScenarios.capfAnswers({ _ in .unknownDevice }, capfAuthMode: 4)
        XCTAssertEqual(four.capfRequests.map(\.mode), [.existingCertificate(lscFirst: false)])
        let (two, _) = try BootScenarios.capfAnswers({ _ in .unknownDevice }, capfAuthMode: 2)
        XCTAssertEqual(two.capfRequests.map(\.mode), [.nullString])
        let (seven, _) = try BootScenarios.capfAnswers({ _ in .unknownDevice }, capfAuthMode: 7)
        XCTAssertEqual(seven.failure, .unsupportedCAPFAuthMode(7))
        XCTAssertTrue(seven.capfRequests.isEmpty)
        let (noCertificate, _) = try BootScenarios.capfAnswers({ _ in .unknownDevice }, capfAuthMode: 3, memory: BootMemory())
        XCTAssertEqual(noCertificate.failure, .noCertificateForCAPF)
    }

    func testNoTrustListUsesThePlainConfigName() throws {
        let plain = Vectors.bytes("interop/plain-SEPA45630BBFA40.cnf.xml")
        let (world, machine) = try BootScenarios.noTrustList(config: plain)
        XCTAssertEqual(machine.stateKind, .configured)
        XCTAssertEqual(world.fetched.last, "SEPA45630BBFA40.cnf.xml")
        XCTAssertTrue(world.events.contains(.noTrustList(then: .fetching("SEPA45630BBFA40.cnf.xml"))), world.log)
        XCTAssertEqual(world.configuration, plainConfig)

        let partial = try SignedFile.parse(Vectors.bytes("interop/partial-SEPA45630BBFA40.cnf.xml.sgn"))
        let (unsigned, _) = try BootScenarios.noTrustList(config: Array(partial[partial.body]))
        XCTAssertEqual(unsigned.failure, .partialConfigWithoutTrustList)

        let (auto, autoMachine) = try BootScenarios.noTrustList(config: nil, defaultConfig: plain)
        XCTAssertEqual(autoMachine.stateKind, .configured)
        XCTAssertEqual(auto.fetched.last, "XMLDefault.cnf.xml")

        let (nothing, _) = try BootScenarios.noTrustList(config: nil)
        XCTAssertEqual(nothing.failure, .configNotFound)
    }

    func testUnknownPhoneGetsXMLDefault() throws {
        let (world, machine) = try BootScenarios.defaultConfig()
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertEqual(world.fetched.suffix(2), ["SEPA45630BBFA40.cnf.xml.sgn", "XMLDefault.cnf.xml.sgn"])
    }

    func testServerFailover() throws {
        let (world, machine) = try BootScenarios.servers(dead: [0], count: 2)
        XCTAssertEqual(machine.stateKind, .configured, world.log)
        XCTAssertTrue(world.events.contains(.fetchFailed(name: "CTLSEPA45630BBFA40.tlv", server: 0, cause: .connection(.timedOut),
                                                         nextServer: 1)), world.log)
        let (dead, deadMachine) = try BootScenarios.servers(dead: [0, 1], count: 2)
        XCTAssertEqual(deadMachine.stateKind, .failed)
        XCTAssertEqual(dead.failure, .unreachable(file: "CTLSEPA45630BBFA40.tlv"))
    }

    func testConfigAndEncryptedConfigFailover() throws {
        for name in [device.signedConfig, device.encryptedConfig] {
            let (two, twoMachine) = try BootScenarios.fileFailsOnFirstServer(name, count: 2)
            XCTAssertEqual(twoMachine.stateKind, .configured, two.log)
            XCTAssertTrue(two.events.contains(.fetchFailed(name: name, server: 0, cause: .connection(.timedOut), nextServer: 1)),
                          two.log)
            let (one, oneMachine) = try BootScenarios.fileFailsOnFirstServer(name, count: 1)
            XCTAssertEqual(oneMachine.stateKind, .failed)
            XCTAssertEqual(one.failure, .unreachable(file: name))
        }
    }

    func testDecryptionFailureInModeOneAsksForTheString() throws {
        let (world, machine) = try BootScenarios.decryptFailsInModeOne()
        XCTAssertEqual(machine.stateKind, .awaitingAuthString, world.log)
        XCTAssertTrue(world.events.contains(.decryptionFailed(name: device.encryptedConfig, cause: .keyUnwrapFailed,
                                                              then: .askingForAuthString(retry: false))), world.log)
    }

    func testRejectedAndMalformedConfigs() throws {
        let lab = try LabCluster()
        // Signed by a certificate the ITL does not list.
        let rogue = try SignedFileWriter.signedConfig(lab.plain, filename: device.signedConfig,
                                                      signer: try Vectors.identity("interop/pki/rogue-sast.pem"),
                                                      timestamp: 1, rng: lab.rng)
        let malformed = try SignedFileWriter.signedConfig(Array("<device><fullConfig>".utf8), filename: device.signedConfig,
                                                          signer: lab.tftp, timestamp: 1, rng: lab.rng)
        let noEncryption = try lab.partial(certHash: "", encrConfig: "false")
        let noCAPF = try lab.partial(certHash: "", capfServers: [])
        for (bytes, check) in [(rogue, { (f: BootFailure?) -> Bool in if case .configRejected(_, .signerUnknown) = f { return true }; return false }),
                               (malformed, { if case .configMalformed = $0 { return true }; return false }),
                               (noEncryption, { $0 == .partialConfigWithoutEncryption }),
                               (noCAPF, { $0 == .noCAPFServer })] {
            let world = ScriptedWorld()
            world.files["ITLFile.tlv"] = lab.itl
            world.files[device.signedConfig] = bytes
            var machine = BootScenarios.machine(memory: BootMemory(mic: try BootScenarios.mic()))
            world.run(&machine)
            XCTAssertEqual(machine.stateKind, .failed)
            XCTAssertTrue(check(world.failure), "\(String(describing: world.failure))")
        }
    }

    func testUnexpectedInputsAreIgnoredAndLogged() throws {
        var machine = BootScenarios.machine(memory: BootMemory())
        let early = machine.handle(.fileArrived(name: "ITLFile.tlv", bytes: []), now: 0)
        XCTAssertEqual(early.event, .ignored(input: .fileArrived, state: .idle))
        XCTAssertNil(early.transition)
        XCTAssertTrue(early.actions.isEmpty)
        XCTAssertEqual(machine.stateKind, .idle)
        _ = machine.handle(.start, now: 0)
        // A file nobody asked for.
        let stray = machine.handle(.fileArrived(name: "evil.tlv", bytes: [1, 2, 3]), now: 0)
        XCTAssertEqual(stray.event, .ignored(input: .fileArrived, state: .fetchingTrustList))
        XCTAssertEqual(machine.stateKind, .fetchingTrustList)
    }

    func testWaitingIgnoresEarlyTime() throws {
        var (_, machine) = try BootScenarios.waitingMachine()
        XCTAssertEqual(machine.stateKind, .waiting)
        let early = machine.handle(.timePassed, now: 29_999)
        XCTAssertEqual(early.event, .stillWaiting(untilMs: 30_000))
        XCTAssertEqual(machine.stateKind, .waiting)
        let due = machine.handle(.timePassed, now: 30_000)
        XCTAssertEqual(machine.stateKind, .runningCAPF)
        guard case .runCAPF = due.actions.first else { return XCTFail() }
    }

    /// Every row of the transition table is taken by at least one scenario, and every
    /// transition taken is a row (the machine checks that itself).
    func testEveryTableRowIsExercised() throws {
        let taken = try BootScenarios.allOfThem().flatMap(\.transitions)
        let missing = BootTransitions.table.filter { !taken.contains($0) }
        XCTAssertEqual(missing.map { "\($0.from) -\($0.on)-> \($0.to): \($0.because)" }, [])
    }

    /// Every step's event reaches the console: the transitions the console was given form
    /// one unbroken chain from `idle` to where each boot ended, so no step went unlogged.
    func testEveryStepReachesTheConsole() throws {
        for world in try BootScenarios.allOfThem() {
            let chain = world.transitions
            XCTAssertEqual(chain.first?.from, .idle, world.log)
            for (before, after) in zip(chain, chain.dropFirst()) {
                XCTAssertEqual(after.from, before.to, "a step between them was not logged:\n" + world.log)
            }
        }
    }

    /// Events carry data, never a secret: no key, no string, nothing of the config's secrets.
    func testNoSecretInAnyEvent() throws {
        let worlds = try BootScenarios.allOfThem()
        let mic = try BootScenarios.mic()
        let pem = String(decoding: try mic.privateKey.exportPEM().copyBytes(), as: UTF8.self)
        let keyLine = try XCTUnwrap(pem.split(separator: "\n").dropFirst().first)
        for world in worlds {
            let log = world.log + "\(world.capfEvents)"
            XCTAssertFalse(log.contains(keyLine))
            XCTAssertFalse(log.contains("S3cret"))
            XCTAssertFalse(log.contains("p@ss"))
            XCTAssertFalse(log.contains("123456"))
        }
    }

    /// An untabled transition cannot be provoked from outside (every input the table lacks
    /// is ignored), so the fault path is checked by the runner: a machine that stops
    /// without a terminal action ends in an internal fault, not a hang.
    func testRunnerWithoutInputsEndsInAnInternalFault() throws {
        var machine = BootScenarios.machine(memory: BootMemory())
        var world = ScriptedWorld()
        guard case .failed(let failure) = BootRunner.run(&machine, on: &world, rng: testRNG(), inputs: []) else {
            return XCTFail("no outcome")
        }
        XCTAssertEqual(failure, .internalFault(.stoppedWithoutOutcome))
    }

    func testDeviceNames() {
        XCTAssertEqual(DeviceName("a4:56:30:bb:fa:40")?.text, "SEPA45630BBFA40")
        XCTAssertEqual(DeviceName("SEPa45630bbfa40")?.text, "SEPA45630BBFA40")
        XCTAssertEqual(DeviceName("A4-56-30-BB-FA-40")?.encryptedConfig, "SEPA45630BBFA40.cnf.xml.enc.sgn")
        XCTAssertNil(DeviceName("A45630BBFA4"))
        XCTAssertNil(DeviceName("../../etc/passwd"))
    }
}
