import CPhoneSec
import Foundation
import LinuxPlatform
@testable import PhoneCore
import PhoneCrypto
@testable import PhoneRuntime
@testable import PhoneSec
import PhoneTrust
import PhoneWire
import XCTest

/// The C event and the JSON object are two views of one `EventRecord`: for an entry of
/// every kind, every fact the C event carries is the one the JSON object carries.
final class EventViewTests: XCTestCase {
    /// One entry of every kind, with every field that kind has set.
    static var entries: [ConsoleEntry] {
        let device = DeviceName("SEPA45630BBFA40")!
        let capf = DeviceConfiguration.CAPFServer(host: "capf.example", port: 3804)
        let tvs = DeviceConfiguration.TVSServer(host: "tvs.example", port: 2445)
        let attempt = CAPFAttempt(server: capf, mode: .authenticationString, reason: .keyMismatch)
        let vouched = TrustVerdict(answer: .vouched(server: tvs, roles: [.tftp], ttlSeconds: 60, fromCache: false),
                                   attempts: [TVSAttempt(server: tvs, result: .answered(.valid(roles: [.tftp], ttlSeconds: 60)))],
                                   listed: .notListed)
        let refused = TrustVerdict(answer: .notTrusted(.tvsSaysInvalid(server: tvs)),
                                   attempts: [TVSAttempt(server: tvs, result: .answered(.invalid))], listed: .notListed)
        let check = PartialConfigCheck(name: "SEPA45630BBFA40.cnf.xml.sgn", signer: "CN=tftp", certHash: "ab",
                                       ownHash: "ab", ownCertificate: .lsc, matches: true)
        func boot(_ event: BootEvent, _ to: BootStateKind? = nil) -> ConsoleEntry {
            .boot(event, transition: to.map { BootTransition(from: .idle, on: .start, to: $0, because: "") })
        }
        return [
            boot(.started(device: device, reset: 2, installed: [.ctl]), .fetchingTrustList),
            boot(.trustListInstalled(name: "CTLFile.tlv", kind: .ctl, outcome: .vouchedByTVS, signer: "CN=SAST")),
            boot(.trustListRejected(name: "ITLFile.tlv", kind: .itl, cause: .signerNotListed)),
            boot(.askingTVS(name: "ITLFile.tlv", kind: .itl, signer: "CN=new", refusal: .signerNotListed, servers: 2)),
            boot(.trustListNotVouched(name: "ITLFile.tlv", kind: .itl, refusal: .signerNotListed, verdict: refused)),
            boot(.fileNotFound(name: "CTLFile.tlv", then: .fetching("ITLFile.tlv"))),
            boot(.fetchFailed(name: "ITLFile.tlv", server: 0, cause: .connection(.timedOut), nextServer: 1)),
            boot(.noTrustList(then: .fetchingOverHTTPS("SEPA45630BBFA40.cnf.xml.sgn", port: 6971))),
            boot(.configApplied(name: "SEPA45630BBFA40.cnf.xml.enc.sgn", signer: "CN=tftp", encrypted: true), .configured),
            boot(.httpsConfigApplied(name: "SEPA45630BBFA40.cnf.xml.sgn", server: "CN=https", vouchedByTVS: true)),
            boot(.askingTVSAboutHTTPSServer(subject: "CN=https", servers: 1)),
            boot(.httpsServerVouched(subject: "CN=https", verdict: vouched)),
            boot(.httpsConfigFallback(.notFullConfiguration, then: .fetching("SEPA45630BBFA40.cnf.xml.sgn"))),
            boot(.partialConfig(check, then: .enrolling(attempt))),
            boot(.directDecryptFailed(name: "SEPA45630BBFA40.cnf.xml.enc.sgn", cause: .decryptionFailed(.keyUnwrapFailed),
                                      then: .fetching("SEPA45630BBFA40.cnf.xml.sgn"))),
            boot(.decryptionFailed(name: "SEPA45630BBFA40.cnf.xml.enc.sgn", cause: .keyUnwrapFailed,
                                   then: .askingForAuthString(retry: true))),
            boot(.capfStarting(attempt)),
            boot(.capfEnded(.installed("CN=SEPA45630BBFA40"), then: .resetting)),
            boot(.capfEnded(.failed(.channel(.connect(.refused))), then: .retryingCAPF(round: 1, of: 3, inMs: 30_000))),
            boot(.capfEnded(.retryLater(seconds: 5), then: .retryingCAPFLater(inMs: 5_000))),
            boot(.capfEnded(.nothingScheduled, then: .askingAgain(.capfWithoutNewCertificate(.nothingScheduled), inMs: 250))),
            boot(.authStringRefused),
            boot(.resumed(then: .fetching("SEPA45630BBFA40.cnf.xml.sgn"))),
            boot(.stillWaiting(untilMs: 30_000)),
            boot(.failed(.configNotFound), .failed),
            boot(.failed(.keyStoreFailed(code: 0x32)), .failed),
            boot(.fileNotFound(name: "XMLDefault.cnf.xml.sgn", then: .stopping(.configNotFound))),
            boot(.ignored(input: .fileArrived, state: .idle)),
            .fetching(.tftp, name: "ITLFile.tlv", from: .init(host: "10.1.1.1", port: 69)),
            .fetchingOverHTTPS(name: "SEPA45630BBFA40.cnf.xml.sgn", host: "tftp.example", port: 6971, pinned: 1, client: "CN=lsc"),
            .tvs(tvs, .answered(.valid(roles: [.tftp], ttlSeconds: 60))),
            .tvs(tvs, .failed(.channel(.connect(.refused)))),
            .storageFailed(.lsc, .system(path: "/s/lsc.pem", errno: 28)),
            .reset,
            .keyLogOn(path: "/tmp/keys"),
            .capf(.tlsEstablished(host: "capf.example", port: 3804)),
            .capf(.received(.authRequest, skippedTags: [30])),
            .capf(.sent(.keyGenerateResponse)),
            .capf(.answeredAuthRequest(.nullString)),
            .capf(.installRequested(.rsa(bits: 2048))),
            .capf(.certificateReceived(subject: "CN=SEPA45630BBFA40")),
            .capf(.certificateRefused(.notDER)),
            .capf(.lscStored(true)),
            boot(.loadStaged(load: "SIP75.9-3-1SR2-1S", slot: .b, images: 5), .loadStaged),
            boot(.loadNotStaged(load: "SIP75.9-3-1SR2-1S", cause: .slotFailed(.image(.tooLarge(name: "jar.sbn", cap: 9)))), .configured),
        ]
    }

