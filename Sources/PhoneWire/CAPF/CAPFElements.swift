/// The structured element values of formats.md §3: certificate (tag 4), SHA-2 signed
/// data (tag 20), SUDI data (tag 16), strings with a NUL.
public enum CAPFElements {
    /// Tag 4: `01, u16 (DER length + 2), 00, certificate type`, then the DER.
    public static func certificate(_ der: [UInt8], type: UInt8) -> [UInt8] {
        let length = der.count + 2
        return [0x01, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), 0x00, type] + der
    }

    /// The DER inside a tag-4 value, with its certificate type.
    public static func parseCertificate(_ value: [UInt8]) -> (type: UInt8, der: [UInt8])? {
        guard value.count > 5, value[0] == 0x01, value[3] == 0x00 else { return nil }
        let length = Int(value[1]) << 8 | Int(value[2])
        guard length == value.count - 3 else { return nil }
        return (value[4], Array(value[5...]))
    }

    /// Tag 20: `03, u16 length`, then a SHA-512 signature.
    public static func sha2SignedData(_ signature: [UInt8]) -> [UInt8] {
        [0x03, UInt8(truncatingIfNeeded: signature.count >> 8), UInt8(truncatingIfNeeded: signature.count)] + signature
    }

    /// Tag 16: `00, len, certificate DER; 01, len, SHA-1 signature; 03, len, SHA-512 signature`.
    public static func sudiData(certificate: [UInt8], sha1Signature: [UInt8], sha512Signature: [UInt8]) -> [UInt8] {
        var value: [UInt8] = []
        func append(_ type: UInt8, _ bytes: [UInt8]) {
            value.append(type)
            value.append(UInt8(truncatingIfNeeded: bytes.count >> 8))
            value.append(UInt8(truncatingIfNeeded: bytes.count))
            value.append(contentsOf: bytes)
        }
        append(0, certificate)
        append(1, sha1Signature)
        append(3, sha512Signature)
        return value
    }

    /// Sub-fields of SUDI data or SHA-2 signed data: `type, u16 length, bytes`, repeated.
    public static func parseTyped(_ value: [UInt8]) -> [(type: UInt8, bytes: [UInt8])]? {
        var fields: [(type: UInt8, bytes: [UInt8])] = []
        var index = 0
        while index < value.count {
            guard index + 3 <= value.count else { return nil }
            let length = Int(value[index + 1]) << 8 | Int(value[index + 2])
            guard index + 3 + length <= value.count else { return nil }
            fields.append((value[index], Array(value[(index + 3)..<(index + 3 + length)])))
            index += 3 + length
        }
        return fields
    }

    /// ASCII text with its NUL (device name, password); an empty string is a lone NUL.
    public static func text(_ bytes: [UInt8]) -> [UInt8] { bytes + [0] }

    /// The text of a NUL-terminated value, nil when it is not one.
    public static func parseText(_ value: [UInt8]) -> [UInt8]? {
        guard let last = value.last, last == 0 else { return nil }
        let text = Array(value.dropLast())
        guard !text.contains(0) else { return nil }
        return text
    }
}
