import PhoneWire

/// A JSON value, written compactly on one line. Not `indirect`: the arrays hold the
/// nesting; boxing every value cost an allocation each (and 1.4 KB of firmware code).
public enum JSON {
    case string(String)
    case number(Int64)
    case bool(Bool)
    case null
    case array([JSON])
    /// Keys in the order given.
    case object([(String, JSON)])

    public static func int(_ value: Int) -> JSON { .number(Int64(value)) }
    public static func optional(_ value: String?) -> JSON { value.map { .string($0) } ?? .null }

    public var text: String {
        switch self {
        case .string(let value): return Self.quoted(value)
        case .number(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let values): return "[" + values.map { $0.text }.joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { Self.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 9: out += [92, UInt8(ascii: "t")]
            case 0..<32:
                out += Array("\\u00".utf8)
                appendHex([byte], to: &out)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
