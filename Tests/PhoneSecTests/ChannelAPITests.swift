import CPhoneSec
@testable import CUCMLab
import Foundation
import LabSupport
import PhoneCrypto
@testable import PhoneSec
import PhoneTrust
import PhoneWire
import XCTest

/// The C API's secure channel, its entry points called as C calls them, against the lab
/// in-process: a phone enrolled by a boot, the lab's SIP-TLS, and a second server of the
/// same lab whose SIP-TLS presents a certificate no list holds and TVS does not vouch for.
final class ChannelAPITests: XCTestCase {
    var fixture: LabFixture!
    var evilLab: Lab!
    var evilServer: LabServer!
    private var evilLines: [String] = []
    private let evilLock = NSLock()
    var phone: OpaquePointer?
    var message = phonesec_message()

    override func setUpWithError() throws {
        fixture = try LabFixture()
        try fixture.add()
        let boot = try fixture.boot()
        XCTAssertEqual(boot.status, 0, boot.stderr)
        evilLab = try Lab(fixture.work.appendingPathComponent("lab")) { [unowned self] line in
            evilLock.lock()
            evilLines.append(line)
            evilLock.unlock()
        }
        evilLab.attack = .sipUntrustedCertificate
        evilServer = try LabServer(lab: evilLab, host: "127.0.0.1", tftpPort: 0, httpPort: 0, capfPort: 0)
        evilServer.start()
        phone = try open(fixture.state)
    }

    override func tearDownWithError() throws {
        phonesec_phone_close(phone)
        evilServer.stop()
        fixture.close()
    }

    var evilLog: [String] {
        evilLock.lock()
        defer { evilLock.unlock() }
        return evilLines
    }

    var said: String { text(message.text) }

