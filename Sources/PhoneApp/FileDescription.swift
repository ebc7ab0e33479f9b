import PhoneCrypto
import PhoneRuntime
import PhoneWire

#if !hasFeature(Embedded)
/// Readable lines for every header field and every trust-list record, laid out like
/// the reference tool's reading (`Label:` then the value at a fixed column): `phone
/// inspect`, the host build's.
enum FileDescription {
    static func lines(_ bytes: [UInt8]) throws(WireError) -> [String] {
        let file = try SignedFile.parse(bytes)
        var lines: [String] = []
        func add(_ label: String, _ value: String) { lines.append(field(label, value)) }
        add("Version", file.version.text)
        add("Header Length", String(file.headerLength) + " bytes")
        if let signerVersion = file.signerVersion { add("Signer Version", signerVersion.text) }
        add("Signer Name", file.signerNameText)
        add("Issuer Name", file.issuerNameText)
        add("Serial Number", hexString(file[file.serialNumber]))
        add("Digest Algorithm", file.hashAlgorithm.name)
        add("Signature", String(file.signature.count) + " bytes")
        add("Filename", file.filenameText)
        if let timestamp = file.timestamp { add("Timestamp", UTCTime.format(timestamp)) }
        if let info = file.encryption {
            add("Encryption IV", String(info.iv.count) + " bytes")
            add("Encryption Key", String(info.wrappedKey.count) + " bytes")
            add("Key Size", String(info.keySizeBits) + " bits")
            add("Key Algorithm", info.keyAlgorithm == SignedFile.aes128CBC ? "AES-128-CBC" : "unknown " + String(info.keyAlgorithm))
            add("Padding Count", String(info.paddingCount))
            add("Encryption Digest Algorithm", info.digestAlgorithm.name)
            add("Encryption Digest", hexString(file[info.digest]))
        }
        guard file.version == .trustList else {
            add("Body", String(file.body.count) + " bytes")
            return lines
        }
        let list = try TrustList.parse(bytes)
        for (index, record) in list.records.enumerated() {
            lines.append("")
            lines.append("Record " + String(index + 1))
            add("Record Length", String(record.range.count) + " bytes")
            if let dns = record.dnsName { add("DNS Name", file.text(dns)) }
            add("Subject Name", file.text(record.subjectName))
            add("Issuer Name", file.text(record.issuerName))
            add("Serial Number", hexString(list[record.serialNumber]))
            add("Role", record.role.name)
            if let key = record.publicKey { add("Public Key", String(key.count) + " bytes") }
            if let signature = record.signature { add("Signature", String(signature.count) + " bytes") }
            add("Certificate", String(record.certificate.count) + " bytes")
            if let ip = record.ipAddress { add("IP Address", ipAddressText(list[ip])) }
            if let certificate = try? Certificate(der: list[record.certificate]) {
                add("Key Algorithm", certificate.keyKind.isRSA ? "RSA" : "EC")
                add("Key", certificate.keyKind.name)
                if let sha1 = try? certificate.sha1() { add("Certificate Hash", hexString(sha1)) }
            } else {
                add("Key Algorithm", "unreadable certificate")
            }
        }
        return lines
    }

    /// `Label:` and the value at the fixed column.
    static func field(_ label: String, _ value: String) -> String {
        var padded = label + ":"
        while padded.utf8.count < 18 { padded += " " }
        return padded + " " + value
    }

    /// A firmware load's hardware level and images, when the header names an `X.loads`
    /// (nothing for any other file).
    static func loadLines(_ bytes: [UInt8]) throws(LoadFileError) -> [String] {
        guard let file = try? SignedFile.parse(bytes), LoadFile.namesLoad(file[file.filename]) else { return [] }
        let load = try LoadFile.parse(bytes)
        var lines = [field("Hardware Level", load.hardwareLevel.map { String($0) } ?? "none")]
        for index in load.images.indices { lines.append(field("Image " + String(index + 1), load.imageName(index))) }
        return lines
    }

    /// A record's IP address: dotted quad for IPv4 (what a real CTL holds), colon-separated
    /// groups for IPv6, hex with its length for anything else.
    static func ipAddressText(_ bytes: ArraySlice<UInt8>) -> String {
        switch bytes.count {
        case 4:
            var parts: [String] = []
            for byte in bytes { parts.append(String(byte)) }
            return parts.joined(separator: ".")
        case 16:
            var groups: [String] = []
            var index = bytes.startIndex
            while index < bytes.endIndex {
                groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
                index += 2
            }
            return groups.joined(separator: ":")
        default:
            return hexString(bytes) + " (" + String(bytes.count) + " bytes)"
        }
    }
}
#endif
