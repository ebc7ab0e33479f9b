import PhoneCrypto
import PhoneTrust
import PhoneWire

/// One question to one TVS server: everything the runner needs.
public struct TVSQuery {
    public let server: DeviceConfiguration.TVSServer
    /// The TVS records of the installed ITL: the server must present one of them.
    public let pinned: [Certificate]
    public let request: TVSVerifyRequest

    public init(server: DeviceConfiguration.TVSServer, pinned: [Certificate], request: TVSVerifyRequest) {
        self.server = server
        self.pinned = pinned
        self.request = request
    }
}

/// Why a TVS server gave no answer. Data only.
public enum TVSProblem: Error, Equatable {
    case channel(TLSChannelProblem)
    case session(TVSSessionError)
}

/// What one TVS server said, or why it said nothing.
public enum TVSQueryResult: Equatable, Sendable {
    case answered(TVSVerifyResponse.Status)
    case failed(TVSProblem)
}

/// A server asked while deciding, and what came of it.
public struct TVSAttempt: Equatable, Sendable {
    public let server: DeviceConfiguration.TVSServer
    public let result: TVSQueryResult

    public init(server: DeviceConfiguration.TVSServer, result: TVSQueryResult) {
        self.server = server
        self.result = result
    }
}

/// The phone's TVS name, `CP-<model>-SEP<MAC>` (formats.md §4): the model as exactly four
/// digits, the MAC in upper-case hex.
public struct TVSDeviceName: Equatable, Sendable {
    public let bytes: [UInt8]

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `model`: four digits (`8841`); a longer model keeps its first four when they are
    /// digits (`7942G` → `7942`).
    public init?(device: DeviceName, model: String) {
        let digits = Array(model.utf8.prefix(4))
        guard digits.count == 4, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        bytes = Array("CP-".utf8) + digits + Array("-".utf8) + Array(device.text.utf8)
    }

    /// The model a MIC's subject names: `CN=CP-7942G-SEP…` → `7942`; nil without one.
    public static func model(fromSubject subject: String) -> String? {
        let bytes = Array(subject.utf8)
        let marker = Array("CN=CP-".utf8)
        guard bytes.count >= marker.count + 4 else { return nil }
        for start in 0...(bytes.count - marker.count - 4) where Array(bytes[start..<(start + marker.count)]) == marker {
            let digits = bytes[(start + marker.count)..<(start + marker.count + 4)]
            guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return String(decoding: digits, as: UTF8.self)
        }
        return nil
    }

    /// The whole name from a MIC's subject: `CN=CP-7942G-SEPA45630BBFA40,…` →
    /// `CP-7942-SEPA45630BBFA40`; nil when the subject names no model and MAC.
    public init?(micSubject subject: String) {
        guard let model = Self.model(fromSubject: subject) else { return nil }
        let bytes = Array(subject.utf8)
        let marker = Array("-SEP".utf8)
        guard bytes.count >= marker.count + 12 else { return nil }
        for start in 0...(bytes.count - marker.count - 12) where Array(bytes[start..<(start + marker.count)]) == marker {
            guard let device = DeviceName(String(decoding: bytes[(start + 1)..<(start + marker.count + 12)], as: UTF8.self)) else {
                return nil
            }
            self.init(device: device, model: model)
            return
        }
        return nil
    }

    /// Reads `CP-<model>-SEP<MAC>` as given on a command line.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 23, bytes.starts(with: Array("CP-".utf8)), bytes[7] == UInt8(ascii: "-"),
              let device = DeviceName(String(decoding: bytes[8...], as: UTF8.self)),
              Array(device.text.utf8) == Array(bytes[8...]) else { return nil }
        self.init(device: device, model: String(decoding: bytes[3..<7], as: UTF8.self))
    }
}
