/// TVS (Trust Verification Service) messages, formats.md §4: a 10-byte header
/// (`protocol 87, version 1, command, 0, session id u32, length u16`), then elements
/// `tag u8, length u16, value`. One VerifyRequest and one VerifyResponse per connection.
public enum TVSCommand: UInt8, Sendable {
    case verifyRequest = 1
    case verifyResponse = 2
}

/// TVS element tags.
public enum TVSTag {
    /// A 0x01 byte, then the device name (`CP-<model>-SEP<MAC>`), no NUL.
    public static let deviceName: UInt8 = 1
    public static let certificate: UInt8 = 2
    /// u8: 0 valid, 1 invalid.
    public static let status: UInt8 = 7
    /// One u8 per role, the trust-list role codes.
    public static let roles: UInt8 = 8
    /// u32 seconds the answer may be cached.
    public static let ttl: UInt8 = 9
}

/// Why TVS bytes were refused, with the byte offset (from the start of the message).
public enum TVSWireError: WireFault, Equatable, Sendable {
    case truncated(offset: Int)
    case wrongProtocol(UInt8)
    case wrongVersion(UInt8)
    case unknownCommand(UInt8)
    /// The command is known but not the one this side expects.
    case unexpectedCommand(UInt8)
    /// Byte 3 of the header must be 0.
    case reservedByte(UInt8)
    /// The header announces more than `limit` bytes of elements.
    case oversized(length: Int, limit: Int)
    /// Bytes left after the announced length.
    case trailingBytes(offset: Int)
    case unknownTag(tag: UInt8, offset: Int)
    case duplicateElement(tag: UInt8, offset: Int)
    case missingElement(tag: UInt8)
    case invalidLength(tag: UInt8, offset: Int)
    case invalidValue(tag: UInt8, offset: Int)
    /// Roles or a TTL in an "invalid" answer, which carries the status alone.
    case misplacedElement(tag: UInt8, offset: Int)
}

extension TVSWireError {
    public var code: String {
        switch self {
        case .truncated: return "truncated"
        case .wrongProtocol: return "wrongProtocol"
        case .wrongVersion: return "wrongVersion"
        case .unknownCommand: return "unknownCommand"
        case .unexpectedCommand: return "unexpectedCommand"
        case .reservedByte: return "reservedByte"
        case .oversized: return "oversized"
        case .trailingBytes: return "trailingBytes"
        case .unknownTag: return "unknownTag"
        case .duplicateElement: return "duplicateElement"
        case .missingElement: return "missingElement"
        case .invalidLength: return "invalidLength"
        case .invalidValue: return "invalidValue"
        case .misplacedElement: return "misplacedElement"
        }
    }

    public var offset: Int? {
        switch self {
        case .truncated(let offset), .trailingBytes(let offset), .unknownTag(_, let offset), .duplicateElement(_, let offset),
             .invalidLength(_, let offset), .invalidValue(_, let offset), .misplacedElement(_, let offset):
            return offset
        case .wrongProtocol, .wrongVersion, .unknownCommand, .unexpectedCommand, .reservedByte, .oversized, .missingElement:
            return nil
        }
    }

    public var problem: String {
        switch self {
        case .truncated: return "truncated"
        case .wrongProtocol(let value): return "protocol byte " + String(value) + " (TVS is 87)"
        case .wrongVersion(let value): return "version " + String(value) + " (TVS is 1)"
        case .unknownCommand(let value): return "unknown command " + String(value)
        case .unexpectedCommand(let value): return "unexpected command " + String(value)
        case .reservedByte(let value): return "header byte 3 is " + String(value) + ", not 0"
        case .oversized(let length, let limit):
            return "announces " + String(length) + " bytes of elements, more than " + String(limit)
        case .trailingBytes: return "bytes after the message"
        case .unknownTag(let tag, _): return "unknown tag " + String(tag)
        case .duplicateElement(let tag, _): return elementFault(Int(tag), "repeated")
        case .missingElement(let tag): return "required tag " + String(tag) + " missing"
        case .invalidLength(let tag, _): return elementFault(Int(tag), "has an invalid length")
        case .invalidValue(let tag, _): return elementFault(Int(tag), "has an invalid value")
        case .misplacedElement(let tag, _): return elementFault(Int(tag), "does not belong in an invalid answer")
        }
    }
}

/// The fixed header of every TVS message.
public struct TVSHeader: Equatable, Sendable {
    public static let length = 10
    public static let protocolByte: UInt8 = 87
    public static let version: UInt8 = 1
    /// A request carries a certificate (a few KB); no answer is near this.
    public static let maxPayload = 16 * 1024

    public let command: TVSCommand
    public let sessionID: UInt32
    /// Bytes of elements after the header.
    public let payloadLength: Int

