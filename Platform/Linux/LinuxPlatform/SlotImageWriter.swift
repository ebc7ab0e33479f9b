import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// One firmware image fetched into a slot as it arrives: the transport's pieces through an
/// `ImageStream` (the anchor's check) into the slot's `StreamedFile`, hashed for the slot's
/// record. Never held whole; the image's file is committed only when the stream accepted
/// every byte, and a refused image leaves nothing in the slot.
public enum SlotImageWriter {
    public typealias Failure = LoadSlotFailure

    public static func fetch(_ name: String, from server: LinuxPhonePlatform.Server, over transport: LinuxPhonePlatform.Transport,
                             into slot: SlotStore.Slot, of store: SlotStore, anchor: ImageSigner,
                             cap: Int) -> Result<WrittenImage, Failure> {
        let file: StreamedFile
        switch store.image(name, in: slot) {
        case .success(let created): file = created
        case .failure(let error): return .failure(.flash(error.reason))
        }
        let writing: Writing
        do { writing = try Writing(ImageStream(anchor, name: name, cap: cap), into: file) } catch {
            return .failure(.image(.digest(.crypto(error))))
        }
        // The transports hold a fetch to the same cap; one that refuses a size the server
        // announced (Content-Length, tsize) before any byte is the same refusal.
        let fetched: FetchResult
        switch transport {
        case .http: fetched = HTTPClient(maxSize: cap).stream(name, host: server.host, port: server.port, into: writing.take)
        case .tftp: fetched = TFTPClient(maxSize: cap).stream(name, host: server.host, port: server.port, into: writing.take)
        }
        switch fetched {
        case .file: break
        case .notFound: return .failure(.imageNotFound(name))
        case .failed(.readerStopped): return .failure(writing.refusal ?? .fetch(.readerStopped))
        case .failed(.httpMalformed(.bodyTooLarge)), .failed(.tftp(.tooLarge)): return .failure(.image(.tooLarge(name: name, cap: cap)))
        case .failed(let failure): return .failure(.fetch(failure))
        }
        return writing.finish(name)
    }

    /// What one image's fetch holds between the transport's pieces.
    private final class Writing {
        var stream: ImageStream?
        let file: StreamedFile
        var digest: Digest?
        var size = 0
        var refusal: Failure?

        init(_ stream: consuming ImageStream, into file: StreamedFile) throws(CryptoError) {
            self.stream = consume stream
            self.file = file
            digest = try Digest(.sha256)
        }

        /// A piece of the file: through the check, its image bytes kept; false stops the fetch.
        func take(_ piece: ArraySlice<UInt8>) -> Bool {
            do throws(LoadError) { return keep(try stream!.feed(piece)) } catch {
                refusal = .image(error)
                return false
            }
        }

        /// The end: the check's verdict, the last image bytes, the file committed.
        func finish(_ name: String) -> Result<WrittenImage, Failure> {
            do throws(LoadError) {
                var ending = stream.take()!
                let (rest, _) = try ending.finish()
                guard keep(rest) else { return .failure(refusal ?? .fetch(.readerStopped)) }
            } catch {
                return .failure(.image(error))
            }
            let sha256: [UInt8]
            do { sha256 = try digest.take()!.finalize() } catch { return .failure(.image(.digest(.crypto(error)))) }
            if case .failure(let error) = file.commit() { return .failure(.flash(error.reason)) }
            return .success(WrittenImage(name: name, size: size, sha256: sha256))
        }

        private func keep(_ image: ArraySlice<UInt8>) -> Bool {
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
    }
}
