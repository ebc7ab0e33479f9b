import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

final class AESAndRandomTests: XCTestCase {
    /// NIST SP 800-38A F.2.1, CBC-AES128.Encrypt, first two blocks.
    func testNISTKnownAnswer() throws {
        let key = SecretBytes(copying: unhex("2b7e151628aed2a6abf7158809cf4f3c"))
        let iv = unhex("000102030405060708090a0b0c0d0e0f")
        let plaintext = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
        let ciphertext = try AES128CBC.encrypt(key: key, iv: iv[...], plaintext[...])
        XCTAssertEqual(hexString(ciphertext), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2")
        var buffer = ciphertext
        try AES128CBC.decrypt(key: key, iv: iv[...], &buffer, in: 0..<buffer.count)
        XCTAssertEqual(buffer, plaintext)
    }

    /// In place on a range of a larger buffer (the `.enc.sgn` body after its header): the
    /// bytes around it are untouched.
    func testDecryptsARangeInPlace() throws {
        let key = SecretBytes(copying: unhex("2b7e151628aed2a6abf7158809cf4f3c"))
        let iv = unhex("000102030405060708090a0b0c0d0e0f")
        let plaintext = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
        let ciphertext = try AES128CBC.encrypt(key: key, iv: iv[...], plaintext[...])
        let header: [UInt8] = [1, 2, 3, 4, 5]
        let trailer: [UInt8] = [9, 9]
        var buffer = header + ciphertext + trailer
        try AES128CBC.decrypt(key: key, iv: iv[...], &buffer, in: header.count..<(header.count + ciphertext.count))
        XCTAssertEqual(buffer, header + plaintext + trailer)
    }

    func testRefusesPartialBlocksAndWrongSizes() {
        let key = SecretBytes(count: 16)
        let iv = [UInt8](repeating: 0, count: 16)
        var buffer = [UInt8](repeating: 7, count: 32)
        XCTAssertThrowsError(try AES128CBC.decrypt(key: key, iv: iv[...], &buffer, in: 0..<15))
        XCTAssertThrowsError(try AES128CBC.decrypt(key: SecretBytes(count: 24), iv: iv[...], &buffer, in: 0..<16))
        XCTAssertThrowsError(try AES128CBC.decrypt(key: key, iv: iv[0..<8], &buffer, in: 0..<16))
        XCTAssertThrowsError(try AES128CBC.decrypt(key: key, iv: iv[...], &buffer, in: 16..<48))  // past the end
        XCTAssertEqual(buffer, [UInt8](repeating: 7, count: 32), "a refused call leaves the buffer as it was")
    }

    func testDRBGUsesThePlatformEntropyAndFailsWhenItFails() throws {
        var calls = 0
        let generator = try RandomGenerator(personalization: []) { buffer in
            calls += 1
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index) }
            return true
        }
        XCTAssertGreaterThan(calls, 0)
        let first = try generator.bytes(2000)
        let second = try generator.bytes(2000)
        XCTAssertEqual(first.count, 2000)
        XCTAssertNotEqual(first, second)

        XCTAssertThrowsError(try RandomGenerator(personalization: []) { _ in false }) { error in
            XCTAssertEqual((error as? CryptoError)?.operation, .randomSeed)
        }
    }

    func testSameEntropySameStream() throws {
        func make() throws -> RandomGenerator {
            try RandomGenerator(personalization: Array("p".utf8)) { buffer in
                for index in buffer.indices { buffer[index] = 0x42 }
                return true
            }
        }
        XCTAssertEqual(try make().bytes(64), try make().bytes(64))
    }

    func testSecretBytesCopy() {
        let secret = SecretBytes(copying: [1, 2, 3])
        XCTAssertEqual(secret.count, 3)
        XCTAssertEqual(secret.copyBytes(), [1, 2, 3])
        var array: [UInt8] = [9, 9, 9]
        zeroize(&array)
        XCTAssertEqual(array, [0, 0, 0])
    }

    /// The decrypted configuration's move to the front of its buffer: what it keeps, and
    /// what it leaves in the spare capacity (zeros, no second copy of the tail).
    func testKeepOnlyMovesTheRangeToTheFrontAndZeroizesTheRest() {
        var bytes = (0..<100).map { UInt8($0 + 1) }
        keepOnly(10..<90, of: &bytes)
        XCTAssertEqual(bytes, (10..<90).map { UInt8($0 + 1) })
        let vacated = bytes.withUnsafeBufferPointer { buffer in
            Array(UnsafeBufferPointer(start: buffer.baseAddress! + buffer.count, count: 20))
        }
        XCTAssertEqual(vacated, [UInt8](repeating: 0, count: 20))
        var whole: [UInt8] = [1, 2, 3]
        keepOnly(0..<3, of: &whole)
        XCTAssertEqual(whole, [1, 2, 3])
        keepOnly(1..<1, of: &whole)
        XCTAssertEqual(whole, [])
    }
}
