import PhoneWire
import XCTest

/// The one decimal parser: digits only, bounded. (A number `Int` cannot hold is refused too;
/// only a 32-bit target, armv7, can meet one within 18 digits.)
final class DecimalNumberTests: XCTestCase {
    func testDigitsOnlyAndBounded() {
        XCTAssertEqual(DecimalNumber.parse(Array("6970".utf8)[...], maxDigits: 5), 6970)
        XCTAssertNil(DecimalNumber.parse(Array("".utf8)[...], maxDigits: 5))
        XCTAssertNil(DecimalNumber.parse(Array("-1".utf8)[...], maxDigits: 5))
        XCTAssertNil(DecimalNumber.parse(Array("123456".utf8)[...], maxDigits: 5))
    }
}
