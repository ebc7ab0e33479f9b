import CMbedTLS

/// A CTR-DRBG (AES-256) seeded, and reseeded, from an entropy source the platform
/// passes in. The core never reads /dev/urandom itself: the source is the platform's.
public final class RandomGenerator {
    /// Fills the buffer with fresh entropy; returns false when the source failed.
    public typealias EntropySource = (UnsafeMutableRawBufferPointer) -> Bool

    private final class SourceBox {
        let fill: EntropySource
        init(_ fill: @escaping EntropySource) { self.fill = fill }
    }

    let context: UnsafeMutablePointer<mbedtls_ctr_drbg_context>
    private let source: SourceBox

    public init(personalization: [UInt8], entropy: @escaping EntropySource) throws(CryptoError) {
        let context = UnsafeMutablePointer<mbedtls_ctr_drbg_context>.allocate(capacity: 1)
        mbedtls_ctr_drbg_init(context)
        let source = SourceBox(entropy)
        self.context = context
        self.source = source
        let box = Unmanaged.passUnretained(source).toOpaque()
        let result = personalization.withUnsafeBufferPointer { custom in
            mbedtls_ctr_drbg_seed(context, { state, output, length in
                guard let state, let output else { return -1 }
                let box = Unmanaged<SourceBox>.fromOpaque(state).takeUnretainedValue()
                return box.fill(UnsafeMutableRawBufferPointer(start: output, count: length)) ? 0 : -1
            }, box, custom.baseAddress, custom.count)
        }
        // A class whose properties are all set runs its deinit when init throws: the
        // deinit frees the context (freeing it here too was a use-after-free ASan found).
        if result != 0 { throw CryptoError(.randomSeed, code: result) }
    }

    deinit {
        mbedtls_ctr_drbg_free(context)
        context.deallocate()
    }

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        // mbedTLS hands out at most MBEDTLS_CTR_DRBG_MAX_REQUEST (1024) bytes per call.
        while offset < buffer.count {
            let chunk = min(1024, buffer.count - offset)
            let result = mbedtls_ctr_drbg_random(context, base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), chunk)
            try check(result, .random)
            offset += chunk
        }
    }

    public func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        var failure: CryptoError? = nil
        output.withUnsafeMutableBytes { buffer in
            do throws(CryptoError) { try fill(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return output
    }

    /// The state pointer mbedTLS functions take next to `mbedtls_ctr_drbg_random`.
    var state: UnsafeMutableRawPointer { UnsafeMutableRawPointer(context) }
}
