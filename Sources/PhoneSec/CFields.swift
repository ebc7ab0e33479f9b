import CPhoneSec

// Writing Swift values into the C API's fixed-size fields. C arrays (`char text[256]`,
// `phonesec_server tvs[16]`) arrive in Swift as tuples; these view them as memory.

/// Copies `text` into a `char[N]` field, NUL-terminated, cut at a UTF-8 character
/// boundary when it does not fit.
func fill<Field>(_ field: inout Field, _ text: String) {
    withUnsafeMutableBytes(of: &field) { raw in
        guard raw.count > 0 else { return }
        let utf8 = Array(text.utf8)
        var count = min(utf8.count, raw.count - 1)
        // Never end on half a character: step back over continuation bytes (10xxxxxx).
        if count < utf8.count { while count > 0, utf8[count] & 0xC0 == 0x80 { count -= 1 } }
        for index in 0..<count { raw[index] = utf8[index] }
        raw[count] = 0
    }
}

/// Element `index` of a C array field of `Element`s.
func withElement<Field, Element>(_ field: inout Field, _ index: Int, as type: Element.Type, _ body: (inout Element) -> Void) {
    withUnsafeMutableBytes(of: &field) { raw in
        let elements = raw.bindMemory(to: Element.self)
        guard index < elements.count else { return }
        body(&elements[index])
    }
}

/// A C string argument; nil for NULL.
func text(_ pointer: UnsafePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
}

/// What the call says to its caller: the status, and the sentence in `message` (empty on
/// success) when the caller gave one.
func answer(_ status: phonesec_status, _ sentence: String, _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    if let message { fill(&message.pointee.text, sentence) }
    return status
}

/// Servers into a `phonesec_server[PHONESEC_MAX_SERVERS]` field, and their count.
func fill<Field>(_ field: inout Field, count: inout Int, _ servers: [(host: String, port: UInt16)]) {
    let kept = servers.prefix(Int(PHONESEC_MAX_SERVERS))
    count = kept.count
    for (index, server) in kept.enumerated() {
        withElement(&field, index, as: phonesec_server.self) { entry in
            fill(&entry.host, server.host)
            entry.port = server.port
        }
    }
}
