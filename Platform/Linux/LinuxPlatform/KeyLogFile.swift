import PhoneCrypto
import PhoneWire

/// A TLS key log in the NSS format Wireshark reads (`tls.keylog_file`): one
/// `CLIENT_RANDOM <client random> <master secret>` line per TLS 1.2 session, appended to
/// a file created owner-only. The line is zeroized once written; nothing of it goes
/// anywhere else.
public enum KeyLogFile {
    public static func append(_ secrets: TLSSessionSecrets, to path: String) -> Result<Void, FileError> {
        var line = Array("CLIENT_RANDOM ".utf8)
        appendHex(secrets.clientRandom, to: &line)
        line.append(UInt8(ascii: " "))
        secrets.masterSecret.withUnsafeBytes { appendHex($0, to: &line) }
        line.append(UInt8(ascii: "\n"))
        let result = LinuxFiles.append(path, line, mode: 0o600)
        zeroize(&line)
        return result
    }
}