    private func open(_ state: String) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let status = state.withCString { directory in
            "A4:56:30:BB:FA:40".withCString { mac in
                var options = phonesec_phone_options()
                options.state_directory = directory
                options.mac = mac
                return phonesec_phone_open(&options, &handle, &message)
            }
        }
        XCTAssertEqual(status, PHONESEC_OK, said)
        return try XCTUnwrap(handle)
    }

    private func openChannel(port: UInt16, _ channel: inout UInt32, _ server: inout phonesec_trust_result) -> phonesec_status {
        "127.0.0.1".withCString { host in
            phonesec_channel_open(phone, host, port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, &server, &message)
        }
    }

    private func register(_ channel: UInt32, as device: String) -> Int {
        SIPRegister.status(phone: phone, channel: channel, device: device, message: &message)
    }

    func testAServerNoListHoldsAndTVSRefusesGetsNoChannelAndOneConnection() {
        var channel: UInt32 = 12345
        var server = phonesec_trust_result()
        let status = openChannel(port: evilServer.sipTLSPort, &channel, &server)
        XCTAssertEqual(status, PHONESEC_ERR_NOT_TRUSTED, said)
        XCTAssertEqual(channel, 0)
        XCTAssertEqual(server.trusted, 0)
        XCTAssertTrue(text(server.subject).contains("CN=stranger"), text(server.subject))
        XCTAssertEqual(server.tvs_servers_asked, 1, "TVS was asked")
        XCTAssertEqual(server.refusal, PHONESEC_REFUSAL_TVS_SAYS_INVALID)
        // One connection: the handshake abandoned at the certificate; never a second one
        // pinned to the certificate nobody vouched for, never a byte of a request.
        XCTAssertEqual(evilLog.filter { $0.contains("ATTACK sip-untrusted-certificate") }.count, 1, evilLog.joined(separator: "\n"))
        XCTAssertFalse(evilLog.contains { $0.contains("REGISTER") })
    }

    func testATrustedCallManagerGetsAChannelAndTheLSCRegisters() {
        var channel: UInt32 = 0
        var server = phonesec_trust_result()
        XCTAssertEqual(openChannel(port: fixture.server.sipTLSPort, &channel, &server), PHONESEC_OK, said)
        XCTAssertNotEqual(channel, 0)
        XCTAssertEqual(server.trusted, 1)
        XCTAssertEqual(server.source, PHONESEC_SOURCE_ITL)
        XCTAssertEqual(register(channel, as: fixture.device), 200, said)
        XCTAssertEqual(register(channel, as: "SEP000000000099"), 403, "this LSC names another device")
        XCTAssertEqual(phonesec_channel_close(phone, channel, &message), PHONESEC_OK)
    }

    func testChannelsAreBoundedAndAClosedNumberStaysClosed() {
        var server = phonesec_trust_result()
        var closed: UInt32 = 0
        XCTAssertEqual(openChannel(port: fixture.server.sipTLSPort, &closed, &server), PHONESEC_OK, said)
        XCTAssertEqual(phonesec_channel_close(phone, closed, &message), PHONESEC_OK)
        XCTAssertEqual(phonesec_channel_close(phone, closed, &message), PHONESEC_ERR_CLOSED)
        var open: [UInt32] = []
        for _ in 0..<Int(PHONESEC_MAX_CHANNELS) {
            var channel: UInt32 = 0
            XCTAssertEqual(openChannel(port: fixture.server.sipTLSPort, &channel, &server), PHONESEC_OK, said)
            open.append(channel)
        }
        var extra: UInt32 = 99
        XCTAssertEqual(openChannel(port: fixture.server.sipTLSPort, &extra, &server), PHONESEC_ERR_TOO_MANY_CHANNELS)
        XCTAssertEqual(extra, 0)
        // The closed number's slot now holds one of the eight: the number still reaches nothing.
        let byte: [UInt8] = [0x78]
        XCTAssertEqual(phonesec_channel_write(phone, closed, byte, 1, &message), PHONESEC_ERR_CLOSED, said)
        var buffer = [UInt8](repeating: 0, count: 1)
        var got = 1
        XCTAssertEqual(phonesec_channel_read(phone, closed, &buffer, 1, &got, 100, &message), PHONESEC_ERR_CLOSED)
        XCTAssertEqual(got, 0)
        XCTAssertEqual(phonesec_channel_write(phone, 0, byte, 1, &message), PHONESEC_ERR_CLOSED, "0 is never open")
        for channel in open { XCTAssertEqual(phonesec_channel_close(phone, channel, &message), PHONESEC_OK) }
    }

    // The call-control rows of the acceptance table (PhoneCoreTests.ServerAcceptanceTests),
    // against the secure channel and the lab: the lab's CallManager (listed, RSA), and a
    // stranger (not listed, RSA) that TVS vouches for, refuses, or cannot be asked about.

    func testAListedCallManagerIsConnectedWithoutTVS() {
        var channel: UInt32 = 0
        var server = phonesec_trust_result()
        XCTAssertEqual(openChannel(port: fixture.server.sipTLSPort, &channel, &server), PHONESEC_OK, said)
        XCTAssertEqual(server.source, PHONESEC_SOURCE_ITL)
        XCTAssertEqual(server.tvs_servers_asked, 0)
        XCTAssertEqual(phonesec_channel_close(phone, channel, &message), PHONESEC_OK)
    }

    func testAStrangerTVSVouchesForIsConnectedOnceMorePinnedToIt() throws {
        let stranger = evilLab.stranger.certificate
        try fixture.lab.devices.upsertTVS(.init(subject: stranger.subject, certificate: stranger.der, roles: [TrustRole.ccm.rawValue],
                                                ttl: 60), sha256: hexString(try Digest.hash(.sha256, stranger.der)))
        var channel: UInt32 = 0
        var server = phonesec_trust_result()
        XCTAssertEqual(openChannel(port: evilServer.sipTLSPort, &channel, &server), PHONESEC_OK, said)
        XCTAssertEqual(server.source, PHONESEC_SOURCE_TVS)
        XCTAssertEqual(text(server.role), "CCM")
        XCTAssertEqual(evilLog.filter { $0.contains("ATTACK sip-untrusted-certificate") }.count, 2,
                       "the refused handshake, then the one pinned to the vouched certificate")
        XCTAssertEqual(phonesec_channel_close(phone, channel, &message), PHONESEC_OK)
    }

    func testAStrangerNoTVSAnswersForIsRefused() throws {
        let silent = fixture.work.appendingPathComponent("silent-tvs").path
        try FileManager.default.copyItem(atPath: fixture.state, toPath: silent)
        // Port 1 on loopback: nothing listens, so no TVS answers.
        try "127.0.0.1 1\n".write(toFile: silent + "/tvs-servers", atomically: true, encoding: .utf8)
        let silentPhone = try open(silent)
        defer { phonesec_phone_close(silentPhone) }
        var channel: UInt32 = 7
        var server = phonesec_trust_result()
        let status = "127.0.0.1".withCString { host in
            phonesec_channel_open(silentPhone, host, evilServer.sipTLSPort, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, &server,
                                  &message)
        }
        XCTAssertEqual(status, PHONESEC_ERR_NOT_TRUSTED, said)
        XCTAssertEqual(channel, 0)
        XCTAssertEqual(server.refusal, PHONESEC_REFUSAL_UNANSWERED)
        XCTAssertEqual(server.tvs_servers_asked, 1)
        XCTAssertEqual(evilLog.filter { $0.contains("ATTACK sip-untrusted-certificate") }.count, 1)
    }

    /// The lab's CallManager certificate is CCM+TFTP in its ITL: no trust-list signer by the
    /// ITL's own rule (SAST only). The channel is not pinned to it, so the handshake is
    /// abandoned at the certificate (TVS, which nobody answers here, is asked) — never
    /// completed with the phone's certificate sent.
    func testAListedCertificateWhoseRoleTheListsDoNotAcceptIsNotPinned() throws {
        let silent = fixture.work.appendingPathComponent("silent-tvs").path
        try FileManager.default.copyItem(atPath: fixture.state, toPath: silent)
        try "127.0.0.1 1\n".write(toFile: silent + "/tvs-servers", atomically: true, encoding: .utf8)
        let silentPhone = try open(silent)
        defer { phonesec_phone_close(silentPhone) }
        let before = fixture.labLog.components(separatedBy: "SIP-TLS: handshake failed").count
        var channel: UInt32 = 7
        var server = phonesec_trust_result()
        let status = "127.0.0.1".withCString { host in
            phonesec_channel_open(silentPhone, host, fixture.server.sipTLSPort, PHONESEC_PURPOSE_TRUST_LIST_SIGNER, 5000, &channel,
                                  &server, &message)
        }
        XCTAssertEqual(status, PHONESEC_ERR_NOT_TRUSTED, said)
        XCTAssertEqual(server.refusal, PHONESEC_REFUSAL_UNANSWERED)
        // The lab's thread logs the abandoned handshake after the phone has gone: wait for it.
        for _ in 0..<50 where fixture.labLog.components(separatedBy: "SIP-TLS: handshake failed").count == before {
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(fixture.labLog.components(separatedBy: "SIP-TLS: handshake failed").count, before + 1, fixture.labLog)
    }

    func testBadArgumentsAreErrorsNotAborts() {
        var channel: UInt32 = 7
        XCTAssertEqual(phonesec_channel_open(phone, nil, 5061, PHONESEC_PURPOSE_CALL_CONTROL, 0, &channel, nil, &message),
                       PHONESEC_ERR_ARGUMENT)
        XCTAssertEqual(channel, 0)
        XCTAssertEqual("127.0.0.1".withCString { phonesec_channel_open(phone, $0, 5061, phonesec_purpose(99), 0, &channel, nil, &message) },
                       PHONESEC_ERR_ARGUMENT)
        XCTAssertEqual("127.0.0.1".withCString { phonesec_channel_open(phone, $0, 0, PHONESEC_PURPOSE_CALL_CONTROL, 0, &channel, nil, &message) },
                       PHONESEC_ERR_ARGUMENT)
        XCTAssertEqual("127.0.0.1".withCString { phonesec_channel_open(nil, $0, 5061, PHONESEC_PURPOSE_CALL_CONTROL, 0, &channel, nil, &message) },
                       PHONESEC_ERR_ARGUMENT)
        XCTAssertEqual(phonesec_channel_write(phone, 1, nil, 4, &message), PHONESEC_ERR_ARGUMENT)
        var got = 1
        var buffer = [UInt8](repeating: 0, count: 1)
        XCTAssertEqual(phonesec_channel_read(phone, 1, &buffer, 0, &got, 100, &message), PHONESEC_ERR_BUFFER_TOO_SMALL)
        XCTAssertEqual(got, 0)
        XCTAssertEqual(phonesec_channel_close(nil, 1, &message), PHONESEC_ERR_ARGUMENT)
    }

    func testAPhoneWithoutItsLSCPresentsTheMICAndIsRefusedByTheCallManager() throws {
        let micOnly = fixture.work.appendingPathComponent("mic-only").path
        try FileManager.default.copyItem(atPath: fixture.state, toPath: micOnly)
        try FileManager.default.removeItem(atPath: micOnly + "/lsc.pem")
        let micPhone = try open(micOnly)
        defer { phonesec_phone_close(micPhone) }
        let saved = phone
        phone = micPhone
        defer { phone = saved }
        var channel: UInt32 = 0
        var server = phonesec_trust_result()
        XCTAssertEqual(openChannel(port: fixture.server.sipTLSPort, &channel, &server), PHONESEC_OK, said)
        XCTAssertEqual(register(channel, as: fixture.device), 403, "the MIC is no LSC")
    }
}

/// A C char array (imported as a tuple) as text, up to its NUL.
func text<T>(_ field: T) -> String {
    withUnsafeBytes(of: field) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
