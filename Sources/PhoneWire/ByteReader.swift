/// Bounds-checked big-endian reads over a byte array, by index. Reading never copies;
/// every failure names the offset where the data ran out.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    public let end: Int

    public init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    public mutating func u8() throws(WireError) -> UInt8 {
        guard offset < end else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() throws(WireError) -> UInt16 {
        guard end - offset >= 2 else { throw .truncated(offset: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    public mutating func u32() throws(WireError) -> UInt32 {
        guard end - offset >= 4 else { throw .truncated(offset: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// Skips `count` bytes and returns their range.
    public mutating func range(_ count: Int) throws(WireError) -> Range<Int> {
        guard count >= 0, end - offset >= count else { throw .truncated(offset: offset) }
        defer { offset += count }
        return offset..<(offset + count)
    }
}

extension Array where Element == UInt8 {
    /// Big-endian integer of a value range of at most 4 bytes.
    func bigEndianValue(_ range: Range<Int>) -> UInt32 {
        var value: UInt32 = 0
        for index in range { value = value << 8 | UInt32(self[index]) }
        return value
    }

    /// The range without its terminating NUL; nil when the value is not a string
    /// that ends in exactly one NUL.
    func nulTerminatedText(_ range: Range<Int>) -> Range<Int>? {
        guard let last = range.last, self[last] == 0 else { return nil }
        let text = range.lowerBound..<last
        for index in text where self[index] == 0 { return nil }
        return text
    }
}
