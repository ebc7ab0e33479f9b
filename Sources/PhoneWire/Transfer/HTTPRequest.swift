/// The one request the phone makes over HTTP and HTTPS: `GET /<file>` (HTTP/1.1, the
/// connection closed after the answer), for `HTTPResponseParser` to read the answer of.
public enum HTTPRequest {
    public static func get(_ name: String, host: String, port: UInt16) -> [UInt8] {
        // An IPv6 literal is bracketed in the Host header (RFC 7230 §5.4).
        let hostHeader = host.utf8.contains(UInt8(ascii: ":")) ? "[" + host + "]" : host
        return Array(("GET /" + percentEncoded(name) + " HTTP/1.1\r\nHost: " + hostHeader + ":" + String(port)
            + "\r\nUser-Agent: phone\r\nConnection: close\r\n\r\n").utf8)
    }

    /// Unreserved characters stay; everything else is %XX.
    static func percentEncoded(_ name: String) -> String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
