import CPhoneSec
@testable import CUCMLab
import Foundation
import LabSupport
import PhoneCrypto
@testable import PhoneSec
import PhoneWire
import TestSupport
import XCTest

/// The C API's boot, identity and trust entry points, called as C calls them, against the
/// lab in-process: a factory-fresh phone boots through `phonesec_boot` (CAPF enrolment,
/// the `.enc.sgn`), every event reaches the C callback as data, and what the phone then
/// holds and trusts is what the lab issued and lists.
final class BootAPITests: XCTestCase {
    var fixture: LabFixture!
    var message = phonesec_message()

    override func setUpWithError() throws {
        fixture = try LabFixture()
        try fixture.add()
    }

    override func tearDownWithError() throws { fixture.close() }

    /// What the event callback saw, through its context pointer.
    final class Seen {
        var kinds: [phonesec_event_kind] = []
        var states: [String] = []
        var capfResults: [phonesec_capf_result] = []
        var issued: [String] = []
        /// `encrypted` of each CONFIG_APPLIED.
        var applied: [Int32] = []
        /// `file_server`, `next_file_server` of each FETCH_FAILED.
        var fetchFailures: [(Int32, Int32)] = []
        /// `load`, `slot`, `images` of each LOAD_STAGED.
        var staged: [String] = []
    }

    private func open() throws -> OpaquePointer {
        var handle: OpaquePointer?
        let status = fixture.state.withCString { directory in
            "A4:56:30:BB:FA:40".withCString { mac in
                fixture.mic.withCString { mic in
                    var options = phonesec_phone_options()
                    options.state_directory = directory
                    options.mac = mac
                    options.mic_pem_path = mic
                    return phonesec_phone_open(&options, &handle, &message)
                }
            }
        }
        XCTAssertEqual(status, PHONESEC_OK, text(message.text))
        return try XCTUnwrap(handle)
    }

    private func boot(_ phone: OpaquePointer, seen: Seen, result: inout phonesec_boot_result, backoffMs: UInt32 = 20,
                      slots: String? = nil) -> phonesec_status {
        let server = "127.0.0.1:" + String(fixture.server.httpPort)
        let slotsText = slots.map { strdup($0) } ?? nil
        defer { free(slotsText) }
        return server.withCString { serverText in
            var servers: [UnsafePointer<CChar>?] = [serverText]
            return servers.withUnsafeMutableBufferPointer { list in
                var options = phonesec_boot_options()
                options.servers = UnsafePointer(list.baseAddress)
                options.server_count = 1
                options.transport = PHONESEC_TRANSPORT_HTTP
                options.backoff_ms = backoffMs
                options.slots_directory = UnsafePointer(slotsText)
                options.event_context = Unmanaged.passUnretained(seen).toOpaque()
                options.on_event = { context, event in
                    guard let context, let event else { return }
                    let seen = Unmanaged<Seen>.fromOpaque(context).takeUnretainedValue()
                    seen.kinds.append(event.pointee.kind)
                    if let state = event.pointee.state { seen.states.append(String(cString: state)) }
                    switch event.pointee.kind {
                    case PHONESEC_EVENT_CAPF_ENDED: seen.capfResults.append(event.pointee.capf_result)
                    case PHONESEC_EVENT_CAPF_CERTIFICATE_RECEIVED:
                        seen.issued.append(event.pointee.issued_certificate.map { String(cString: $0) } ?? "")
                    case PHONESEC_EVENT_CONFIG_APPLIED: seen.applied.append(event.pointee.encrypted)
                    case PHONESEC_EVENT_FETCH_FAILED:
                        seen.fetchFailures.append((event.pointee.file_server, event.pointee.next_file_server))
                    case PHONESEC_EVENT_LOAD_STAGED:
                        seen.staged.append((event.pointee.load.map { String(cString: $0) } ?? "") + " "
                                           + (event.pointee.slot.map { String(cString: $0) } ?? "") + " " + String(event.pointee.images))
                    default: break
                    }
                }
                return phonesec_boot(phone, &options, &result, &message)
            }
        }
    }