    public init(command: TVSCommand, sessionID: UInt32, payloadLength: Int) {
        self.command = command
        self.sessionID = sessionID
        self.payloadLength = payloadLength
    }

    /// Reads the header from the first 10 bytes, refusing a wrong protocol byte,
    /// version or command and an over-cap length as soon as they are in.
    public static func parse(_ bytes: [UInt8]) throws(TVSWireError) -> TVSHeader {
        guard bytes.count >= 1 else { throw .truncated(offset: 0) }
        guard bytes[0] == protocolByte else { throw .wrongProtocol(bytes[0]) }
        guard bytes.count >= 2 else { throw .truncated(offset: 1) }
        guard bytes[1] == version else { throw .wrongVersion(bytes[1]) }
        guard bytes.count >= 3 else { throw .truncated(offset: 2) }
        guard let command = TVSCommand(rawValue: bytes[2]) else { throw .unknownCommand(bytes[2]) }
        guard bytes.count >= 4 else { throw .truncated(offset: 3) }
        guard bytes[3] == 0 else { throw .reservedByte(bytes[3]) }
        guard bytes.count >= length else { throw .truncated(offset: bytes.count) }
        let payload = Int(bytes.bigEndianValue(8..<10))
        guard payload <= maxPayload else { throw .oversized(length: payload, limit: maxPayload) }
        return TVSHeader(command: command, sessionID: bytes.bigEndianValue(4..<8), payloadLength: payload)
    }

    func encode(into bytes: inout [UInt8]) {
        bytes += [Self.protocolByte, Self.version, command.rawValue, 0]
        bytes += bigEndian32(sessionID)
        bytes += [UInt8(truncatingIfNeeded: payloadLength >> 8), UInt8(truncatingIfNeeded: payloadLength)]
    }
}

/// Walks the elements of one message: each once, known tags only, lengths inside the
/// message.
struct TVSElements {
    var seen: [UInt8] = []
    var reader: ByteReader

    init(_ bytes: [UInt8], header: TVSHeader) throws(TVSWireError) {
        let end = TVSHeader.length + header.payloadLength
        guard bytes.count >= end else { throw .truncated(offset: bytes.count) }
        guard bytes.count == end else { throw .trailingBytes(offset: end) }
        reader = ByteReader(bytes, from: TVSHeader.length, to: end)
    }

    /// The next element's tag, value range and offset, nil at the end.
    mutating func next(known: [UInt8]) throws(TVSWireError) -> (tag: UInt8, value: Range<Int>, offset: Int)? {
        guard !reader.isAtEnd else { return nil }
        let offset = reader.offset
        let tag: UInt8
        let value: Range<Int>
        do throws(WireError) {
            tag = try reader.u8()
            guard known.contains(tag) else { throw .unknownTag(tag: tag, offset: offset) }
            value = try reader.range(Int(try reader.u16()))
        } catch {
            guard case .unknownTag(let tag, _) = error else { throw .truncated(offset: offset) }
            throw .unknownTag(tag: tag, offset: offset)
        }
        guard !seen.contains(tag) else { throw .duplicateElement(tag: tag, offset: offset) }
        seen.append(tag)
        return (tag, value, offset)
    }
}

/// VerifyRequest: the phone asks whether a certificate is trusted, and for what.
public struct TVSVerifyRequest: Equatable, Sendable {
    /// The longest device name the codec takes (`CP-<model>-SEP<MAC>` is 23 bytes).
    public static let maxDeviceName = 64

    public let sessionID: UInt32
    /// Without the 0x01 prefix.
    public let deviceName: [UInt8]
    public let certificate: [UInt8]

    public init(sessionID: UInt32, deviceName: [UInt8], certificate: [UInt8]) {
        self.sessionID = sessionID
        self.deviceName = deviceName
        self.certificate = certificate
    }

    /// Header and elements, to be sent in one write (the reference server reads the
    /// header with a single read).
    public func encode() -> [UInt8] {
        var elements: [UInt8] = []
        appendElement(TVSTag.deviceName, [0x01] + deviceName, to: &elements)
        appendElement(TVSTag.certificate, certificate, to: &elements)
        var message: [UInt8] = []
        message.reserveCapacity(TVSHeader.length + elements.count)
        TVSHeader(command: .verifyRequest, sessionID: sessionID, payloadLength: elements.count).encode(into: &message)
        return message + elements
    }

