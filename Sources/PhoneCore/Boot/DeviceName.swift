/// A phone's device name, `SEP` and its MAC in upper-case hex, and the file names the
/// cluster serves for it (formats.md §5).
public struct DeviceName: Equatable, Sendable {
    public let text: String

    /// Accepts `SEPA45630BBFA40`, `A45630BBFA40`, `a4:56:30:bb:fa:40` or `A4-56-30-BB-FA-40`.
    public init?(_ input: String) {
        var hex: [UInt8] = []
        var bytes = Array(input.utf8)
        if bytes.count >= 3, (bytes[0] | 0x20) == UInt8(ascii: "s"), (bytes[1] | 0x20) == UInt8(ascii: "e"),
           (bytes[2] | 0x20) == UInt8(ascii: "p") {
            bytes.removeFirst(3)
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"): hex.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): hex.append(byte - 0x20)
            case UInt8(ascii: ":"), UInt8(ascii: "-"): continue
            default: return nil
            }
        }
        guard hex.count == 12 else { return nil }
        text = "SEP" + String(decoding: hex, as: UTF8.self)
    }

    public var perDeviceCTL: String { "CTL" + text + ".tlv" }
    public var perDeviceITL: String { "ITL" + text + ".tlv" }
    public var signedConfig: String { text + ".cnf.xml.sgn" }
    public var plainConfig: String { text + ".cnf.xml" }
    public var encryptedConfig: String { text + ".cnf.xml.enc.sgn" }

    public static let defaultSignedConfig = "XMLDefault.cnf.xml.sgn"
    public static let defaultPlainConfig = "XMLDefault.cnf.xml"
}
