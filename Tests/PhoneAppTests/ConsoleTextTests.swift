import Foundation
import LinuxPlatform
@testable import PhoneApp
@testable import PhoneRuntime
import PhoneCore
import PhoneTrust
import PhoneWire
import XCTest

/// The text layer: console lines and JSON objects are two views of the same typed
/// events, made in one place.
final class ConsoleTextTests: XCTestCase {
    let device = DeviceName("SEPA45630BBFA40")!
    let capf = DeviceConfiguration.CAPFServer(host: "127.0.0.1", port: 3804)

    /// One event of every kind, with the payloads that change the wording.
    var events: [BootEvent] {
        let check = PartialConfigCheck(name: "SEPA45630BBFA40.cnf.xml.sgn", signer: "CN=tftp", certHash: "",
                                       ownHash: "276adb402e2a9b37cf378b787e2272f3", ownCertificate: .mic, matches: false)
        let unavailable = BootFailure.encryptedConfigUnavailable(.capfUnreachable(rounds: 4, last: .channel(.connect(.refused))))
        return [
            .started(device: device, reset: 1, installed: [.ctl, .itl]),
            .trustListInstalled(name: "ITLFile.tlv", kind: .itl, outcome: .updated, signer: "CN=SAST"),
            .trustListRejected(name: "ITLFile.tlv", kind: .itl, cause: .signerNotListed),
            .fileNotFound(name: "CTLFile.tlv", then: .fetching("ITLFile.tlv")),
            .fileNotFound(name: "XMLDefault.cnf.xml.sgn", then: .stopping(.configNotFound)),
            .fetchFailed(name: "ITLFile.tlv", server: 0, cause: .connection(.timedOut), nextServer: 1),
            .fetchFailed(name: "ITLFile.tlv", server: 1, cause: .tftp(.tooLarge(limit: 10)), nextServer: nil),
            .noTrustList(then: .fetching("SEPA45630BBFA40.cnf.xml")),
            .configApplied(name: "SEPA45630BBFA40.cnf.xml.enc.sgn", signer: "CN=tftp", encrypted: true),
            .partialConfig(check, then: .stopping(.noCAPFServer)),
            .directDecryptFailed(name: "SEPA45630BBFA40.cnf.xml.enc.sgn", cause: .decryptionFailed(.keyUnwrapFailed),
                                 then: .fetching("SEPA45630BBFA40.cnf.xml.sgn")),
            .decryptionFailed(name: "SEPA45630BBFA40.cnf.xml.enc.sgn", cause: .keyUnwrapFailed, then: .askingForAuthString(retry: false)),
            .capfEnded(.failed(.channel(.connect(.refused))), then: .retryingCAPF(round: 1, of: 3, inMs: 30_000)),
            .capfEnded(.retryLater(seconds: 5), then: .retryingCAPFLater(inMs: 5_000)),
            .capfEnded(.nothingScheduled, then: .askingAgain(.capfWithoutNewCertificate(.nothingScheduled), inMs: 250)),
            .capfEnded(.failed(.channel(.stoppedAnswering(afterMs: 30_000))), then: .stopping(unavailable)),
            .authStringRefused,
            .resumed(then: .fetching("SEPA45630BBFA40.cnf.xml.sgn")),
            .stillWaiting(untilMs: 30_000),
            .failed(.internalFault(.untabledTransition(from: .waiting, on: .reset, to: .configured))),
            .ignored(input: .fileArrived, state: .idle),
        ]
    }

