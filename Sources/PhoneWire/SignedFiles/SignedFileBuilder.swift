/// Assembles signed files in the exact element order, padding and lengths the
/// reference tool writes (see the vectors), leaving the signature to be filled in.
public struct SignedFileBuilder {
    /// Who signs: the header's signer-info fields and the signature parameters.
    public struct Signer {
        public var name: [UInt8]
        public var issuer: [UInt8]
        public var serialNumber: [UInt8]
        public var hashAlgorithm: SignedFileHash
        /// The signature's byte length: the signer's RSA modulus size (64, 128, 256, 512).
        public var signatureLength: Int

        public init(name: [UInt8], issuer: [UInt8], serialNumber: [UInt8], hashAlgorithm: SignedFileHash,
                    signatureLength: Int) {
            self.name = name
            self.issuer = issuer
            self.serialNumber = serialNumber
            self.hashAlgorithm = hashAlgorithm
            self.signatureLength = signatureLength
        }
    }

    /// The fields of an `.enc.sgn` (tags 16–27).
    public struct Encryption {
        public var iv: [UInt8]
        public var paddingCount: Int
        public var keySizeBits: Int
        public var wrappedKey: [UInt8]
        public var digestAlgorithm: SignedFileHash
        public var digest: [UInt8]

        public init(iv: [UInt8], paddingCount: Int, keySizeBits: Int, wrappedKey: [UInt8],
                    digestAlgorithm: SignedFileHash, digest: [UInt8]) {
            self.iv = iv
            self.paddingCount = paddingCount
            self.keySizeBits = keySizeBits
            self.wrappedKey = wrappedKey
            self.digestAlgorithm = digestAlgorithm
            self.digest = digest
        }
    }

    public enum BuildError: Error, Equatable {
        /// A field longer than its 16-bit length, or a signature size the format cannot name.
        case fieldTooLong(tag: UInt8)
        case unsupportedSignatureLength(Int)
    }

    /// A file with a zeroed signature and the ranges its signature must cover.
    public struct Unsigned {
        public private(set) var bytes: [UInt8]
        public let signature: Range<Int>
        public let signatureElement: Range<Int>

        public var signedRanges: (Range<Int>, Range<Int>) {
            (0..<signatureElement.lowerBound, signatureElement.upperBound..<bytes.count)
        }

        /// Returns the finished file. The signature must have the announced length.
        public consuming func signed(with signatureBytes: [UInt8]) -> [UInt8]? {
            guard signatureBytes.count == signature.count else { return nil }
            bytes.replaceSubrange(signature, with: signatureBytes)
            return bytes
        }
    }

    public var version: FormatVersion
    public var signerVersion: FormatVersion?
    public var signer: Signer
    public var filename: [UInt8]
    public var timestamp: UInt32
    public var encryption: Encryption?

    public init(version: FormatVersion, signerVersion: FormatVersion? = nil, signer: Signer, filename: [UInt8],
                timestamp: UInt32, encryption: Encryption? = nil) {
        self.version = version
        self.signerVersion = signerVersion
        self.signer = signer
        self.filename = filename
        self.timestamp = timestamp
        self.encryption = encryption
    }

