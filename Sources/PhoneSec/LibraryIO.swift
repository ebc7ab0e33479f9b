import LinuxPlatform
import PhoneRuntime

/// What the core's commands need from their host, inside a library: files and entropy
/// as the program has them, but nothing written to the process's stdout or stderr (they
/// are the firmware's). Diagnostics (a corrupt state file ignored) are kept, the last few.
final class LibraryIO: PhoneIO {
    private(set) var diagnostics: [String] = []
    static let keptDiagnostics = 8

    func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileError> { LinuxFiles.read(path, limit: limit) }

    func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> {
        LinuxFiles.writeAtomically(path, bytes, mode: mode)
    }

    func output(_ bytes: [UInt8]) {}

    func diagnostic(_ line: String) {
        if diagnostics.count == Self.keptDiagnostics { diagnostics.removeFirst() }
        diagnostics.append(line)
    }

    func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool { LinuxProcess.entropy(buffer) }
}
