import CUCMLab
import Foundation
import LabSupport
import LinuxPlatform
import XCTest

/// The evil cluster: every named attack against the real `phone`, one at a time. Each
/// must end in the documented safe state (docs/hostile-clusters.md), persist nothing
/// from the failed step, log the cause, and stay within bounded time and memory (20 s,
/// and a 256 MB address-space limit).
final class EvilClusterTests: XCTestCase {
    /// Exit code and the cause the phone's console must name.
    static let expected: [Attack: (Int32, String)] = [
        .flippedBit: (1, "bad signature"),
        .unknownSigner: (1, "signer unknown: CN=stranger"),
        .ccmOnlySigner: (1, "signer lacks the role"),
        .otherFilename: (1, "filename mismatch"),
        .rogueITL: (0, "Trust List update failed"),
        .headerPastEnd: (1, "header length 65520 does not fit"),
        .containerLengths: (1, "crosses the end of its container"),
        .paddingOver16: (1, "bad padding count 17"),
        .paddingOverBody: (1, "bad padding count 65535"),
        .unknownDigest: (1, "unsupported digest algorithm 7"),
        .wrappedForAnotherPhone: (1, "key unwrap failed"),
        .entityBomb: (1, "DOCTYPE not allowed"),
        .contentLength2GB: (3, "over the 8388608-byte cap"),
        .endlessTFTP: (3, "larger than 8388608 bytes"),
        .oneByteASecond: (3, "the fetch exceeded 3 s"),
        .capfNotInITL: (4, "is not a CAPF record of the installed trust list"),
        .capfSessionIDChanges: (4, "session id changed"),
        .capfLengthOverCap: (4, "over the 16384-byte cap"),
        .capfGarbageCertificate: (4, "the certificate is not valid DER"),
        .capfCertificateForAnotherKey: (4, "not the key the phone generated"),
        .capfCertificateForAnotherDevice: (4, "not SEPA45630BBFA40"),
        .capfRetryLaterForever: (4, "CAPF keeps answering RetryLater"),
        .capfWrongProtocol: (4, "not a CAPF message (protocol 23)"),
        .capfOutOfOrder: (4, "unexpected StoreCertificateRequest"),
        .capfEndSessionMidInstall: (4, "server ended the session before issuing a certificate"),
        .capfStopsAnswering: (4, "server closed the connection while awaiting the certificate"),
        // The TVS rows run after the cluster's CallManager key changed: only TVS can vouch for
        // the new ITL's signer. Refused, the old ITL stays and the new key's config is refused.
        .tvsNotInITL: (1, "is not a TVS record of the installed ITL"),
        .tvsWrongRoles: (1, "vouches only for roles APP-SERVER"),
        .tvsSessionIDChanges: (1, "answer for session"),
        .tvsOversized: (1, "announces 65535 bytes of elements, more than 16384"),
        .tvsGarbage: (1, "malformed answer: protocol byte"),
        .tvsSilent: (1, "no answer in 5 s"),
        .tvsClosesAtOnce: (1, "closed without an answer"),
        .tvsTTLZero: (0, "Trust List updated (new signer vouched for by TVS)"),
        .tvsTTLMax: (0, "Trust List updated (new signer vouched for by TVS)"),
        // The HTTPS rows run against an EC lab with a phone enrolled with an EC LSC: each
        // falls back to 6970, where the RSA-only .enc.sgn cannot serve an EC key.
        .httpsNotInITL: (4, "server certificate CN=stranger-ec,O=Elsewhere is not an EC TFTP or CCM+TFTP record of the installed trust lists"),
        .httpsRSACertificate: (4, "uses an RSA-2048 key; an EC key is required (6971, formats.md §5)"),
        .httpsConfigForAnotherDevice: (4, "the configuration is for another certificate"),
        .httpsRefusesClientCertificate: (4, "the server may have refused the client certificate"),
        .httpsHangs: (4, "configuration over HTTPS failed: no answer in 10 s"),
    ]

    // One test a family of attacks, so that the suite's workers run them side by side: several
    // wait out the phone's timeouts (a server that stops answering, one that hangs). The SIP
    // attacks meet a channel, not a boot: toolchain/capi-check.sh runs them through the C API.
    // The load attacks meet an update (CUCMLabTests.SlotImageWriterTests, LoadUpdateLabTests).
    static let bootAttacks = Attack.allCases.filter { !$0.isSIP && !$0.isLoad }

