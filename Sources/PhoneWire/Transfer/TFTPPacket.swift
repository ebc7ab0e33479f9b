/// One negotiated option (RFC 2347): name and value, both ASCII.
public struct TFTPOption: Sendable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// TFTP packets (RFC 1350) with option extension (RFC 2347, 2348, 2349).
public enum TFTPPacket: Equatable, Sendable {
    case readRequest(filename: String, options: [TFTPOption])
    case data(block: UInt16, payload: ArraySlice<UInt8>)
    case ack(block: UInt16)
    case error(code: UInt16, message: String)
    case optionAcknowledgement([TFTPOption])

    public enum Opcode {
        public static let readRequest: UInt16 = 1
        public static let writeRequest: UInt16 = 2
        public static let data: UInt16 = 3
        public static let ack: UInt16 = 4
        public static let error: UInt16 = 5
        public static let optionAcknowledgement: UInt16 = 6
    }

    public enum ErrorCode {
        public static let notDefined: UInt16 = 0
        public static let fileNotFound: UInt16 = 1
        public static let accessViolation: UInt16 = 2
        public static let diskFull: UInt16 = 3
        public static let illegalOperation: UInt16 = 4
        public static let unknownTransferID: UInt16 = 5
        public static let optionsRefused: UInt16 = 8
    }

    /// Why a datagram is not a TFTP packet this client accepts. The phone drops such a
    /// datagram (a stray or garbage on the transfer's port); the fuzz target and the tests
    /// read the fault.
    public enum ParseError: WireFault, Equatable, Sendable {
        case tooShort(length: Int)
        case unknownOpcode(UInt16)
        case unterminatedString(offset: Int)
        case malformedOptions(offset: Int)

        public var code: String {
            switch self {
            case .tooShort: return "tooShort"
            case .unknownOpcode: return "unknownOpcode"
            case .unterminatedString: return "unterminatedString"
            case .malformedOptions: return "malformedOptions"
            }
        }

        /// From the start of the datagram.
        public var offset: Int? {
            switch self {
            case .unterminatedString(let offset), .malformedOptions(let offset): return offset
            case .tooShort, .unknownOpcode: return nil
            }
        }

        public var problem: String {
            switch self {
            case .tooShort(let length): return "TFTP: a datagram of " + String(length) + " bytes (at least 4)"
            case .unknownOpcode(let opcode): return "TFTP: unknown opcode " + String(opcode)
            case .unterminatedString: return "TFTP: a string without its NUL"
            case .malformedOptions: return "TFTP: malformed options"
            }
        }
    }

    public static func == (left: TFTPPacket, right: TFTPPacket) -> Bool {
        switch (left, right) {
        case (.readRequest(let a, let x), .readRequest(let b, let y)):
            return sameText(a, b) && sameOptions(x, y)
        case (.data(let a, let x), .data(let b, let y)): return a == b && x.elementsEqual(y)
        case (.ack(let a), .ack(let b)): return a == b
        case (.error(let a, let x), .error(let b, let y)): return a == b && sameText(x, y)
        case (.optionAcknowledgement(let x), .optionAcknowledgement(let y)): return sameOptions(x, y)
        default: return false
        }
    }

    private static func sameOptions(_ x: [TFTPOption], _ y: [TFTPOption]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { sameText($0.name, $1.name) && sameText($0.value, $1.value) }
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .readRequest(let filename, let options):
            Self.append(u16: Opcode.readRequest, to: &bytes)
            Self.append(text: filename, to: &bytes)
            Self.append(text: "octet", to: &bytes)
            for option in options {
                Self.append(text: option.name, to: &bytes)
                Self.append(text: option.value, to: &bytes)
            }
        case .data(let block, let payload):
            Self.append(u16: Opcode.data, to: &bytes)
            Self.append(u16: block, to: &bytes)
            bytes.append(contentsOf: payload)
        case .ack(let block):
            Self.append(u16: Opcode.ack, to: &bytes)
            Self.append(u16: block, to: &bytes)
        case .error(let code, let message):
            Self.append(u16: Opcode.error, to: &bytes)
            Self.append(u16: code, to: &bytes)
            Self.append(text: message, to: &bytes)
        case .optionAcknowledgement(let options):
            Self.append(u16: Opcode.optionAcknowledgement, to: &bytes)
            for option in options {
                Self.append(text: option.name, to: &bytes)
                Self.append(text: option.value, to: &bytes)
            }
        }
        return bytes
    }

    private static func append(u16 value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    private static func append(text: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
        bytes.append(0)
    }

    /// Parses a datagram the client may receive: DATA, ACK, ERROR, OACK.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> TFTPPacket {
        guard bytes.count >= 4 else { throw .tooShort(length: bytes.count) }
        let opcode = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let number = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        switch opcode {
        case Opcode.data:
            return .data(block: number, payload: bytes[4...])
        case Opcode.ack:
            return .ack(block: number)
        case Opcode.error:
            // Some servers omit the terminating NUL; take what is there.
            var end = 4
            while end < bytes.count, bytes[end] != 0 { end += 1 }
            return .error(code: number, message: String(decoding: bytes[4..<end], as: UTF8.self))
        case Opcode.optionAcknowledgement:
            var options: [TFTPOption] = []
            var index = 2
            while index < bytes.count {
                guard let nameEnd = bytes[index...].firstIndex(of: 0) else { throw .unterminatedString(offset: index) }
                let valueStart = nameEnd + 1
                guard valueStart < bytes.count, let valueEnd = bytes[valueStart...].firstIndex(of: 0) else {
                    throw .malformedOptions(offset: index)
                }
                guard options.count < 16 else { throw .malformedOptions(offset: index) }
                options.append(TFTPOption(String(decoding: bytes[index..<nameEnd], as: UTF8.self),
                                          String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)))
                index = valueEnd + 1
            }
            return .optionAcknowledgement(options)
        default:
            throw .unknownOpcode(opcode)
        }
    }
}
