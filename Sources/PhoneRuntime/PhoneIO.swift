import LinuxPlatform

/// What the phone program needs from its host: files, the console and entropy.
/// The Linux implementation is `LinuxPhoneIO`; tests pass their own.
public protocol PhoneIO {
    func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileError>
    func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError>
    /// Standard output: results (a summary, a decrypted file).
    func output(_ bytes: [UInt8])
    /// Standard error: one diagnostic line.
    func diagnostic(_ line: String)
    func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool
}

extension PhoneIO {
    public func outputLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        output(bytes)
    }
}

public struct LinuxPhoneIO: PhoneIO {
    public init() {}

    public func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileError> {
        LinuxFiles.read(path, limit: limit)
    }

    public func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> {
        LinuxFiles.writeAtomically(path, bytes, mode: mode)
    }

    public func output(_ bytes: [UInt8]) { LinuxConsole.write(bytes) }

    public func diagnostic(_ line: String) { LinuxConsole.line(line, toErrorStream: true) }

    public func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool { LinuxProcess.entropy(buffer) }
}