    func testEntriesCoverEveryKind() {
        let covered = Set(Self.entries.map { $0.record.kind })
        XCTAssertEqual(EventKind.allCases.filter { !covered.contains($0) }, [])
    }

    /// Every kind has its words on the console and its object in the JSON log.
    func testEveryKindHasAConsoleLineAndAJSONObject() throws {
        for entry in Self.entries {
            let line = ConsoleText.line(entry)
            XCTAssertTrue(line.contains(": "), "a console line names its part: " + line)
            let json = EventJSON.line(entry, elapsedMs: 0)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
            XCTAssertEqual(object["event"] as? String, entry.record.kind.name, json)
        }
    }

    /// The C event's facts, copied out of the callback (its strings die with it).
    struct Seen {
        var kind: UInt32 = 0
        var strings: [String: String] = [:]
        var numbers: [String: Int64] = [:]
        var skippedTags: [UInt8] = []
        /// The verdict's fields, when the event has one.
        var verdict: [String: String]?
    }

    static func deliver(_ entry: ConsoleEntry) -> Seen {
        final class Box { var seen = Seen() }
        let box = Box()
        EventView.deliver(entry, elapsedMs: 7, to: { context, event in
            guard let context, let event else { return }
            let box = Unmanaged<Box>.fromOpaque(context).takeUnretainedValue()
            let e = event.pointee
            box.seen.kind = e.kind.rawValue
            // Under the JSON log's key for the same fact ("then.…": the "then" object's).
            let strings: [(String, UnsafePointer<CChar>?)] = [
                ("state", e.state), ("device", e.device), ("file", e.file), ("signer", e.signer), ("certHash", e.cert_hash),
                ("ownHash", e.own_hash), ("ownCertificate", e.own_certificate), ("host", e.host), ("server", e.server_certificate),
                ("client", e.client_certificate), ("tvsAnswer", e.tvs_answer_detail), ("authentication", e.capf_mode),
                ("capfReason", e.capf_reason), ("detail", e.capf_detail), ("key", e.key), ("subject", e.issued_certificate),
                ("cause", e.cause), ("reason", e.reason), ("item", e.stored_item), ("input", e.ignored_input),
                ("in", e.ignored_state), ("then.file", e.next_file), ("then.host", e.next_host),
                ("then.authentication", e.next_capf_mode), ("then.capfReason", e.next_capf_reason), ("then.cause", e.next_cause),
                ("then.reason", e.next_reason), ("load", e.load), ("slot", e.slot),
            ]
            for (key, pointer) in strings { if let pointer { box.seen.strings[key] = String(cString: pointer) } }
            let numbers: [(String, Int64)] = [
                ("t_ms", Int64(e.elapsed_ms)), ("port", Int64(e.port)), ("fileServer", Int64(e.file_server)),
                ("nextFileServer", Int64(e.next_file_server)), ("pinned", Int64(e.pinned)), ("servers", Int64(e.tvs_servers)),
                ("reset", Int64(e.resets)), ("untilMs", Int64(e.until_ms)), ("then.inMs", Int64(e.next_delay_ms)),
                ("encrypted", Int64(e.encrypted)), ("matches", Int64(e.hash_matches)), ("vouchedByTVS", Int64(e.vouched_by_tvs)),
                ("stored", Int64(e.lsc_stored)), ("kind", Int64(e.trust_list.rawValue)), ("outcome", Int64(e.trust_list_outcome.rawValue)),
                ("transport", Int64(e.transport.rawValue)), ("tvsAnswer", Int64(e.tvs_answer.rawValue)),
                ("result", Int64(e.capf_result.rawValue)), ("failure", Int64(e.failure.rawValue)), ("then", Int64(e.next.rawValue)),
                ("then.failure", Int64(e.next_failure.rawValue)), ("then.port", Int64(e.next_port)),
                ("installed", Int64(e.installed)), ("command", Int64(e.capf_command)), ("then.retry", Int64(e.next_retry)),
                ("then.round", Int64(e.next_round)), ("then.of", Int64(e.next_rounds)), ("images", Int64(e.images)),
            ]
            for (key, value) in numbers where value != 0 { box.seen.numbers[key] = value }
            if let tags = e.skipped_tags { box.seen.skippedTags = Array(UnsafeBufferPointer(start: tags, count: e.skipped_tag_count)) }
            if let verdict = e.verdict?.pointee {
                box.seen.verdict = ["source": String(verdict.source.rawValue), "refusal": String(verdict.refusal.rawValue),
                                    "trusted": String(verdict.trusted), "role": text(verdict.role), "tvs": text(verdict.tvs.host),
                                    "ttl": String(verdict.ttl_seconds), "asked": String(verdict.tvs_servers_asked)]
            }
        }, context: Unmanaged.passUnretained(box).toOpaque())
        return box.seen
    }

