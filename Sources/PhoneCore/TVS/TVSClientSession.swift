import PhoneWire

/// Why a TVS session ended without a usable answer. Data only.
public enum TVSSessionError: Error, Equatable {
    case wire(TVSWireError)
    /// The answer carries another session id than the request: not an answer to it.
    case sessionIDChanged(sent: UInt32, received: UInt32)
    /// The server closed the connection before a whole answer: what the reference server
    /// does with a request it cannot parse (formats.md §4).
    case closedWithoutAnswer(receivedBytes: Int)
}

/// The phone's side of one TVS query (formats.md §4), sans-IO: one VerifyRequest out, in
/// one write; TLS plaintext in, in whatever chunks it arrives, until one whole
/// VerifyResponse with the same session id.
public struct TVSClientSession {
    enum State {
        case ready
        case awaitingAnswer
        case finished
    }

    public let request: TVSVerifyRequest
    private var state: State = .ready
    private var buffer: [UInt8] = []

    public init(request: TVSVerifyRequest) {
        self.request = request
    }

    /// The one message to send: header and elements together.
    public mutating func start() -> [UInt8] {
        guard case .ready = state else { return [] }
        state = .awaitingAnswer
        return request.encode()
    }

    /// Bytes from the server (nil: it closed the connection). Returns the answer once it
    /// is whole, nil while more is needed; a header is refused as soon as it is in.
    public mutating func receive(_ bytes: [UInt8]?) throws(TVSSessionError) -> TVSVerifyResponse.Status? {
        guard case .awaitingAnswer = state else { return nil }
        guard let bytes else {
            state = .finished
            throw .closedWithoutAnswer(receivedBytes: buffer.count)
        }
        buffer.append(contentsOf: bytes)
        let response: TVSVerifyResponse
        do throws(TVSWireError) {
            // A header is checked as soon as its bytes are in: a wrong protocol byte or an
            // oversized length need not wait for more.
            let header = try TVSHeader.parse(buffer)
            guard buffer.count >= TVSHeader.length + header.payloadLength else { return nil }
            response = try TVSVerifyResponse.decode(buffer)
        } catch {
            if case .truncated = error, buffer.count < TVSHeader.length { return nil }
            state = .finished
            throw .wire(error)
        }
        state = .finished
        guard response.sessionID == request.sessionID else {
            throw .sessionIDChanged(sent: request.sessionID, received: response.sessionID)
        }
        return response.status
    }
}
