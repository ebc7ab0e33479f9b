import PhoneCrypto
import PhoneWire

/// One firmware image (`.sbn`) checked as it arrives, never held whole: bytes in, the
/// image's bytes out to be written (into the inactive slot), and only `finish` says whether
/// they may be used — until it passes, what was written must stay unbootable (formats.md §6).
/// The same check as `ImageSigner.verifyImage`: the header's filename, then the whole file
/// less its signature element hashed and checked against the anchor's key.
///
/// The first `headerLimit` bytes (or the whole file, when it is shorter; with the piece that
/// completes them) are kept until the header parses from them; after that only the header
/// and the digest. A stream that refused once refuses every call after with the same error.
public struct ImageStream: ~Copyable {
    /// A signed file's header is hundreds of bytes (Cisco's: 408).
    public static let headerLimit = 16 * 1024

    let signer: ImageSigner
    let name: String
    /// The most bytes the whole file may have.
    let cap: Int
    private var prefix: [UInt8] = []
    private var header: SignedFile?
    private var digest: Digest?
    /// The first refusal: a refused stream stays refused.
    private var refusal: LoadError?
    private var finished = false
    /// Bytes fed so far.
    public private(set) var received = 0

    public init(_ signer: ImageSigner, name: String, cap: Int) {
        self.signer = signer
        self.name = name
        self.cap = cap
    }

    /// The next bytes of the file: the image's bytes they complete, in order (empty while
    /// the header is still arriving).
    public mutating func feed(_ chunk: ArraySlice<UInt8>) throws(LoadError) -> ArraySlice<UInt8> {
        do throws(LoadError) {
            try usable()
            received += chunk.count
            guard received <= cap else { throw .tooLarge(name: name, cap: cap) }
            guard header != nil else {
                prefix += chunk
                guard prefix.count >= Self.headerLimit else { return [] }
                return try start()
            }
            do { try digest!.update(chunk) } catch { throw .digest(.crypto(error)) }
            return chunk
        } catch {
            refusal = refusal ?? error
            throw error
        }
    }

    /// Throws the first refusal again; a finished stream takes nothing more.
    private func usable() throws(LoadError) {
        if let refusal { throw refusal }
        if finished { throw .digest(.crypto(CryptoError(.invalidInput))) }
    }

    /// The end of the file, when every byte is the anchor's, signed under `name`: the image's
    /// bytes not yet handed on (all of a file shorter than `headerLimit`), to be written after
    /// the others, and the header. The image's bytes may be used only then.
    public mutating func finish() throws(LoadError) -> (rest: ArraySlice<UInt8>, header: SignedFile) {
        do throws(LoadError) {
            try usable()
            finished = true
            var rest: ArraySlice<UInt8> = []
            if header == nil { rest = try start() }
            // Both are set by `start`, which either sets them or throws.
            guard let header, let made = digest.take() else { throw .digest(.crypto(CryptoError(.digest))) }
            let value: [UInt8]
            do { value = try made.finalize() } catch { throw .digest(.crypto(error)) }
            try signer.checkSignature(header, digest: value)
            return (rest, header)
        } catch {
            refusal = refusal ?? error
            throw error
        }
    }

    /// The header from the bytes kept: parsed, its filename checked, the digest begun over
    /// all of them; returns the image's bytes among them.
    private mutating func start() throws(LoadError) -> ArraySlice<UInt8> {
        let file: SignedFile
        do { file = try SignedFile.parse(prefix) } catch { throw .malformed(.header(error)) }
        try signer.checkName(file, servedAs: name)
        let (head, tail) = file.signedRanges
        do throws(CryptoError) {
            var begun = try Digest(file.hashAlgorithm.hashAlgorithm)
            try begun.update(file[head])
            try begun.update(file[tail])
            digest = consume begun
        } catch {
            throw .digest(.crypto(error))
        }
        // Only the header is kept (a copy of its bytes): not the image bytes that came with it.
        do { header = try SignedFile.parse(Array(prefix[..<file.headerLength])) } catch { throw .malformed(.header(error)) }
        let image = prefix[file.body]
        prefix = []
        return image
    }
}