    /// The C codes of the JSON log's words (the header's enums).
    static let codes: [String: [String: Int64]] = [
        "kind": ["CTL": 1, "ITL": 2],
        "outcome": ["firstUse": 1, "updated": 2, "unchanged": 3, "vouchedByTVS": 4],
        "transport": ["http": 1, "tftp": 2, "https": 3],
        "result": ["installed": 1, "deleted": 2, "fetched": 3, "nothingScheduled": 4, "retryLater": 5,
                   "invalidAuthentication": 6, "unknownDevice": 7, "failed": 8],
        "failure": ["unreachable": 1, "configNotFound": 2, "configRejected": 3, "configMalformed": 4,
                    "partialConfigWithoutTrustList": 5, "partialConfigWithoutEncryption": 6, "noCAPFServer": 7,
                    "unsupportedCAPFAuthMode": 8, "noCertificateForCAPF": 9, "capfRefused": 10,
                    "encryptedConfigUnavailable": 11, "decryptionFailed": 12, "tooManyResets": 13, "internalFault": 14,
                    "keyStoreFailed": 16],
        "then": ["fetch": 1, "fetchOverHTTPS": 2, "capf": 3, "askForAuthString": 4, "reset": 5, "retryCAPF": 6,
                 "retryCAPFLater": 7, "askAgain": 8, "stop": 9],
    ]

