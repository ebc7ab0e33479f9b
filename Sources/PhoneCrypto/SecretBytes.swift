import CMbedTLS

/// Bytes that must not outlive their use: key material, exported private keys.
/// The buffer is zeroized (with mbedTLS's non-elidable zeroize) when the value is dropped.
public final class SecretBytes {
    private let storage: UnsafeMutableRawBufferPointer

    public init(count: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
    }

    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count)
        var index = 0
        for byte in bytes {
            storage[index] = byte
            index += 1
        }
    }

    public let count: Int

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy the caller now owns; use only where the bytes must leave the secret store
    /// (writing a key file), and zeroize the copy afterwards with `zeroize(_:)`.
    public func copyBytes() -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    deinit {
        mbedtls_platform_zeroize(storage.baseAddress, storage.count)
        storage.deallocate()
    }
}

/// Overwrites an array's bytes in a way the optimiser cannot remove.
public func zeroize(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { mbedtls_platform_zeroize($0.baseAddress, $0.count) }
}

/// Keeps only `range` of `bytes`, moved to the front, and zeroizes the bytes it vacates
/// first: a caller zeroizes the array it gets back, and no second copy of a secret's tail
/// may stay behind in the spare capacity. (Raw memory moves: `memmove`, not an
/// element-by-element loop, in the Embedded build.)
public func keepOnly(_ range: Range<Int>, of bytes: inout [UInt8]) {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
    bytes.withUnsafeMutableBytes { buffer in
        guard let base = buffer.baseAddress else { return }
        base.copyMemory(from: base + range.lowerBound, byteCount: range.count)  // overlapping: a memmove
        mbedtls_platform_zeroize(base + range.count, buffer.count - range.count)
    }
    bytes.removeLast(bytes.count - range.count)
}
