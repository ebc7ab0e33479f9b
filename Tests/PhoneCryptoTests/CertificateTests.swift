import PhoneCrypto
import PhoneWire
import TestSupport
import XCTest

final class CertificateTests: XCTestCase {
    func testVectorCertificateFieldsMatchTheReferenceReading() throws {
        // interop/ITLFile.tlv.parsed.txt, the SAST record.
        let sast = try Vectors.certificate("interop/pki/sast.pem")
        XCTAssertEqual(sast.subject, "CN=SAST-A45630BBFA40,O=Lab,OU=Security")
        XCTAssertEqual(sast.issuer, "CN=SAST-A45630BBFA40,O=Lab,OU=Security")
        XCTAssertEqual(hexString(sast.serialNumber), "a1f54319a05fb86c5ef303538a46e330")
        XCTAssertEqual(sast.der.count, 916)
        XCTAssertEqual(hexString(try sast.sha1()), "ac87b59bf0e8d3d240f39382cff5876326a69f69")
        XCTAssertEqual(sast.keyKind, .rsa(bits: 2048))
        XCTAssertEqual(sast.signature.count, 256)
        XCTAssertEqual(try sast.bareKey().count, 270)
    }

    func testECCertificate() throws {
        let tftp = try Vectors.certificate("interop/pki/tftp-ec.pem")
        XCTAssertEqual(tftp.subject, "CN=tftp-ec,O=Lab,OU=Voice")
        XCTAssertEqual(tftp.keyKind, .ec(.p384))
        XCTAssertEqual(try tftp.bareKey().count, 97)
        XCTAssertEqual(tftp.der.count, 543)
    }

    func testPEMWithCertificateAndKeyLoadsBoth() throws {
        for name in ["sast", "sast2", "ccm-tftp", "capf", "tftp-ec", "tvs", "rogue-sast", "phone-mic", "phone-lsc-ec"] {
            let identity = try Vectors.identity("interop/pki/\(name).pem")
            XCTAssertTrue(identity.privateKey.matches(identity.certificate), name)
        }
    }

    func testMismatchedKeyAndCertificateAreRefused() throws {
        let sast = try Vectors.identity("interop/pki/sast.pem")
        let capf = try Vectors.certificate("interop/pki/capf.pem")
        XCTAssertFalse(sast.privateKey.matches(capf))
        XCTAssertThrowsError(try Identity(certificate: capf, privateKey: sast.privateKey))
    }

    func testSelfSignedChecks() throws {
        let sast = try Vectors.certificate("interop/pki/sast.pem")
        let capf = try Vectors.certificate("interop/pki/capf.pem")
        XCTAssertTrue(sast.isSigned(by: sast))
        XCTAssertFalse(sast.isSigned(by: capf))
    }

    func testPEMEncodeRoundTrip() throws {
        let mic = try Vectors.certificate("interop/pki/phone-mic.pem")
        let pem = try PEM.encodeCertificate(mic.der)
        XCTAssertEqual(try Certificate(pem: pem).der, mic.der)
    }

    func testTruncatedDERIsATypedErrorAtEveryLength() throws {
        let der = try Vectors.certificate("interop/pki/capf.pem").der
        for length in stride(from: 0, to: der.count, by: 7) {
            XCTAssertThrowsError(try Certificate(der: der[0..<length])) { error in
                XCTAssertEqual((error as? CryptoError)?.operation, .certificateParse)
            }
        }
    }
}