    func testTheCEventSaysWhatTheJSONObjectSays() throws {
        for entry in Self.entries {
            let line = EventJSON.line(entry, elapsedMs: 7)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            let c = Self.deliver(entry)
            let kind = try XCTUnwrap(EventKind(rawValue: UInt8(c.kind)), line)
            XCTAssertEqual(json["event"] as? String, kind.name, line)
            XCTAssertEqual(c.numbers["t_ms"], 7)
            let then = json["then"] as? [String: Any]

            // Every string of the C event is the JSON's, and the other way round.
            let strings = ["state", "device", "file", "signer", "certHash", "ownHash", "ownCertificate", "host", "server", "client",
                           "tvsAnswer", "authentication", "capfReason", "detail", "key", "subject", "cause", "reason", "item",
                           "input", "in", "load", "slot"]
            for key in strings {
                XCTAssertEqual(c.strings[key], json[key] as? String, key + " in " + line)
            }
            // No key of the JSON goes unchecked here: a new one needs its C field and its check.
            let compared = Set(strings + ["event", "t_ms", "then", "installed", "skippedTags", "command", "port", "fileServer",
                                          "nextFileServer", "pinned", "servers", "reset", "untilMs", "encrypted", "matches",
                                          "vouchedByTVS", "stored", "images", "verdict"] + Self.codes.keys)
            XCTAssertEqual(Set(json.keys).subtracting(compared), [], line)
            let nextFile = ["fetch", "fetchOverHTTPS"].contains(then?["action"] as? String ?? "") ? then?["file"] as? String : nil
            XCTAssertEqual(c.strings["then.file"], nextFile, line)
            for key in ["authentication", "capfReason", "cause", "reason"] {
                XCTAssertEqual(c.strings["then." + key], then?[key] as? String, "then." + key + " in " + line)
            }
            XCTAssertEqual(c.numbers["then.retry"] ?? 0, (then?["retry"] as? Bool) == true ? 1 : 0, line)
            for key in ["round", "of"] {
                XCTAssertEqual(c.numbers["then." + key], (then?[key] as? NSNumber)?.int64Value, "then." + key + " in " + line)
            }

            // Lists: the installed trust lists as bits, the skipped tags as bytes.
            let installed = (json["installed"] as? [String] ?? []).reduce(Int64(0)) { bits, name in
                bits | (1 << (Self.codes["kind"]?[name] ?? 31))
            }
            XCTAssertEqual(c.numbers["installed"] ?? 0, installed, line)
            XCTAssertEqual(c.skippedTags, (json["skippedTags"] as? [Int] ?? []).map { UInt8($0) }, line)
            XCTAssertEqual(c.numbers["command"].flatMap { CAPFCommand(rawValue: UInt8($0))?.name }, json["command"] as? String, line)

            // Numbers and flags: absent in JSON is 0 in C.
            for key in ["port", "fileServer", "nextFileServer", "pinned", "servers", "reset", "untilMs", "images"] {
                XCTAssertEqual(c.numbers[key], (json[key] as? NSNumber)?.int64Value, key + " in " + line)
            }
            for key in ["encrypted", "matches", "vouchedByTVS", "stored"] {
                XCTAssertEqual(c.numbers[key] ?? 0, (json[key] as? Bool) == true ? 1 : 0, key + " in " + line)
            }
            let delay = (then?["inMs"] as? NSNumber)?.int64Value
            XCTAssertEqual(c.numbers["then.inMs"], delay, line)

            // Words of the JSON, codes of the C event.
            for (key, table) in Self.codes {
                let word = key == "then" ? then?["action"] as? String : json[key] as? String
                XCTAssertEqual(c.numbers[key], word.map { table[$0] ?? -1 }, key + " in " + line)
            }
            let failures = try XCTUnwrap(Self.codes["failure"])
            XCTAssertEqual(c.numbers["then.failure"], (then?["failure"] as? String).map { failures[$0] ?? -1 }, line)
            let capfHost = then?["action"] as? String == "capf" ? then?["host"] as? String : nil
            XCTAssertEqual(c.strings["then.host"], capfHost, line)
            XCTAssertEqual(c.numbers["then.port"], (then?["port"] as? NSNumber)?.int64Value, line)
            if let tvsAnswer = json["tvsAnswer"] as? String {
                let expected: Int64 = tvsAnswer.hasPrefix("valid") ? 1 : (tvsAnswer == "invalid" ? 2 : 3)
                XCTAssertEqual(c.numbers["tvsAnswer"], expected, line)
            } else {
                XCTAssertNil(c.numbers["tvsAnswer"], line)
            }
            if let verdict = json["verdict"] as? [String: Any] {
                let word = try XCTUnwrap(verdict["verdict"] as? String)
                let seen = try XCTUnwrap(c.verdict, line)
                XCTAssertEqual(seen["trusted"], word == "vouched" || word == "listed" ? "1" : "0", line)
                XCTAssertEqual(seen["source"] != "0", word == "vouched" || word == "listed", line)
                XCTAssertEqual(seen["refusal"] != "0", word == "notTrusted" || word == "unanswered", line)
                XCTAssertEqual(seen["role"], (verdict["roles"] as? [String])?.first ?? "", line)
                XCTAssertEqual(seen["ttl"], String((verdict["ttl"] as? NSNumber)?.intValue ?? 0), line)
                XCTAssertEqual(seen["asked"], String((verdict["asked"] as? [Any])?.count ?? 0), line)
                if word == "vouched" { XCTAssertEqual(seen["tvs"].map { (verdict["tvs"] as? String ?? "").hasPrefix($0) }, true, line) }
            } else {
                XCTAssertNil(c.verdict, line)
            }
        }
    }

    /// The header numbers every kind as `EventKind` does, and no other.
    func testTheHeaderNumbersEveryKindAsTheCoreDoes() throws {
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Sources/CPhoneSec/include/phonesec.h")
        let text = try String(contentsOf: header, encoding: .utf8)
        var declared: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { " =,".contains($0) })
            if words.count >= 2, words[0].hasPrefix("PHONESEC_EVENT_"), let number = Int(words[1]) {
                declared[String(words[0])] = number
            }
        }
        XCTAssertEqual(declared.count, EventKind.allCases.count)
        for kind in EventKind.allCases {
            XCTAssertEqual(declared["PHONESEC_EVENT_" + Self.upperSnake(kind.name)], Int(kind.rawValue), kind.name)
        }
    }

    /// `capfLSCStored` → `CAPF_LSC_STORED`.
    static func upperSnake(_ name: String) -> String {
        let characters = Array(name)
        var out = ""
        for (index, character) in characters.enumerated() {
            if index > 0, character.isUppercase {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || (previous.isUppercase && nextIsLower) { out += "_" }
            }
            out += character.uppercased()
        }
        return out
    }
}