    /// The runtime's checks of a boot's options are named by the fields a C caller sets
    /// (the command line names the same checks by its flags).
    func testABootOptionOutOfRangeIsNamedByItsField() throws {
        let phone = try open()
        defer { phonesec_phone_close(phone) }
        var result = phonesec_boot_result()
        XCTAssertEqual(boot(phone, seen: Seen(), result: &result, backoffMs: 600_001), PHONESEC_ERR_ARGUMENT)
        XCTAssertEqual(text(message.text), "options.backoff_ms must be 1 to 600000")
        XCTAssertEqual(result.configured, 0)
    }

    /// With `slots_directory`, a load the configuration names is staged: the phone is
    /// configured (PHONESEC_OK) and asks for the board's reset; without it nothing is fetched.
    func testALoadTheConfigurationNamesIsStagedAndAResetAskedFor() throws {
        let signer = try Vectors.imageSigner()
        let image = fixture.work.appendingPathComponent("lab/kern99")
        try Data([0x01, 0x02, 0x03]).write(to: image)
        _ = try Lab.addLoad("SIP99.1-0-0", images: [image], signer: signer, hardwareLevel: 4, in: fixture.work.appendingPathComponent("lab"))
        var device = try XCTUnwrap(try fixture.lab.devices.device(fixture.device))
        device.load = "SIP99.1-0-0"
        try fixture.lab.devices.upsert(device)
        let phone = try open()
        defer { phonesec_phone_close(phone) }
        var result = phonesec_boot_result()
        let plain = Seen()
        XCTAssertEqual(boot(phone, seen: plain, result: &result), PHONESEC_OK, text(message.text))
        XCTAssertEqual(result.load_staged, 0)
        XCTAssertEqual(text(result.load_information), "SIP99.1-0-0")
        let slots = fixture.work.appendingPathComponent("slots").path
        let seen = Seen()
        XCTAssertEqual(boot(phone, seen: seen, result: &result, slots: slots), PHONESEC_OK, text(message.text))
        XCTAssertEqual(result.configured, 1)
        XCTAssertEqual(result.load_staged, 1)
        XCTAssertEqual(text(result.staged_load), "SIP99.1-0-0")
        XCTAssertEqual(text(result.staged_slot), "B")
        XCTAssertEqual(seen.staged, ["SIP99.1-0-0 B 1"])
        XCTAssertEqual(seen.kinds.last, PHONESEC_EVENT_LOAD_STAGED)
    }

