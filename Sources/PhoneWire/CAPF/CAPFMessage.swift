/// CAPF commands (formats.md §3).
public enum CAPFCommand: UInt8, Sendable {
    case authRequest = 1
    case authResponse = 2
    case keyGenerateRequest = 3
    case keyGenerateResponse = 4
    case encryptResponse = 5
    case encryptRequest = 6
    case decryptRequest = 7
    case decryptResponse = 8
    case storeCertificateRequest = 9
    case storeCertificateResponse = 10
    case fetchCertificateRequest = 11
    case fetchCertificateResponse = 12
    case deleteCertificateRequest = 13
    case deleteCertificateResponse = 14
    case endSession = 15
    case retryLater = 16
    case requestInProgress = 17
    case statusRequest = 18
    case statusResponse = 19
    case abortRequest = 20
    case abortResponse = 21
    case signCertificateRequest = 22
    case signCertificateResponse = 23

    public var name: String {
        switch self {
        case .authRequest: return "AuthRequest"
        case .authResponse: return "AuthResponse"
        case .keyGenerateRequest: return "KeyGenerateRequest"
        case .keyGenerateResponse: return "KeyGenerateResponse"
        case .encryptResponse: return "EncryptResponse"
        case .encryptRequest: return "EncryptRequest"
        case .decryptRequest: return "DecryptRequest"
        case .decryptResponse: return "DecryptResponse"
        case .storeCertificateRequest: return "StoreCertificateRequest"
        case .storeCertificateResponse: return "StoreCertificateResponse"
        case .fetchCertificateRequest: return "FetchCertificateRequest"
        case .fetchCertificateResponse: return "FetchCertificateResponse"
        case .deleteCertificateRequest: return "DeleteCertificateRequest"
        case .deleteCertificateResponse: return "DeleteCertificateResponse"
        case .endSession: return "EndSession"
        case .retryLater: return "RetryLater"
        case .requestInProgress: return "RequestInProgress"
        case .statusRequest: return "StatusRequest"
        case .statusResponse: return "StatusResponse"
        case .abortRequest: return "AbortRequest"
        case .abortResponse: return "AbortResponse"
        case .signCertificateRequest: return "SignCertificateRequest"
        case .signCertificateResponse: return "SignCertificateResponse"
        }
    }
}

/// CAPF element tags (formats.md §3).
public enum CAPFTag {
    public static let reason: UInt8 = 1
    public static let reasonInfo: UInt8 = 2
    public static let certificateType: UInt8 = 3
    public static let certificate: UInt8 = 4
    public static let signedData: UInt8 = 6
    public static let version: UInt8 = 7
    /// The way an AuthRequest asks the phone to authenticate, numbered as capfAuthMode.
    public static let authType: UInt8 = 8
    public static let publicKey: UInt8 = 9
    public static let keySize: UInt8 = 10
    public static let password: UInt8 = 11
    public static let retryDelay: UInt8 = 12
    public static let deviceName: UInt8 = 13
    public static let sudiData: UInt8 = 16
    public static let keyType: UInt8 = 17
    public static let curve: UInt8 = 18
    public static let digestType: UInt8 = 19
    public static let sha2SignedData: UInt8 = 20

    /// Tags this codec knows; others are skipped (and reported).
    static func isKnown(_ tag: UInt8) -> Bool {
        switch tag {
        case 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20: return true
        default: return false
        }
    }

    /// Fixed value lengths; nil for variable ones. The retry delay is read as a
    /// big-endian integer of 1, 2 or 4 bytes.
    static func fixedLength(_ tag: UInt8) -> Int? {
        switch tag {
        case reason, certificateType, version, authType, keyType, curve, digestType: return 1
        case keySize: return 2
        default: return nil
        }
    }
}

/// Reason values of element 1.
public enum CAPFReasonCode {
    public static let noAction: UInt8 = 0
    public static let success: UInt8 = 1
    public static let invalidElement: UInt8 = 7
    public static let unknownDevice: UInt8 = 9
}

/// Values of element 3 and of the certificate element's type byte.
public enum CAPFCertificateType {
    public static let lsc: UInt8 = 1
    public static let mic: UInt8 = 2
}

/// Values of element 17.
public enum CAPFKeyType {
    public static let rsa: UInt8 = 0
    public static let ec: UInt8 = 1
}

/// Values of element 18.
public enum CAPFCurve {
    public static let p256: UInt8 = 0
    public static let p384: UInt8 = 1
    public static let p521: UInt8 = 2
}

/// Why CAPF bytes were refused, with the offset within the message.
public enum CAPFWireError: WireFault, Equatable, Sendable {
    case wrongProtocol(UInt8)
    case unknownCommand(UInt8)
    /// The header announces more than the cap allows.
    case tooLong(length: Int, limit: Int)
    case truncated(offset: Int)
    case invalidLength(tag: UInt8, offset: Int)
    case duplicateElement(tag: UInt8, offset: Int)
    case malformedElement(tag: UInt8, offset: Int)
}

extension CAPFWireError {
    public var code: String {
        switch self {
        case .wrongProtocol: return "wrongProtocol"
        case .unknownCommand: return "unknownCommand"
        case .tooLong: return "tooLong"
        case .truncated: return "truncated"
        case .invalidLength: return "invalidLength"
        case .duplicateElement: return "duplicateElement"
        case .malformedElement: return "malformedElement"
        }
    }

    public var offset: Int? {
        switch self {
        case .truncated(let offset), .invalidLength(_, let offset), .duplicateElement(_, let offset), .malformedElement(_, let offset):
            return offset
        case .wrongProtocol, .unknownCommand, .tooLong:
            return nil
        }
    }

