import CMbedTLS

/// The hash functions the phone needs: MD5 (certificate hashes as a cluster stores them),
/// SHA-1, SHA-256 and SHA-512 (signatures, digests of decrypted configs).
public enum HashAlgorithm: Equatable, Sendable {
    case md5
    case sha1
    case sha256
    case sha512

    public var outputLength: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        }
    }

    public var name: String {
        switch self {
        case .md5: return "MD5"
        case .sha1: return "SHA1"
        case .sha256: return "SHA256"
        case .sha512: return "SHA512"
        }
    }

    var mbedtlsType: mbedtls_md_type_t {
        switch self {
        case .md5: return MBEDTLS_MD_MD5
        case .sha1: return MBEDTLS_MD_SHA1
        case .sha256: return MBEDTLS_MD_SHA256
        case .sha512: return MBEDTLS_MD_SHA512
        }
    }
}

/// A streaming digest over one or more byte ranges, without copying them together.
public struct Digest: ~Copyable {
    private let context: UnsafeMutablePointer<mbedtls_md_context_t>
    public let algorithm: HashAlgorithm

    public init(_ algorithm: HashAlgorithm) throws(CryptoError) {
        self.algorithm = algorithm
        let context = UnsafeMutablePointer<mbedtls_md_context_t>.allocate(capacity: 1)
        mbedtls_md_init(context)
        var result = mbedtls_md_setup(context, mbedtls_md_info_from_type(algorithm.mbedtlsType), 0)
        if result == 0 { result = mbedtls_md_starts(context) }
        guard result == 0 else {
            // Not yet stored in self: freed here, and no deinit will run for it.
            mbedtls_md_free(context)
            context.deallocate()
            throw CryptoError(.digest, code: result)
        }
        self.context = context
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try check(mbedtls_md_update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count), .digest)
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) throws(CryptoError) {
        let result: Int32 = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
            return mbedtls_md_update(context, base, buffer.count)
        }
        try check(result, .digest)
    }

    public consuming func finalize() throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.outputLength)
        let result = output.withUnsafeMutableBufferPointer { mbedtls_md_finish(context, $0.baseAddress) }
        try check(result, .digest)
        return output
    }

    deinit {
        mbedtls_md_free(context)
        context.deallocate()
    }

    /// One-shot digest of a contiguous byte range.
    public static func hash(_ algorithm: HashAlgorithm, _ bytes: ArraySlice<UInt8>) throws(CryptoError) -> [UInt8] {
        var digest = try Digest(algorithm)
        try digest.update(bytes)
        return try digest.finalize()
    }

    public static func hash(_ algorithm: HashAlgorithm, _ bytes: [UInt8]) throws(CryptoError) -> [UInt8] {
        try hash(algorithm, bytes[...])
    }
}
