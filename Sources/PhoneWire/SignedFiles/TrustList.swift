/// The role of a trust-list record (tag 4).
public struct TrustRole: Equatable, Sendable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let sast = TrustRole(rawValue: 0)
    public static let ccm = TrustRole(rawValue: 1)
    public static let ccmTFTP = TrustRole(rawValue: 2)
    public static let tftp = TrustRole(rawValue: 3)
    public static let capf = TrustRole(rawValue: 4)
    public static let appServer = TrustRole(rawValue: 7)
    public static let tvs = TrustRole(rawValue: 21)

    public var name: String {
        switch rawValue {
        case 0: return "SAST"
        case 1: return "CCM"
        case 2: return "CCM+TFTP"
        case 3: return "TFTP"
        case 4: return "CAPF"
        case 7: return "APP-SERVER"
        case 21: return "TVS"
        default: return "role " + String(rawValue)
        }
    }
}

/// Record tags of a trust-list body (formats.md §1).
public enum TrustRecordTag {
    public static let recordLength: UInt8 = 1
    public static let dnsName: UInt8 = 2
    public static let subjectName: UInt8 = 3
    public static let role: UInt8 = 4
    public static let issuerName: UInt8 = 5
    public static let serialNumber: UInt8 = 6
    public static let publicKey: UInt8 = 7
    public static let signature: UInt8 = 8
    public static let certificate: UInt8 = 9
    public static let ipAddress: UInt8 = 10
    public static let certificateHash: UInt8 = 11
    public static let certificateHashAlgorithm: UInt8 = 12
}

/// One trust-list record: ranges into the list's bytes.
public struct TrustRecord: Sendable {
    /// The whole record, from its length element to its last byte.
    public let range: Range<Int>
    public let role: TrustRole
    public let subjectName: Range<Int>
    public let issuerName: Range<Int>
    public let serialNumber: Range<Int>
    public let certificate: Range<Int>
    public let dnsName: Range<Int>?
    public let publicKey: Range<Int>?
    public let signature: Range<Int>?
    public let ipAddress: Range<Int>?
    public let certificateHash: Range<Int>?
    public let certificateHashAlgorithm: UInt8?
}

/// A parsed ITL or CTL: the signed header and its records.
public struct TrustList: Sendable {
    /// More records than any cluster lists (one per server and role); a bound against
    /// hostile files.
    public static let maxRecords = 128

    public let file: SignedFile
    public let records: [TrustRecord]

    public var bytes: [UInt8] { file.bytes }

    public subscript(range: Range<Int>) -> ArraySlice<UInt8> { file.bytes[range] }

    public static func parse(_ bytes: [UInt8]) throws(WireError) -> TrustList {
        let file = try SignedFile.parse(bytes)
        var records: [TrustRecord] = []
        var reader = ByteReader(bytes, from: file.headerLength)
        while !reader.isAtEnd {
            guard records.count < maxRecords else { throw .tooManyRecords(limit: maxRecords) }
            records.append(try parseRecord(&reader, bytes))
        }
        guard !records.isEmpty else { throw .emptyTrustList }
        return TrustList(file: file, records: records)
    }

    /// Records whose issuer and serial number equal the header's signer fields: the
    /// certificate that signed this file, if the file lists it.
    public func recordsMatchingSigner(of signed: SignedFile) -> [Int] {
        var matches: [Int] = []
        for (index, record) in records.enumerated()
        where Self.sameSerial(bytes[record.serialNumber], signed[signed.serialNumber])
            && bytes[record.issuerName].elementsEqual(signed[signed.issuerName]) {
            matches.append(index)
        }
        return matches
    }

    /// Serial numbers compared as integers: a leading zero byte is not significant.
    public static func sameSerial(_ left: ArraySlice<UInt8>, _ right: ArraySlice<UInt8>) -> Bool {
        left.drop(while: { $0 == 0 }).elementsEqual(right.drop(while: { $0 == 0 }))
    }

    private static func parseRecord(_ reader: inout ByteReader, _ bytes: [UInt8]) throws(WireError) -> TrustRecord {
        typealias T = TrustRecordTag
        let start = reader.offset
        let firstTag = try reader.u8()
        guard firstTag == T.recordLength else { throw .misplacedElement(tag: firstTag, offset: start) }
        guard try reader.u16() == 2 else { throw .invalidLength(tag: T.recordLength, offset: start) }
        let recordLength = Int(try reader.u16())
        guard recordLength >= 5, start + recordLength <= bytes.count else { throw .invalidRecordLength(offset: start) }
        let end = start + recordLength

        var elements = [Range<Int>?](repeating: nil, count: 13)
        var hashAlgorithm: UInt8?
        var role: TrustRole?
        while reader.offset < end {
            let elementStart = reader.offset
            let tag = try reader.u8()
            guard tag >= T.dnsName, tag <= T.certificateHashAlgorithm else {
                throw tag == T.recordLength ? .misplacedElement(tag: tag, offset: elementStart)
                                            : .unknownTag(tag: tag, offset: elementStart)
            }
            let length = Int(try reader.u16())
            guard reader.offset + length <= end else {
                throw reader.offset + length > bytes.count ? .truncated(offset: elementStart)
                                                           : .containerOverrun(tag: tag, offset: elementStart)
            }
            guard elements[Int(tag)] == nil else { throw .duplicateElement(tag: tag, offset: elementStart) }
            var value = try reader.range(length)
            switch tag {
            case T.role:
                guard length == 2 else { throw .invalidLength(tag: tag, offset: elementStart) }
                role = TrustRole(rawValue: UInt16(bytes.bigEndianValue(value)))
            case T.certificateHashAlgorithm:
                guard length == 1 else { throw .invalidLength(tag: tag, offset: elementStart) }
                hashAlgorithm = bytes[value.lowerBound]
            case T.dnsName, T.subjectName, T.issuerName:
                guard let text = bytes.nulTerminatedText(value) else {
                    throw .unterminatedString(tag: tag, offset: elementStart)
                }
                value = text
            case T.serialNumber:
                guard length >= 1, length <= 32 else { throw .invalidLength(tag: tag, offset: elementStart) }
            case T.certificate:
                guard length > 0 else { throw .invalidLength(tag: tag, offset: elementStart) }
            default:
                break
            }
            elements[Int(tag)] = value
        }
        guard let role else { throw .missingElement(tag: T.role) }
        guard let subject = elements[Int(T.subjectName)] else { throw .missingElement(tag: T.subjectName) }
        guard let issuer = elements[Int(T.issuerName)] else { throw .missingElement(tag: T.issuerName) }
        guard let serial = elements[Int(T.serialNumber)] else { throw .missingElement(tag: T.serialNumber) }
        guard let certificate = elements[Int(T.certificate)] else { throw .missingElement(tag: T.certificate) }
        return TrustRecord(range: start..<end, role: role, subjectName: subject, issuerName: issuer,
                           serialNumber: serial, certificate: certificate, dnsName: elements[Int(T.dnsName)],
                           publicKey: elements[Int(T.publicKey)], signature: elements[Int(T.signature)],
                           ipAddress: elements[Int(T.ipAddress)], certificateHash: elements[Int(T.certificateHash)],
                           certificateHashAlgorithm: hashAlgorithm)
    }
}
