import Foundation
import PhoneCrypto
import PhoneTrust
import PhoneWire
import TestSupport
import XCTest

/// A firmware image checked as it streams: the bytes handed on are the image's, in order,
/// whatever the chunks; only `finish` accepts them, and only when the anchor signed the
/// whole file under the name asked for. Never more kept than the header's bytes.
final class ImageStreamTests: XCTestCase {
    static var signer: Identity {
        let path = Vectors.projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem").path
        return try! Identity(pem: [UInt8](try! Data(contentsOf: URL(fileURLWithPath: path))))
    }
    static var anchor: ImageSigner { ImageSigner(signer.certificate) }

    /// An image of `size` bytes signed as `name` by `signer`.
    static func image(_ size: Int, name: String = "dsp42.sbn", signer: Identity = ImageStreamTests.signer) throws -> (image: [UInt8], file: [UInt8]) {
        let image = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        return (image, try SignedFileWriter.signedConfig(image, filename: name, signer: signer, timestamp: 0, rng: testRNG()))
    }

    /// Streams `file` in chunks of `chunk` bytes; the bytes handed on, and what `finish` said.
    static func stream(_ file: [UInt8], chunk: Int, name: String = "dsp42.sbn", cap: Int = 1 << 30)
        -> (out: [UInt8], result: Result<Int, LoadError>) {
        var stream = ImageStream(anchor, name: name, cap: cap)
        var out: [UInt8] = []
        var offset = 0
        do throws(LoadError) {
            while offset < file.count {
                let end = min(offset + chunk, file.count)
                out += try stream.feed(file[offset..<end])
                offset = end
            }
            let (rest, header) = try stream.finish()
            return (out + rest, .success(header.headerLength))
        } catch {
            return (out, .failure(error))
        }
    }

    func testTheImageComesOutWholeWhateverTheChunks() throws {
        for size in [0, 1, 1000, ImageStream.headerLimit - 500, ImageStream.headerLimit, 3 * ImageStream.headerLimit + 17] {
            let (image, file) = try Self.image(size)
            for chunk in [1, 7, 512, 4096, file.count] where chunk <= max(file.count, 1) && (chunk > 1 || size <= 1000) {
                let (out, result) = Self.stream(file, chunk: chunk)
                XCTAssertNoThrow(try result.get(), "size \(size), chunks of \(chunk)")
                XCTAssertEqual(out, image, "size \(size), chunks of \(chunk)")
            }
        }
    }

    func testOneChangedByteAnywhereIsRefusedAtTheEnd() throws {
        let (_, file) = try Self.image(40_000)
        let header = try SignedFile.parse(file)
        for offset in [header.headerLength, header.headerLength + 20_000, file.count - 1, header.filename.lowerBound - 4] {
            var changed = file
            changed[offset] ^= 0x01
            let (_, result) = Self.stream(changed, chunk: 4096)
            guard case .failure(.notSignedByTheAnchor(let signer)) = result else { return XCTFail("offset \(offset): \(result)") }
            XCTAssertEqual(signer, header.signerNameText)
        }
    }

    func testATruncatedImageIsRefused() throws {
        let (_, file) = try Self.image(40_000)
        let (_, cut) = Self.stream(Array(file.dropLast(1000)), chunk: 4096)
        guard case .failure(.notSignedByTheAnchor) = cut else { return XCTFail("\(cut)") }
        // Cut inside the header: the header does not parse.
        let (out, inHeader) = Self.stream(Array(file.prefix(100)), chunk: 10)
        guard case .failure(.malformed(.header)) = inHeader else { return XCTFail("\(inHeader)") }
        XCTAssertEqual(out, [], "no image byte handed on before the header parsed")
    }

    func testAnotherKeyAnotherNameOrTooManyBytesIsRefused() throws {
        let (_, cluster) = try Self.image(20_000, signer: try Vectors.identity("interop/pki/ccm-tftp.pem"))
        guard case .failure(.notSignedByTheAnchor(let signer)) = Self.stream(cluster, chunk: 4096).result else {
            return XCTFail("the cluster's key is no image-signing key")
        }
        XCTAssertTrue(signer.contains("CN="), signer)

        let (_, other) = try Self.image(20_000, name: "cnu42.sbn")
        let (out, renamed) = Self.stream(other, chunk: 4096)
        XCTAssertEqual(renamed.failure, .filenameMismatch(served: "dsp42.sbn", inFile: "cnu42.sbn"))
        XCTAssertEqual(out, [], "a file served under another name hands on nothing")

        let (_, big) = try Self.image(50_000)
        let (_, over) = Self.stream(big, chunk: 4096, cap: 30_000)
        XCTAssertEqual(over.failure, .tooLarge(name: "dsp42.sbn", cap: 30_000))
    }

    /// The streamed check and the whole-file check agree: the same files pass, the same fail.
    func testTheStreamAgreesWithTheWholeFileCheck() throws {
        let (_, file) = try Self.image(25_000)
        var changed = file
        changed[file.count / 2] ^= 0x80
        for candidate in [file, changed] {
            let whole = Result { () throws(LoadError) in try Self.anchor.verifyImage(candidate, servedAs: "dsp42.sbn") }
            let streamed = Self.stream(candidate, chunk: 1000).result
            XCTAssertEqual(whole.failure, streamed.failure)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
