/// An unsigned decimal number written as ASCII digits and nothing else (no sign, no
/// spaces): the one parser for the counts, ports and lengths the phone reads.
public enum DecimalNumber {
    /// nil when `digits` is empty, longer than `maxDigits` (at most 18), holds a byte that
    /// is not a digit, or is more than `Int` holds: on armv7 `Int` is 32 bits, and a hostile
    /// `Content-Length: 2147483648` must be a refusal there, never a trap.
    public static func parse(_ digits: ArraySlice<UInt8>, maxDigits: Int) -> Int? {
        guard !digits.isEmpty, digits.count <= min(maxDigits, 18) else { return nil }
        var number = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            let (times10, over1) = number.multipliedReportingOverflow(by: 10)
            let (sum, over2) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !over1, !over2 else { return nil }
            number = sum
        }
        return number
    }
}
