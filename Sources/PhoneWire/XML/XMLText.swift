/// Decoding of character data and attribute values: the five predefined entities,
/// decimal and hex character references, and line ends normalised to LF (XML 1.0 §2.11).
public enum XMLText {
    public static func decode(_ bytes: [UInt8], _ range: Range<Int>, hasReferences: Bool) throws(XMLError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        try append(bytes, range, hasReferences: hasReferences, to: &output)
        return output
    }

    /// Appends decoded text to `output` (CDATA: pass `hasReferences: false`).
    public static func append(_ bytes: [UInt8], _ range: Range<Int>, hasReferences: Bool,
                              to output: inout [UInt8]) throws(XMLError) {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == 0x0D {
                output.append(0x0A)
                index += 1
                if index < range.upperBound, bytes[index] == 0x0A { index += 1 }
                continue
            }
            guard hasReferences, byte == UInt8(ascii: "&") else {
                output.append(byte)
                index += 1
                continue
            }
            var end = index + 1
            while end < range.upperBound, bytes[end] != UInt8(ascii: ";"), end - index < 12 { end += 1 }
            guard end < range.upperBound, bytes[end] == UInt8(ascii: ";") else { throw XMLError(.invalidReference, at: index) }
            try appendReference(bytes[(index + 1)..<end], at: index, to: &output)
            index = end + 1
        }
    }

    private static func appendReference(_ name: ArraySlice<UInt8>, at offset: Int, to output: inout [UInt8]) throws(XMLError) {
        if name.elementsEqual("lt".utf8) { output.append(UInt8(ascii: "<")); return }
        if name.elementsEqual("gt".utf8) { output.append(UInt8(ascii: ">")); return }
        if name.elementsEqual("amp".utf8) { output.append(UInt8(ascii: "&")); return }
        if name.elementsEqual("apos".utf8) { output.append(UInt8(ascii: "'")); return }
        if name.elementsEqual("quot".utf8) { output.append(UInt8(ascii: "\"")); return }
        guard name.first == UInt8(ascii: "#"), name.count >= 2 else { throw XMLError(.invalidReference, at: offset) }
        var digits = name.dropFirst()
        var radix: UInt32 = 10
        if digits.first == UInt8(ascii: "x") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { throw XMLError(.invalidReference, at: offset) }
        var value: UInt32 = 0
        for digit in digits {
            guard let number = hexNibble(digit).map(UInt32.init), number < radix else {
                throw XMLError(.invalidReference, at: offset)
            }
            value = value * radix + number
            guard value <= 0x10FFFF else { throw XMLError(.invalidReference, at: offset) }
        }
        // XML's Char production: no NUL or other C0 controls but tab/LF/CR, no surrogates.
        let allowed = value == 0x09 || value == 0x0A || value == 0x0D || (value >= 0x20 && value <= 0xD7FF)
            || (value >= 0xE000 && value <= 0xFFFD) || value >= 0x10000
        guard allowed else { throw XMLError(.invalidReference, at: offset) }
        UTF8Check.encode(value, to: &output)
    }
}

/// UTF-8 well-formedness (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
enum UTF8Check {
    static func validate(_ bytes: [UInt8]) throws(XMLError) {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: throw XMLError(.invalidUTF8, at: index)
            }
            guard index + length <= count else { throw XMLError(.invalidUTF8, at: index) }
            let second = bytes[index + 1]
            guard second >= lower, second <= upper else { throw XMLError(.invalidUTF8, at: index) }
            for continuation in (index + 2)..<(index + length) where bytes[continuation] & 0xC0 != 0x80 {
                throw XMLError(.invalidUTF8, at: index)
            }
            index += length
        }
    }

    static func encode(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