    func testAFreshPhoneBootsEnrolsAndHoldsWhatTheLabIssued() throws {
        let phone = try open()
        defer { phonesec_phone_close(phone) }
        let seen = Seen()
        var result = phonesec_boot_result()
        XCTAssertEqual(boot(phone, seen: seen, result: &result), PHONESEC_OK, text(message.text) + "\n" + fixture.labLog)
        XCTAssertEqual(result.configured, 1)
        XCTAssertEqual(text(result.device), "SEPA45630BBFA40")
        XCTAssertEqual(result.security_mode, 3, "the encrypted profile")
        XCTAssertEqual(result.call_manager_count, 1)
        XCTAssertEqual(result.tvs_count, 1)
        // Every event of the boot reached the callback, as data.
        XCTAssertEqual(seen.kinds.first, PHONESEC_EVENT_STARTED)
        XCTAssertEqual(seen.capfResults, [PHONESEC_CAPF_RESULT_INSTALLED], "one CAPF session, a new LSC installed")
        XCTAssertEqual(seen.issued, ["CN=SEPA45630BBFA40,O=Lab,OU=Phones"], "the certificate CAPF issued, by its subject")
        XCTAssertEqual(seen.applied, [1], "the .enc.sgn, decrypted")
        XCTAssertEqual(seen.kinds.filter { $0 == PHONESEC_EVENT_RESET }.count, 1)
        XCTAssertFalse(seen.kinds.contains(PHONESEC_EVENT_FAILED))
        XCTAssertEqual(seen.states.last, "configured")

        // What the phone holds: the LSC the lab issued (its md5hash) and stored.
        var info = phonesec_phone_info()
        XCTAssertEqual(phonesec_phone_info_get(phone, &info, &message), PHONESEC_OK, text(message.text))
        let row = try XCTUnwrap(fixture.lab.devices.device(fixture.device))
        XCTAssertEqual(info.lsc.present, 1)
        XCTAssertEqual(text(info.lsc.md5), row.md5hash)
        XCTAssertEqual(info.mic.present, 1)
        var der = [UInt8](repeating: 0, count: 8192)
        var length = 0
        XCTAssertEqual(phonesec_certificate_der(phone, PHONESEC_CERTIFICATE_LSC, &der, der.count, &length, &message), PHONESEC_OK)
        XCTAssertEqual(Array(der[..<length]), row.certificate)

        // What it trusts: the lab's CallManager for call control (the ITL), not its own LSC.
        var trust = phonesec_trust_result()
        let callManager = fixture.lab.tftp.certificate.der
        XCTAssertEqual(phonesec_trust_check(phone, callManager, callManager.count, PHONESEC_PURPOSE_CALL_CONTROL, &trust, &message),
                       PHONESEC_OK, text(message.text))
        XCTAssertEqual(trust.source, PHONESEC_SOURCE_ITL)
        XCTAssertEqual(text(trust.role), "CCM+TFTP")
        let own = Array(der[..<length])
        XCTAssertEqual(phonesec_trust_check(phone, own, own.count, PHONESEC_PURPOSE_CALL_CONTROL, &trust, &message),
                       PHONESEC_ERR_NOT_TRUSTED)
        XCTAssertEqual(trust.trusted, 0)
    }

    /// A boot that cannot reach its server says so as a status and a failure, and the
    /// callback's last event is the failed fetch, with no next server to try.
    func testNoServerIsUnreachable() throws {
        let phone = try open()
        defer { phonesec_phone_close(phone) }
        fixture.server.stop()
        let seen = Seen()
        var result = phonesec_boot_result()
        XCTAssertEqual(boot(phone, seen: seen, result: &result), PHONESEC_ERR_UNREACHABLE, text(message.text))
        XCTAssertEqual(result.configured, 0)
        XCTAssertEqual(result.failure, PHONESEC_FAILURE_UNREACHABLE)
        XCTAssertFalse(text(result.reason).isEmpty)
        XCTAssertEqual(seen.kinds.last, PHONESEC_EVENT_FETCH_FAILED)
        XCTAssertEqual(seen.fetchFailures.last?.0, 1, "the first (only) file server")
        XCTAssertEqual(seen.fetchFailures.last?.1, 0, "no next server")
        XCTAssertEqual(seen.states.last, "failed")
    }

    func testEveryStatusHasItsName() {
        let statuses: [(phonesec_status, String)] = [
            (PHONESEC_OK, "PHONESEC_OK"), (PHONESEC_ERR_ARGUMENT, "PHONESEC_ERR_ARGUMENT"),
            (PHONESEC_ERR_NOT_TRUSTED, "PHONESEC_ERR_NOT_TRUSTED"), (PHONESEC_ERR_TOO_MANY_CHANNELS, "PHONESEC_ERR_TOO_MANY_CHANNELS"),
            (PHONESEC_ERR_INTERNAL, "PHONESEC_ERR_INTERNAL"), (PHONESEC_ERR_KEY_STORE, "PHONESEC_ERR_KEY_STORE"), (phonesec_status(rawValue: 999), "PHONESEC_UNKNOWN_STATUS"),
        ]
        for (status, name) in statuses { XCTAssertEqual(String(cString: phonesec_status_name(status)), name) }
    }
}
