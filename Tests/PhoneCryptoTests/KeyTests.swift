import PhoneCrypto
import TestSupport
import XCTest

final class KeyTests: XCTestCase {
    let rng = testRNG()

    func testRSAKeyGenerationSizes() throws {
        for bits in [512, 1024, 2048] {
            let key = try PrivateKey.generateRSA(bits: bits, rng: rng)
            XCTAssertEqual(key.kind, .rsa(bits: bits))
            let spki = try key.subjectPublicKeyInfo()
            XCTAssertEqual(try PublicKey(subjectPublicKeyInfo: spki[...]).kind, .rsa(bits: bits))
        }
    }

    func testRSAKeyGenerationRefusesOutOfRangeSizes() {
        for bits in [256, 4104, 1001] {
            XCTAssertThrowsError(try PrivateKey.generateRSA(bits: bits, rng: rng)) { error in
                XCTAssertEqual(error as? CryptoError, CryptoError(.unsupportedKey))
            }
        }
    }

    func testECKeyGenerationOnEveryCurve() throws {
        for curve in [Curve.p256, .p384, .p521] {
            let key = try PrivateKey.generateEC(curve: curve, rng: rng)
            XCTAssertEqual(key.kind, .ec(curve))
            let digest = try Digest.hash(.sha256, Array("hello".utf8))
            let signature = try key.sign(.sha256, digest: digest, rng: rng)
            let publicKey = try PublicKey(subjectPublicKeyInfo: try key.subjectPublicKeyInfo()[...])
            XCTAssertNoThrow(try publicKey.verify(.sha256, digest: digest, signature: signature[...]))
            var tampered = signature
            tampered[tampered.count / 2] ^= 1
            XCTAssertThrowsError(try publicKey.verify(.sha256, digest: digest, signature: tampered[...]))
        }
    }

    func testRSASignAndVerifyWithSHA1AndSHA512() throws {
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        for algorithm in [HashAlgorithm.sha1, .sha512] {
            let digest = try Digest.hash(algorithm, Array("config".utf8))
            let signature = try mic.privateKey.sign(algorithm, digest: digest, rng: rng)
            XCTAssertEqual(signature.count, 256)
            XCTAssertNoThrow(try mic.certificate.verify(algorithm, digest: digest, signature: signature[...]))
            let other = try Digest.hash(algorithm, Array("other".utf8))
            XCTAssertThrowsError(try mic.certificate.verify(algorithm, digest: other, signature: signature[...]))
        }
    }

    /// Type-1 padding of the bare hash, with no DigestInfo (formats.md §3): the bare
    /// check accepts it, the DigestInfo check refuses it, and the reverse holds for a
    /// normal PKCS#1 v1.5 signature.
    func testBareHashSignatureHasNoDigestInfo() throws {
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        let digest = try Digest.hash(.sha1, Array("SEPA45630BBFA40".utf8))
        let bare = try mic.privateKey.signBareHash(digest, rng: rng)
        XCTAssertEqual(bare.count, 256)
        XCTAssertNoThrow(try mic.certificate.verifyBareHash(digest, signature: bare[...]))
        XCTAssertThrowsError(try mic.certificate.verify(.sha1, digest: digest, signature: bare[...]))
        let withDigestInfo = try mic.privateKey.sign(.sha1, digest: digest, rng: rng)
        XCTAssertThrowsError(try mic.certificate.verifyBareHash(digest, signature: withDigestInfo[...]))
        let sha512 = try Digest.hash(.sha512, Array("SEPA45630BBFA40".utf8))
        let bare512 = try mic.privateKey.signBareHash(sha512, rng: rng)
        XCTAssertNoThrow(try mic.certificate.verifyBareHash(sha512, signature: bare512[...]))
    }

    func testRSAEncryptDecryptRoundTrip() throws {
        let mic = try Vectors.identity("interop/pki/phone-mic.pem")
        let secret = try rng.bytes(16)
        let wrapped = try mic.certificate.encrypt(secret[...], rng: rng)
        let unwrapped = try mic.privateKey.decrypt(wrapped[...], rng: rng)
        XCTAssertEqual(unwrapped.copyBytes(), secret)
        var tampered = wrapped
        tampered[0] ^= 0x80
        XCTAssertThrowsError(try mic.privateKey.decrypt(tampered[...], rng: rng))
    }

    func testECKeyCannotDecrypt() throws {
        let key = try PrivateKey.generateEC(curve: .p256, rng: rng)
        XCTAssertThrowsError(try key.decrypt([UInt8](repeating: 1, count: 256)[...], rng: rng)) { error in
            XCTAssertEqual(error as? CryptoError, CryptoError(.unsupportedKey))
        }
    }

    func testPEMExportRoundTrips() throws {
        let key = try PrivateKey.generateEC(curve: .p384, rng: rng)
        let pem = try key.exportPEM().copyBytes()
        XCTAssertTrue(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let reloaded = try PrivateKey(encoded: pem[...])
        XCTAssertEqual(try reloaded.subjectPublicKeyInfo(), try key.subjectPublicKeyInfo())
    }

    func testGarbageKeyIsATypedError() {
        XCTAssertThrowsError(try PrivateKey(encoded: Array("not a key".utf8)[...])) { error in
            XCTAssertEqual((error as? CryptoError)?.operation, .keyParse)
        }
        XCTAssertThrowsError(try PublicKey(subjectPublicKeyInfo: [0x30, 0x03, 0x02, 0x01, 0x00][...]))
    }
}
