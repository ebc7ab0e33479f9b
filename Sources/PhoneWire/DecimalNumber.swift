/// An unsigned decimal number written as ASCII digits and nothing else (no sign, no
/// spaces): the one parser for the counts, ports and lengths the phone reads.
public enum DecimalNumber {
    /// nil when `digits` is empty, longer than `maxDigits` (at most 18, so the value
    /// cannot overflow) or holds a byte that is not a digit.
    public static func parse(_ digits: ArraySlice<UInt8>, maxDigits: Int) -> Int? {
        guard !digits.isEmpty, digits.count <= min(maxDigits, 18) else { return nil }
        var number = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return number
    }
}
