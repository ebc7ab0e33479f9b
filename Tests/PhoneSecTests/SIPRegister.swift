import CPhoneSec

/// A SIP REGISTER over a C API channel, as a phone's SIP stack would send it.
enum SIPRegister {
    /// Sends a REGISTER naming `device`; the status code of the answer (0: none).
    static func status(phone: OpaquePointer?, channel: UInt32, device: String, message: inout phonesec_message) -> Int {
        let request = "REGISTER sip:lab SIP/2.0\r\nVia: SIP/2.0/TLS phone.invalid;branch=z9hG4bKtest\r\n"
            + "From: <sip:" + device + "@lab>;tag=1\r\nTo: <sip:" + device + "@lab>\r\nCall-ID: api@phone.invalid\r\n"
            + "CSeq: 1 REGISTER\r\nContact: <sip:" + device + "@phone.invalid;transport=tls>;+u.sip!devicename.ccm.cisco.com=\""
            + device + "\"\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array(request.utf8)
        guard phonesec_channel_write(phone, channel, bytes, bytes.count, &message) == PHONESEC_OK else { return 0 }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 7)  // small reads: nothing may be lost between them
        while !answer.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), answer.count < 4096 {
            var got = 0
            guard phonesec_channel_read(phone, channel, &buffer, buffer.count, &got, 5000, &message) == PHONESEC_OK else { return 0 }
            answer += buffer[..<got]
        }
        let words = String(decoding: answer, as: UTF8.self).split(separator: " ")
        return words.count > 1 && words[0] == "SIP/2.0" ? Int(words[1]) ?? 0 : 0
    }
}