    func testConsoleLines() {
        let lines = events.map { ConsoleText.line(.boot($0, transition: nil)) }
        XCTAssertEqual(lines, [
            "BOOT: SEPA45630BBFA40 after reset 1, CTL and ITL installed",
            "SECD: Trust List updated: ITLFile.tlv signed by CN=SAST",
            "SECD: Trust List update failed: ITLFile.tlv: signer is not a SAST record of the file itself",
            "CFG: File Not Found CTLFile.tlv; trying ITLFile.tlv",
            "CFG: File Not Found XMLDefault.cnf.xml.sgn",
            "CFG: ITLFile.tlv from server 1 failed: timed out, trying server 2",
            "CFG: ITLFile.tlv from server 2 failed: file larger than 10 bytes (CFG TFTP Size Error)",
            "SECD: No Trust List installed",
            "CFG: SEPA45630BBFA40.cnf.xml.enc.sgn decrypted, signed by CN=tftp: full configuration applied",
            "CFG: SEPA45630BBFA40.cnf.xml.sgn partial (encrConfig), signed by CN=tftp; certHash '' vs MIC MD5 "
                + "'276adb402e2a9b37cf378b787e2272f3': differ; giving up: partial configuration lists no CAPF server",
            "CFG: SEPA45630BBFA40.cnf.xml.enc.sgn not usable (decryption failed after enrollment: key unwrap failed), "
                + "falling back to the signed config",
            "CFG: SEPA45630BBFA40.cnf.xml.enc.sgn: key unwrap failed; authentication string required",
            "CAPF: session ended: failed: connect: connection refused; retry 1 of 3 in 30 s",
            "CAPF: session ended: retry later (5 s); retrying in 5 s",
            "CAPF: session ended: no operation scheduled; encrypted configuration unavailable (CAPF ended without a new "
                + "certificate (no operation scheduled)), asking again in 250 ms",
            "CAPF: session ended: failed: the CAPF server stopped answering (no message in 30 s); giving up: encrypted "
                + "configuration unavailable: CAPF unreachable after 4 rounds: connect: connection refused",
            "CAPF: authentication string must be 4 to 16 digits",
            "BOOT: back-off over, fetching SEPA45630BBFA40.cnf.xml.sgn again",
            "BOOT: still waiting until t=30000 ms",
            "BOOT: failed: internal fault: untabled transition waiting -reset-> configured",
            "BOOT: ignored fileArrived while idle",
        ])
    }

    func testEveryEventIsOneJSONObjectWithItsName() throws {
        for event in events {
            let line = EventJSON.line(.boot(event, transition: BootTransitions.table[0]), elapsedMs: 1234)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            XCTAssertEqual(object["t_ms"] as? Int, 1234, line)
            XCTAssertNotNil(object["event"] as? String, line)
            XCTAssertEqual(object["state"] as? String, "fetchingTrustList", line)
        }
        let stop = EventJSON.line(.boot(.fileNotFound(name: "x", then: .stopping(.configNotFound)), transition: nil), elapsedMs: 0)
        XCTAssertEqual(stop, #"{"t_ms":0,"event":"fileNotFound","file":"x","then":{"action":"stop","failure":"configNotFound","#
                             + #""reason":"no configuration file found"}}"#)
    }

    func testJSONStringsEscapeQuotesBackslashesAndControlCharacters() {
        XCTAssertEqual(JSON.string("a\"b\\c\n\u{1}é").text, #""a\"b\\c\n\u0001é""#)
    }

    func testCAPFAndBoardEntries() {
        XCTAssertEqual(ConsoleText.line(.capf(.received(.authRequest, skippedTags: [30, 31]))),
                       "CAPF: <- AuthRequest (skipped unknown elements 30,31)")
        XCTAssertEqual(ConsoleText.line(.capf(.answeredAuthRequest(.existingCertificate(lscFirst: false)))),
                       "CAPF: -> AuthResponse (certificate (MIC first))")
        XCTAssertEqual(ConsoleText.line(.capf(.certificateRefused(.otherDevice(subject: "CN=SEP000000000001", expected: device)))),
                       "CAPF: refusing the certificate: the certificate is for CN=SEP000000000001, not SEPA45630BBFA40")
        XCTAssertEqual(ConsoleText.line(.fetching(.tftp, name: "ITLFile.tlv", from: .init(host: "127.0.0.1", port: 69))),
                       "TFTP: RRQ ITLFile.tlv from 127.0.0.1:69")
        XCTAssertEqual(ConsoleText.line(.storageFailed(.lsc, .system(path: "/s/lsc.pem", errno: 28))),
                       "FLASH: could not store the LSC: /s/lsc.pem: no space left on device")
        XCTAssertEqual(ConsoleText.line(.reset), "BOOT: reset")
    }

    func testEveryBootFailureHasItsExitCode() {
        let cases: [(BootFailure, Int32)] = [
            (.unreachable(file: "x"), 3), (.configNotFound, 3), (.configRejected(file: "x", .badSignature(subject: "CN=x")), 1),
            (.partialConfigWithoutTrustList, 1), (.noCAPFServer, 4), (.capfRefused(.unknownDevice), 4),
            (.encryptedConfigUnavailable(.capfRetryLaterForever), 4), (.tooManyResets(4), 4),
            (.internalFault(.stoppedWithoutOutcome), 6), (.keyStoreFailed(code: 0x32), 8),
        ]
        for (failure, code) in cases {
            XCTAssertEqual(PhoneBoot.failure(failure).exitCode, code, FailureText.boot(failure))
        }
        XCTAssertEqual(FailureText.boot(.keyStoreFailed(code: 0x32)), "the key store failed: the token was removed")
    }
}
