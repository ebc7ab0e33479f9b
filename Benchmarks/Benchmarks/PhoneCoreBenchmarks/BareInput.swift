import EncSgnFloor
import OpenSSLReference
import PhoneCrypto
import PhoneWire

/// One `.enc.sgn` laid out for the C floor and the OpenSSL reference: the file, where
/// each field is (found here, in setup, so the measured calls do no parsing), the keys
/// parsed once and an output buffer allocated once.
struct BareInput {
    enum Library { case mbedTLSFloor, openSSL }

    private var file: [UInt8] = []
    private var layout = enc_sgn_layout()
    private var output: UnsafeMutableBufferPointer<UInt8> = .init(start: nil, count: 0)
    private var floor: OpaquePointer?
    private var reference: OpaquePointer?

    init() {}

    init(_ bytes: [UInt8], on library: Library) throws {
        let parsed = try SignedFile.parse(bytes)
        guard let encryption = parsed.encryption, parsed.hashAlgorithm == .sha1, encryption.digestAlgorithm == .sha1 else {
            throw BenchmarkFailure("the floor and the reference take a SHA-1 .enc.sgn")
        }
        let (head, tail) = parsed.signedRanges
        file = bytes
        layout = enc_sgn_layout(
            head_start: head.lowerBound, head_end: head.upperBound, tail_start: tail.lowerBound, tail_end: tail.upperBound,
            signature_start: parsed.signature.lowerBound, signature_length: parsed.signature.count,
            wrapped_key_start: encryption.wrappedKey.lowerBound, wrapped_key_length: encryption.wrappedKey.count,
            iv_start: encryption.iv.lowerBound, body_start: parsed.body.lowerBound, body_length: parsed.body.count,
            digest_start: encryption.digest.lowerBound, padding_count: encryption.paddingCount)
        output = .allocate(capacity: parsed.body.count)
        output.initialize(repeating: 0)

        // NUL-terminated, as mbedTLS's PEM parser wants.
        var certificate = Inputs.vector("interop/pki/ccm-tftp.pem")
        var key = Inputs.vector("interop/pki/phone-mic.pem")
        certificate.append(0)
        key.append(0)
        switch library {
        case .mbedTLSFloor: floor = enc_sgn_floor_create(certificate, certificate.count, key, key.count)
        case .openSSL: reference = openssl_reference_create(certificate, certificate.count, key, key.count)
        }
        guard floor != nil || reference != nil else { throw BenchmarkFailure("\(library) could not load the keys") }
    }

    /// Verifies and decrypts with the library chosen at init; the plaintext length.
    func decrypt() throws -> Int {
        let result = file.withUnsafeBufferPointer { bytes in
            withUnsafePointer(to: layout) { layout in
                if let floor {
                    return enc_sgn_floor_decrypt(floor, bytes.baseAddress, layout, output.baseAddress, output.count)
                }
                return openssl_reference_decrypt(reference, bytes.baseAddress, layout, output.baseAddress, output.count)
            }
        }
        guard result == layout.body_length - layout.padding_count else {
            throw BenchmarkFailure("the bare decryption failed at step \(-result)")
        }
        return result
    }

    mutating func release() {
        enc_sgn_floor_free(floor)
        openssl_reference_free(reference)
        output.deallocate()
        floor = nil
        reference = nil
        output = .init(start: nil, count: 0)
    }
}
