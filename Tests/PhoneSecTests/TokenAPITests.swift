import CPhoneSec
@testable import CUCMLab
import Foundation
import HostProcess
import LabSupport
@testable import PhoneSec
import XCTest

/// The C API with the private keys on a PKCS#11 token (SoftHSM2, a token directory of the
/// test's own): a factory-fresh phone enrols through `phonesec_boot` with its LSC's key
/// generated on the token, the `.enc.sgn` unwrapped there, and a SIP-TLS REGISTER goes
/// over a channel whose client signature the token makes; nothing private on the flash.
final class TokenAPITests: XCTestCase {
    var fixture: LabFixture!
    var message = phonesec_message()
    var tokens: URL!
    let module = "/usr/lib/softhsm/libsofthsm2.so"
    var savedConf: String?

    override func setUpWithError() throws {
        fixture = try LabFixture()
        try fixture.add()
        tokens = fixture.work.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        let conf = fixture.work.appendingPathComponent("softhsm2.conf")
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(to: conf, atomically: true, encoding: .utf8)
        // SoftHSM2 reads it when the phone first loads it, in this process; put back after.
        savedConf = getenv("SOFTHSM2_CONF").map { String(cString: $0) }
        setenv("SOFTHSM2_CONF", conf.path, 1)
        let made = try ProgramRun.run("/usr/bin/softhsm2-util", ["--init-token", "--free", "--label", "phonesec", "--pin", "73914628",
                                                                 "--so-pin", "5678"], environment: ["SOFTHSM2_CONF": conf.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        try "73914628\n".write(to: fixture.work.appendingPathComponent("pin"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let savedConf { setenv("SOFTHSM2_CONF", savedConf, 1) } else { unsetenv("SOFTHSM2_CONF") }
        fixture.close()
    }

    private func open(pinFile: String, tokenLabel: String? = "phonesec") -> (phonesec_status, OpaquePointer?) {
        var handle: OpaquePointer?
        let status = fixture.state.withCString { directory in
            "A4:56:30:BB:FA:40".withCString { mac in
                fixture.mic.withCString { mic in
                    module.withCString { module in
                        pinFile.withCString { pin in
                            (tokenLabel ?? "").withCString { label in
                                var options = phonesec_phone_options()
                                options.state_directory = directory
                                options.mac = mac
                                options.mic_pem_path = mic
                                options.pkcs11_module = module
                                options.token_label = tokenLabel == nil ? nil : label
                                options.pin_file = pin
                                return phonesec_phone_open(&options, &handle, &message)
                            }
                        }
                    }
                }
            }
        }
        return (status, handle)
    }

    func testAPhoneEnrolsWithItsKeyOnTheTokenAndRegistersOverAChannel() throws {
        let (status, opened) = open(pinFile: fixture.work.appendingPathComponent("pin").path)
        XCTAssertEqual(status, PHONESEC_OK, text(message.text))
        let phone = try XCTUnwrap(opened)
        defer { phonesec_phone_close(phone) }
        var result = phonesec_boot_result()
        let server = "127.0.0.1:" + String(fixture.server.httpPort)
        let booted = server.withCString { serverText in
            var servers: [UnsafePointer<CChar>?] = [serverText]
            return servers.withUnsafeMutableBufferPointer { list in
                var options = phonesec_boot_options()
                options.servers = UnsafePointer(list.baseAddress)
                options.server_count = 1
                options.transport = PHONESEC_TRANSPORT_HTTP
                options.backoff_ms = 20
                return phonesec_boot(phone, &options, &result, &message)
            }
        }
        XCTAssertEqual(booted, PHONESEC_OK, text(message.text) + "\n" + fixture.labLog)
        XCTAssertEqual(result.configured, 1)
        XCTAssertEqual(result.security_mode, 3, "the .enc.sgn, unwrapped by the token's key")

        let lsc = try String(contentsOfFile: fixture.state + "/lsc.pem", encoding: .utf8)
        XCTAssertEqual(lsc.components(separatedBy: "-----BEGIN").count - 1, 1, "lsc.pem holds the certificate alone")
        XCTAssertFalse(lsc.contains("PRIVATE KEY"))
        var info = phonesec_phone_info()
        XCTAssertEqual(phonesec_phone_info_get(phone, &info, &message), PHONESEC_OK, text(message.text))
        XCTAssertEqual(info.lsc.present, 1)

        var channel: UInt32 = 0
        var trust = phonesec_trust_result()
        let channelOpened = "127.0.0.1".withCString { host in
            phonesec_channel_open(phone, host, fixture.server.sipTLSPort, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, &trust, &message)
        }
        XCTAssertEqual(channelOpened, PHONESEC_OK, text(message.text))
        XCTAssertEqual(SIPRegister.status(phone: phone, channel: channel, device: fixture.device, message: &message), 200,
                       "the LSC on the token signed the client handshake: " + text(message.text))
        XCTAssertEqual(phonesec_channel_close(phone, channel, &message), PHONESEC_OK)

        // Without the token the LSC cannot be used: refused, never the MIC in its place.
        var plain: OpaquePointer?
        let refused = fixture.state.withCString { directory in
            "A4:56:30:BB:FA:40".withCString { mac in
                var options = phonesec_phone_options()
                options.state_directory = directory
                options.mac = mac
                return phonesec_phone_open(&options, &plain, &message)
            }
        }
        XCTAssertEqual(refused, PHONESEC_ERR_KEY_STORE, text(message.text))
        XCTAssertNil(plain)
        XCTAssertTrue(text(message.text).contains("the key is on a token"), text(message.text))
    }

    func testAWrongPINAndHalfTheOptionsAreRefused() throws {
        let wrong = fixture.work.appendingPathComponent("wrong-pin").path
        try "11111111\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let (status, handle) = open(pinFile: wrong)
        XCTAssertEqual(status, PHONESEC_ERR_KEY_STORE)
        XCTAssertNil(handle)
        XCTAssertTrue(text(message.text).contains("the token refused the PIN"), text(message.text))
        XCTAssertFalse(text(message.text).contains("11111111"))

        let (half, none) = open(pinFile: wrong, tokenLabel: nil)
        XCTAssertEqual(half, PHONESEC_ERR_ARGUMENT)
        XCTAssertNil(none)
    }
}