    public func build(body: ArraySlice<UInt8>) throws(BuildError) -> Unsigned {
        typealias T = SignedFileTag
        guard let modulusIndex = T.signatureLengths.firstIndex(of: signer.signatureLength) else {
            throw .unsupportedSignatureLength(signer.signatureLength)
        }
        var out = ElementWriter()
        out.element(T.version, [version.major, version.minor])
        let headerLengthAt = out.bytes.count + 3
        out.element(T.headerLength, [0, 0])
        if let signerVersion { out.element(T.signerVersion, [signerVersion.major, signerVersion.minor]) }
        let signerInfo = out.openContainer(T.signerInfo)
        try out.text(T.signerName, signer.name)
        try out.text(T.issuerName, signer.issuer)
        try out.element(T.serialNumber, signer.serialNumber[...])
        out.close(signerInfo)
        let signatureInfo = out.openContainer(T.signatureInfo)
        out.element(T.hashAlgorithm, [signer.hashAlgorithm.rawValue])
        let algorithmInfo = out.openContainer(T.signatureAlgorithmInfo)
        out.element(T.signatureAlgorithm, [0])
        out.element(T.signatureModulus, [UInt8(modulusIndex)])
        out.close(algorithmInfo)
        out.close(signatureInfo)
        let signatureStart = out.bytes.count
        try out.element(T.signature, [UInt8](repeating: 0, count: signer.signatureLength)[...])
        let signatureElement = signatureStart..<out.bytes.count
        try out.text(T.filename, filename)
        out.element(T.timestamp, [UInt8(truncatingIfNeeded: timestamp >> 24), UInt8(truncatingIfNeeded: timestamp >> 16),
                                  UInt8(truncatingIfNeeded: timestamp >> 8), UInt8(truncatingIfNeeded: timestamp)])
        if let encryption {
            let info = out.openContainer(T.encryptionInfo)
            let ivInfo = out.openContainer(T.ivInfo)
            out.element(T.ivReserved, [0])
            try out.element(T.iv, encryption.iv[...])
            out.element(T.paddingCount, ElementWriter.u16(encryption.paddingCount))
            out.close(ivInfo)
            let keyInfo = out.openContainer(T.keyInfo)
            out.element(T.keyReserved, [0])
            out.element(T.keySize, ElementWriter.u16(encryption.keySizeBits))
            out.element(T.keyAlgorithm, [SignedFile.aes128CBC])
            try out.element(T.wrappedKey, encryption.wrappedKey[...])
            out.close(keyInfo)
            out.close(info)
            out.element(T.plaintextDigestAlgorithm, [encryption.digestAlgorithm.rawValue])
            try out.element(T.plaintextDigest, encryption.digest[...])
        }
        while out.bytes.count % 4 != 0 { out.bytes.append(T.padding) }
        guard out.bytes.count <= Int(UInt16.max) else { throw .fieldTooLong(tag: T.headerLength) }
        let headerLength = ElementWriter.u16(out.bytes.count)
        out.bytes[headerLengthAt] = headerLength[0]
        out.bytes[headerLengthAt + 1] = headerLength[1]
        out.bytes.append(contentsOf: body)
        return Unsigned(bytes: out.bytes, signature: (signatureStart + 3)..<signatureElement.upperBound,
                        signatureElement: signatureElement)
    }

    /// One trust-list record in the reference order: length, subject, issuer, serial,
    /// role, public key, certificate signature, certificate, and the server's IP address
    /// when given (a real CTL's records carry one: 4 bytes, IPv4).
    public static func trustRecord(subject: [UInt8], issuer: [UInt8], serialNumber: [UInt8], role: TrustRole,
                                   publicKey: [UInt8], certificateSignature: [UInt8],
                                   certificate: [UInt8], ipAddress: [UInt8]? = nil) throws(BuildError) -> [UInt8] {
        typealias T = TrustRecordTag
        var out = ElementWriter()
        out.element(T.recordLength, [0, 0])
        try out.text(T.subjectName, subject)
        try out.text(T.issuerName, issuer)
        try out.element(T.serialNumber, serialNumber[...])
        out.element(T.role, ElementWriter.u16(Int(role.rawValue)))
        try out.element(T.publicKey, publicKey[...])
        try out.element(T.signature, certificateSignature[...])
        try out.element(T.certificate, certificate[...])
        if let ipAddress { try out.element(T.ipAddress, ipAddress[...]) }
        guard out.bytes.count <= Int(UInt16.max) else { throw .fieldTooLong(tag: T.recordLength) }
        let length = ElementWriter.u16(out.bytes.count)
        out.bytes[3] = length[0]
        out.bytes[4] = length[1]
        return out.bytes
    }
}

/// Appends `tag u8, length u16, value` elements; containers are patched on close.
struct ElementWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    static func u16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    mutating func element(_ tag: UInt8, _ value: [UInt8]) {
        bytes.append(tag)
        bytes.append(contentsOf: Self.u16(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func element(_ tag: UInt8, _ value: ArraySlice<UInt8>) throws(SignedFileBuilder.BuildError) {
        guard value.count <= Int(UInt16.max) else { throw .fieldTooLong(tag: tag) }
        bytes.append(tag)
        bytes.append(contentsOf: Self.u16(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func text(_ tag: UInt8, _ value: [UInt8]) throws(SignedFileBuilder.BuildError) {
        guard value.count < Int(UInt16.max) else { throw .fieldTooLong(tag: tag) }
        bytes.append(tag)
        bytes.append(contentsOf: Self.u16(value.count + 1))
        bytes.append(contentsOf: value)
        bytes.append(0)
    }

    mutating func openContainer(_ tag: UInt8) -> Int {
        bytes.append(tag)
        bytes.append(contentsOf: [0, 0])
        return bytes.count
    }

    mutating func close(_ valueStart: Int) {
        let length = Self.u16(bytes.count - valueStart)
        bytes[valueStart - 2] = length[0]
        bytes[valueStart - 1] = length[1]
    }
}
