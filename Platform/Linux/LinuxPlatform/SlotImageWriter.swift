import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// One firmware image fetched into a slot as it arrives: the transport's pieces through the
/// caller's check (`LoadUpdateRunner`: the anchor's `ImageStream`) into the slot's
/// `StreamedFile`, hashed for the slot's record. Never held whole; the image's file is
/// committed only when the check accepted every byte, and a refused image leaves nothing in
/// the slot. No policy: what may be kept is the check's.
public enum SlotImageWriter {
    public static func fetch(_ name: String, from server: LinuxPhonePlatform.Server, over transport: LinuxPhonePlatform.Transport,
                             into slot: SlotStore.Slot, of store: SlotStore, cap: Int, deadlineMs: UInt64,
                             check: (ArraySlice<UInt8>) -> ArraySlice<UInt8>?,
                             finish: () -> ArraySlice<UInt8>?) -> Result<WrittenImage, LoadSlotFailure> {
        let file: StreamedFile
        switch store.image(name, in: slot) {
        case .success(let created): file = created
        case .failure(let error): return .failure(.flash(error.reason))
        }
        let writing: Writing
        do { writing = try Writing(into: file) } catch { return .failure(.image(.digest(.crypto(error)))) }
        /// A piece of the file: through the check, its image bytes kept; false stops the fetch.
        func sink(_ piece: ArraySlice<UInt8>) -> Bool {
            guard let image = check(piece) else {
                writing.refusal = .checkRefused
                return false
            }
            return writing.keep(image)
        }
        // The transports hold a fetch to the same cap; one that refuses a size the server
        // announced (Content-Length, tsize) before any byte is the same refusal as the check's.
        let fetched: FetchResult
        switch transport {
        case .http:
            fetched = HTTPClient(maxSize: cap, totalTimeoutMs: deadlineMs).stream(name, host: server.host, port: server.port, into: sink)
        case .tftp:
            fetched = TFTPClient(maxSize: cap, totalTimeoutMs: deadlineMs).stream(name, host: server.host, port: server.port, into: sink)
        }
        switch fetched {
        case .file: break
        case .notFound: return .failure(.imageNotFound(name))
        case .failed(.readerStopped): return .failure(writing.refusal ?? .fetch(.readerStopped))
        case .failed(.httpMalformed(.bodyTooLarge)), .failed(.tftp(.tooLarge)): return .failure(.image(.tooLarge(name: name, cap: cap)))
        case .failed(let failure): return .failure(.fetch(failure))
        }
        guard let rest = finish() else { return .failure(.checkRefused) }
        guard writing.keep(rest) else { return .failure(writing.refusal ?? .checkRefused) }
        return writing.commit(name)
    }

    /// What one image's fetch holds between the transport's pieces.
    private final class Writing {
        let file: StreamedFile
        var digest: Digest?
        var size = 0
        var refusal: LoadSlotFailure?

        init(into file: StreamedFile) throws(CryptoError) {
            self.file = file
            digest = try Digest(.sha256)
        }

        /// Image bytes into the file and the digest; false on a failure (`refusal`).
        func keep(_ image: ArraySlice<UInt8>) -> Bool {
            guard !image.isEmpty else { return true }
            if case .failure(let error) = file.write(image) {
                refusal = .flash(error.reason)
                return false
            }
            do { try digest!.update(image) } catch {
                refusal = .image(.digest(.crypto(error)))
                return false
            }
            size += image.count
            return true
        }

        /// The image whole: its file committed, its size and SHA-256.
        func commit(_ name: String) -> Result<WrittenImage, LoadSlotFailure> {
            let sha256: [UInt8]
            do { sha256 = try digest.take()!.finalize() } catch { return .failure(.image(.digest(.crypto(error)))) }
            if case .failure(let error) = file.commit() { return .failure(.flash(error.reason)) }
            return .success(WrittenImage(name: name, size: size, sha256: sha256))
        }
    }
}
