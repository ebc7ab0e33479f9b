/// Cuts a CAPF byte stream (TLS plaintext, in whatever chunks it arrives) into whole
/// messages, refusing a wrong protocol byte or an over-cap length as soon as the header
/// is in.
public struct CAPFFramer {
    private var buffer: [UInt8] = []

    public init() {}

    public mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, or nil until more bytes arrive.
    public mutating func next() throws(CAPFWireError) -> CAPFMessage? {
        guard buffer.count >= CAPFMessage.headerLength else { return nil }
        let total = CAPFMessage.headerLength + (try CAPFMessage.payloadLength(header: buffer[0..<CAPFMessage.headerLength]))
        guard buffer.count >= total else { return nil }
        let bytes = Array(buffer[0..<total])
        buffer.removeFirst(total)
        return try CAPFMessage.decode(bytes)
    }
}
