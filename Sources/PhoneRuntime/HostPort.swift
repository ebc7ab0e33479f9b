import PhoneWire

/// `HOST`, `HOST:PORT`, `[IPv6]:PORT`.
public enum HostPort {
    public static func parse(_ text: String, defaultPort: UInt16) -> (String, UInt16)? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var host: [UInt8]
        var portBytes: [UInt8]?
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = Array(bytes[1..<close])
            if close + 1 < bytes.count {
                guard bytes[close + 1] == UInt8(ascii: ":") else { return nil }
                portBytes = Array(bytes[(close + 2)...])
            }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes.lastIndex(of: UInt8(ascii: ":")) == colon {
            host = Array(bytes[..<colon])
            portBytes = Array(bytes[(colon + 1)...])
        } else {
            host = bytes
        }
        guard !host.isEmpty else { return nil }
        var port = defaultPort
        if let portBytes {
            guard let value = DecimalNumber.parse(portBytes[...], maxDigits: 5), value > 0, value <= 65535 else { return nil }
            port = UInt16(value)
        }
        return (String(decoding: host, as: UTF8.self), port)
    }
}