    public var problem: String {
        switch self {
        case .wrongProtocol(let value): return "not a CAPF message (protocol " + String(value) + ")"
        case .unknownCommand(let value): return "unknown CAPF command " + String(value)
        case .tooLong(let length, let limit):
            return "CAPF message of " + String(length) + " bytes over the " + String(limit) + "-byte cap"
        case .truncated: return "CAPF message truncated"
        case .invalidLength(let tag, _): return elementFault(Int(tag), "has an invalid length", element: "CAPF element")
        case .duplicateElement(let tag, _): return elementFault(Int(tag), "repeated", element: "CAPF element")
        case .malformedElement(let tag, _): return elementFault(Int(tag), "malformed", element: "CAPF element")
        }
    }
}

/// One CAPF message: header fields and its elements (values copied out: a message is
/// small and outlives the receive buffer).
public struct CAPFMessage: Equatable, Sendable {
    public static let protocolID: UInt8 = 0x55
    public static let headerLength = 8
    /// The largest payload accepted: a certificate with SUDI data fits many times over.
    public static let maxPayload = 16 * 1024

    public struct Element: Equatable, Sendable {
        public let tag: UInt8
        public let value: [UInt8]
        public init(_ tag: UInt8, _ value: [UInt8]) {
            self.tag = tag
            self.value = value
        }
    }

    public let command: CAPFCommand
    public let sessionID: UInt32
    public let elements: [Element]
    /// Tags the decoder did not know and skipped, for the log.
    public let skippedTags: [UInt8]

    public init(_ command: CAPFCommand, sessionID: UInt32, _ elements: [Element]) {
        self.command = command
        self.sessionID = sessionID
        self.elements = elements
        skippedTags = []
    }

    private init(command: CAPFCommand, sessionID: UInt32, elements: [Element], skippedTags: [UInt8]) {
        self.command = command
        self.sessionID = sessionID
        self.elements = elements
        self.skippedTags = skippedTags
    }

    public func value(_ tag: UInt8) -> [UInt8]? {
        elements.first { $0.tag == tag }?.value
    }

    public func byte(_ tag: UInt8) -> UInt8? {
        value(tag)?.first
    }

    /// A big-endian unsigned value of 1 to 4 bytes.
    public func integer(_ tag: UInt8) -> UInt32? {
        guard let bytes = value(tag), !bytes.isEmpty, bytes.count <= 4 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The whole message, header and elements, for one write.
    public func encoded() -> [UInt8] {
        var payload: [UInt8] = []
        for element in elements {
            payload.append(element.tag)
            payload.append(UInt8(truncatingIfNeeded: element.value.count >> 8))
            payload.append(UInt8(truncatingIfNeeded: element.value.count))
            payload.append(contentsOf: element.value)
        }
        var bytes: [UInt8] = [Self.protocolID, command.rawValue,
                              UInt8(truncatingIfNeeded: sessionID >> 24), UInt8(truncatingIfNeeded: sessionID >> 16),
                              UInt8(truncatingIfNeeded: sessionID >> 8), UInt8(truncatingIfNeeded: sessionID),
                              UInt8(truncatingIfNeeded: payload.count >> 8), UInt8(truncatingIfNeeded: payload.count)]
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Reads the header: the payload length that follows, after checking the protocol
    /// byte and the cap.
    public static func payloadLength(header: ArraySlice<UInt8>) throws(CAPFWireError) -> Int {
        guard header.count >= headerLength else { throw .truncated(offset: header.count) }
        let start = header.startIndex
        guard header[start] == protocolID else { throw .wrongProtocol(header[start]) }
        let length = Int(header[start + 6]) << 8 | Int(header[start + 7])
        guard length <= maxPayload else { throw .tooLong(length: length, limit: maxPayload) }
        return length
    }

    /// Decodes one whole message (header and exactly its payload).
    public static func decode(_ bytes: [UInt8]) throws(CAPFWireError) -> CAPFMessage {
        let length = try payloadLength(header: bytes[...])
        guard bytes.count >= headerLength + length else { throw .truncated(offset: bytes.count) }
        guard bytes.count == headerLength + length else { throw .invalidLength(tag: 0, offset: 6) }
        guard let command = CAPFCommand(rawValue: bytes[1]) else { throw .unknownCommand(bytes[1]) }
        let sessionID = UInt32(bytes[2]) << 24 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 8 | UInt32(bytes[5])
        var elements: [Element] = []
        var skipped: [UInt8] = []
        var reader = ByteReader(bytes, from: headerLength)
        while !reader.isAtEnd {
            let start = reader.offset
            let tag: UInt8
            let valueLength: Int
            do {
                tag = try reader.u8()
                valueLength = Int(try reader.u16())
            } catch {
                throw .truncated(offset: start)
            }
            let value: Range<Int>
            do { value = try reader.range(valueLength) } catch { throw .truncated(offset: start) }
            guard CAPFTag.isKnown(tag) else {
                skipped.append(tag)
                continue
            }
            if let fixed = CAPFTag.fixedLength(tag), fixed != valueLength { throw .invalidLength(tag: tag, offset: start) }
            guard !elements.contains(where: { $0.tag == tag }) else { throw .duplicateElement(tag: tag, offset: start) }
            elements.append(Element(tag, Array(bytes[value])))
        }
        return CAPFMessage(command: command, sessionID: sessionID, elements: elements, skippedTags: skipped)
    }
}
