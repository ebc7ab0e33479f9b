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