    func testEveryFileAttackEndsInItsSafeState() throws {
        try run(Self.bootAttacks.filter { !$0.isCAPF && !$0.isTVS && !$0.isHTTPS })
    }

    func testEveryCAPFAttackEndsInItsSafeState() throws { try run(Self.bootAttacks.filter(\.isCAPF)) }

    func testEveryTVSAttackEndsInItsSafeState() throws { try run(Self.bootAttacks.filter(\.isTVS)) }

    func testEveryHTTPSAttackEndsInItsSafeState() throws { try run(Self.bootAttacks.filter(\.isHTTPS)) }

    /// Every attack a boot meets has its expected end, and one of the tests above runs it.
    func testEveryBootAttackHasItsEnd() {
        XCTAssertEqual(Set(Self.bootAttacks), Set(Self.expected.keys))
    }

    /// Each attack against a phone of its own: the exit code and cause expected, bounded in
    /// time, nothing of the failed step on the flash; prints a table of what each ended in.
    private func run(_ attacks: [Attack]) throws {
        XCTAssertFalse(attacks.isEmpty)
        var table = ["| attack | exit | end state | seconds |", "|---|---|---|---|"]
        for attack in attacks {
            let (status, cause) = try XCTUnwrap(Self.expected[attack], attack.rawValue)
            let fixture = try LabFixture(ec: attack.isHTTPS)
            defer { fixture.close() }
            try fixture.add(key: attack.isHTTPS ? "ec:P-256" : "rsa:2048")
            if attack.targetsEncryptedConfig || attack == .rogueITL || attack.isTVS || attack.isHTTPS {
                // These attack a phone that already enrolled and trusts the cluster.
                XCTAssertEqual(try fixture.bootWith(environment: [:]).status, 0, attack.rawValue)
            }
            if attack.isTVS { try fixture.lab.rotateCallManager(.newKey) }
            let before = snapshot(fixture.state)
            fixture.lab.attack = attack
            let started = Date()
            var arguments = ["boot", "--mac", "A4:56:30:BB:FA:40", "--state", fixture.state, "--mic", fixture.mic,
                             "--backoff-ms", "20", "--fetch-deadline-ms", "3000"]
            arguments += fixture.httpsArguments
            arguments += attack == .endlessTFTP ? ["--transport", "tftp", "--server", "127.0.0.1:\(fixture.server.tftpPort)"]
                                                : ["--server", "127.0.0.1:\(fixture.server.httpPort)"]
            // Bounded memory: outside AddressSanitizer (whose shadow needs terabytes of
            // address space) each run gets a 256 MB address-space limit; going over it would
            // end the phone with another exit code than the one expected.
            let underSanitizer = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil
            let run = try fixture.phone(arguments, addressSpaceLimitKB: underSanitizer ? nil : 262_144)
            let seconds = Date().timeIntervalSince(started)
            let after = snapshot(fixture.state)
            XCTAssertEqual(run.status, status, attack.rawValue + ": " + run.stderr)
            XCTAssertTrue(run.stderr.contains(cause), attack.rawValue + " must name the cause: " + run.stderr)
            XCTAssertLessThan(seconds, 20, attack.rawValue + " is bounded in time")
            // Nothing from the failed step on flash: the LSC and its key unchanged (or still
            // absent), the trust list unchanged when it was the thing attacked.
            XCTAssertEqual(after["lsc.pem"], before["lsc.pem"], attack.rawValue + " changed the LSC")
            if attack == .rogueITL || (attack.isTVS && status != 0) {
                XCTAssertEqual(after["itl.tlv"], before["itl.tlv"], attack.rawValue + ": the installed ITL survives")
            }
            if attack.isTVS && status == 0 { XCTAssertEqual(after["itl.tlv"], Data(fixture.lab.itl), attack.rawValue + ": the new ITL installed") }
            XCTAssertFalse(after.keys.contains { $0.contains(".tmp-") }, attack.rawValue)
            // The phone's last word: "phone: <exit reason>: <cause>".
            let endState = run.status == 0 ? "configured (" + (run.stderr.contains(cause) ? cause : "") + ")"
                : run.stderr.split(separator: "\n").last { $0.hasPrefix("phone: ") }.map { String($0.dropFirst(7)) } ?? "failed"
            table.append("| " + attack.rawValue + " | \(run.status) | " + endState + " | " + String(format: "%.1f", seconds) + " |")
        }
        print(table.joined(separator: "\n"))
    }

    private func snapshot(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            files[name] = FileManager.default.contents(atPath: directory + "/" + name)
        }
        return files
    }
}
