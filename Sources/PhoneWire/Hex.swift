/// Lowercase hex, as the cluster database stores a certificate's MD5 and the reference
/// tool prints serials and digests. The project's one hex encoder.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    appendHex(bytes, to: &text)
    return String(decoding: text, as: UTF8.self)
}

/// The same into a byte buffer the caller owns (and may zeroize: a key log line).
public func appendHex(_ bytes: some Sequence<UInt8>, to text: inout [UInt8]) {
    for byte in bytes {
        text.append(hexDigits[Int(byte >> 4)])
        text.append(hexDigits[Int(byte & 0x0F)])
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Hex text (either case) as bytes; nil for anything else: an odd length, another character.
public func hexBytes(_ text: ArraySlice<UInt8>) -> [UInt8]? {
    guard text.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        guard let high = hexNibble(text[index]), let low = hexNibble(text[index + 1]) else { return nil }
        bytes.append(UInt8(high << 4 | low))
        index += 2
    }
    return bytes
}

/// One hex digit's value (either case), or nil: the project's one hex digit reader.
func hexNibble(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
    default: return nil
    }
}
