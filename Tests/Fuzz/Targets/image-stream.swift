import PhoneCrypto
import PhoneTrust
import PhoneWire

// A firmware image checked as it streams in (ImageStream) against the same check on the
// whole file (ImageSigner.verifyImage): for any bytes, fed in pieces of any size, the two
// agree. Both refuse, with the same error, or both accept, and the bytes the stream handed on
// are exactly the file's body. The first byte chooses the piece size (1 to 16 321 bytes).
// The anchor is the tests' image-signing key; the seed (Tests/Fuzz/Corpus/image-stream) is
// an image it signed under the name the target asks for, so the fuzzer starts from one that
// passes.
nonisolated(unsafe) var anchor: ImageSigner?
let name = "fuzz.sbn"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if anchor == nil { anchor = ImageSigner(FuzzSetup.imageSigner().certificate) }
    guard size > 0, let anchor else { return 0 }
    let piece = Int(data[0]) * 64 + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let whole: Result<SignedFile, LoadError>
    do throws(LoadError) { whole = .success(try anchor.verifyImage(bytes, servedAs: name)) } catch { whole = .failure(error) }

    var stream = ImageStream(anchor, name: name, cap: 1 << 20)
    var handedOn: [UInt8] = []
    var streamed: Result<Void, LoadError> = .success(())
    do throws(LoadError) {
        var start = 0
        while start < bytes.count {
            handedOn += try stream.feed(bytes[start..<min(start + piece, bytes.count)])
            start += piece
        }
        handedOn += try stream.finish().rest
    } catch {
        streamed = .failure(error)
    }
    switch (whole, streamed) {
    case (.success(let file), .success):
        precondition(handedOn[...] == bytes[file.body], "the stream handed on other bytes than the image's body")
    case (.failure(let expected), .failure(let refused)):
        // A header longer than the stream keeps (16 KiB) is the stream's own refusal.
        precondition(expected == refused || bytes.count > ImageStream.headerLimit, "the stream and the whole file refused differently")
    default:
        preconditionFailure("the stream and the whole-file check disagree")
    }
    return 0
}
