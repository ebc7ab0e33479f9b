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
    /// A state file that did not load and is treated as absent, said once the same way
    /// (out of line: one copy in the firmware, not one per caller).
    @inline(never)
    public func ignored(_ problem: PhoneStorage.Problem?) {
        guard let problem else { return }
        diagnostic("phone: " + problem.file + " is corrupt, ignored: " + problem.reason)
    }

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