    public static func decode(_ bytes: [UInt8]) throws(TVSWireError) -> TVSVerifyRequest {
        let header = try TVSHeader.parse(bytes)
        guard header.command == .verifyRequest else { throw .unexpectedCommand(header.command.rawValue) }
        var elements = try TVSElements(bytes, header: header)
        var deviceName: [UInt8]?
        var certificate: [UInt8]?
        while let (tag, value, offset) = try elements.next(known: [TVSTag.deviceName, TVSTag.certificate]) {
            if tag == TVSTag.deviceName {
                guard value.count >= 2, value.count <= maxDeviceName + 1 else { throw .invalidLength(tag: tag, offset: offset) }
                guard bytes[value.lowerBound] == 0x01 else { throw .invalidValue(tag: tag, offset: offset) }
                deviceName = Array(bytes[(value.lowerBound + 1)..<value.upperBound])
            } else {
                guard !value.isEmpty else { throw .invalidLength(tag: tag, offset: offset) }
                certificate = Array(bytes[value])
            }
        }
        guard let deviceName else { throw .missingElement(tag: TVSTag.deviceName) }
        guard let certificate else { throw .missingElement(tag: TVSTag.certificate) }
        return TVSVerifyRequest(sessionID: header.sessionID, deviceName: deviceName, certificate: certificate)
    }
}

/// VerifyResponse: valid with the certificate's roles and how long to cache the answer,
/// or invalid (the status alone).
public struct TVSVerifyResponse: Equatable, Sendable {
    public enum Status: Equatable, Sendable {
        case valid(roles: [TrustRole], ttlSeconds: UInt32)
        case invalid
    }

    /// More roles than any certificate has in a trust list.
    public static let maxRoles = 16

    public let sessionID: UInt32
    public let status: Status

    public init(sessionID: UInt32, status: Status) {
        self.sessionID = sessionID
        self.status = status
    }

    public func encode() -> [UInt8] {
        var elements: [UInt8] = []
        switch status {
        case .valid(let roles, let ttl):
            appendElement(TVSTag.status, [0], to: &elements)
            appendElement(TVSTag.roles, roles.map { UInt8(truncatingIfNeeded: $0.rawValue) }, to: &elements)
            appendElement(TVSTag.ttl, bigEndian32(ttl), to: &elements)
        case .invalid:
            appendElement(TVSTag.status, [1], to: &elements)
        }
        var message: [UInt8] = []
        TVSHeader(command: .verifyResponse, sessionID: sessionID, payloadLength: elements.count).encode(into: &message)
        return message + elements
    }

    /// Strict: the status must be there; a valid answer needs its roles and TTL; an
    /// invalid one carries nothing else.
    public static func decode(_ bytes: [UInt8]) throws(TVSWireError) -> TVSVerifyResponse {
        let header = try TVSHeader.parse(bytes)
        guard header.command == .verifyResponse else { throw .unexpectedCommand(header.command.rawValue) }
        var elements = try TVSElements(bytes, header: header)
        var valid: Bool?
        var roles: [TrustRole]?
        var ttl: UInt32?
        var extraOffset: (tag: UInt8, offset: Int)?
        while let (tag, value, offset) = try elements.next(known: [TVSTag.status, TVSTag.roles, TVSTag.ttl]) {
            switch tag {
            case TVSTag.status:
                guard value.count == 1 else { throw .invalidLength(tag: tag, offset: offset) }
                guard bytes[value.lowerBound] <= 1 else { throw .invalidValue(tag: tag, offset: offset) }
                valid = bytes[value.lowerBound] == 0
            case TVSTag.roles:
                guard !value.isEmpty, value.count <= maxRoles else { throw .invalidLength(tag: tag, offset: offset) }
                roles = bytes[value].map { TrustRole(rawValue: UInt16($0)) }
                extraOffset = extraOffset ?? (tag, offset)
            default:
                guard value.count == 4 else { throw .invalidLength(tag: tag, offset: offset) }
                ttl = bytes.bigEndianValue(value)
                extraOffset = extraOffset ?? (tag, offset)
            }
        }
        guard let valid else { throw .missingElement(tag: TVSTag.status) }
        guard valid else {
            if let extraOffset { throw .misplacedElement(tag: extraOffset.tag, offset: extraOffset.offset) }
            return TVSVerifyResponse(sessionID: header.sessionID, status: .invalid)
        }
        guard let roles else { throw .missingElement(tag: TVSTag.roles) }
        guard let ttl else { throw .missingElement(tag: TVSTag.ttl) }
        return TVSVerifyResponse(sessionID: header.sessionID, status: .valid(roles: roles, ttlSeconds: ttl))
    }
}

private func bigEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
     UInt8(truncatingIfNeeded: value)]
}

private func appendElement(_ tag: UInt8, _ value: [UInt8], to bytes: inout [UInt8]) {
    bytes.append(tag)
    bytes.append(UInt8(truncatingIfNeeded: value.count >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value.count))
    bytes.append(contentsOf: value)
}
