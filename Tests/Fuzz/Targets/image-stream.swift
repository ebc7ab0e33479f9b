import PhoneCrypto
import PhoneTrust
import PhoneWire

// A firmware image checked as it streams in (ImageStream) against the same check on the
// whole file (ImageSigner.verifyImage). The first byte chooses the piece size (1 to 16 321
// bytes), the second the stream's cap (256 bytes to 64 KiB); the rest is the file. For any
// file, in any pieces:
// - over the cap, the stream refuses (`tooLarge`, or what it refused before the cap);
// - within it, both refuse with the same error (never `tooLarge`: the whole-file check has
//   no cap), or both accept and the bytes the stream handed on are exactly the file's body.
//   One exception: a file over the 16 KiB the stream keeps for its header, whose header does
//   not parse from that prefix, is refused by the stream as malformed (the whole-file check
//   then refuses too, on the whole file).
// The anchor is the tests' image-signing key; the seeds (Tests/Fuzz/Corpus/image-stream)
// are images it signed under the name the target asks for, one shorter than 16 KiB and one
// longer (its body checked piece by piece after the header): the fuzzer starts from files
// that pass.
nonisolated(unsafe) var anchor: ImageSigner?
let name = "fuzz.sbn"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if anchor == nil { anchor = ImageSigner(FuzzSetup.imageSigner().certificate) }
    guard size > 1, let anchor else { return 0 }
    let piece = Int(data[0]) * 64 + 1
    let cap = (Int(data[1]) + 1) * 256
    let bytes = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let whole: Result<SignedFile, LoadError>
    do throws(LoadError) { whole = .success(try anchor.verifyImage(bytes, servedAs: name)) } catch { whole = .failure(error) }

    var stream = ImageStream(anchor, name: name, cap: cap)
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
    if bytes.count > cap {
        guard case .failure = streamed else { preconditionFailure("the stream took a file over its cap") }
        return 0
    }
    switch (whole, streamed) {
    case (.success(let file), .success):
        precondition(handedOn[...] == bytes[file.body], "the stream handed on other bytes than the image's body")
    case (.failure(let expected), .failure(let refused)):
        if bytes.count > ImageStream.headerLimit, case .malformed(.header) = refused { break }
        precondition(expected == refused, "the stream and the whole-file check refused differently")
    default:
        preconditionFailure("the stream and the whole-file check disagree")
    }
    return 0
}
