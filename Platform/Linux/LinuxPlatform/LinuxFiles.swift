import CLinuxPlatform

/// Why a file operation failed: the errno, or the size cap.
public enum FileError: Error, Equatable {
    case system(path: String, errno: Int32)
    case tooLarge(path: String, limit: Int)

    public var reason: String {
        switch self {
        case .system(let path, let code): return path + ": " + errnoText(code)
        case .tooLarge(let path, let limit): return path + ": larger than " + String(limit) + " bytes"
        }
    }
}

/// Files on the Linux file system: bounded reads, atomic writes.
public enum LinuxFiles {
    /// Reads a whole file of at most `limit` bytes.
    public static func read(_ path: String, limit: Int) -> Result<[UInt8], FileError> {
        let size = path.withCString { clp_file_size($0) }
        if size < 0 { return .failure(.system(path: path, errno: Int32(-size))) }
        if size > Int64(limit) { return .failure(.tooLarge(path: path, limit: limit)) }
        var result: Int32 = 0
        // Only the bytes read become the array: no zero-filling pass first.
        let buffer = [UInt8](unsafeUninitializedCapacity: Int(size)) { storage, count in
            var length = 0
            result = path.withCString { clp_read_file($0, storage.baseAddress, storage.count, &length) }
            count = result == 0 ? length : 0
        }
        if result == CLP_TOO_LARGE { return .failure(.tooLarge(path: path, limit: Int(size))) }
        if result != 0 { return .failure(.system(path: path, errno: result)) }
        return .success(buffer)
    }

    /// Writes atomically (temporary file, fsync, rename, directory fsync).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> {
        let result = path.withCString { cPath in
            bytes.withUnsafeBufferPointer { clp_write_file_atomic(cPath, $0.baseAddress, $0.count, mode) }
        }
        return result == 0 ? .success(()) : .failure(.system(path: path, errno: result))
    }
}

extension LinuxFiles {
    /// Appends, creating the file with `mode` when it is new.
    public static func append(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> {
        let result = path.withCString { cPath in
            bytes.withUnsafeBufferPointer { clp_append_file(cPath, $0.baseAddress, $0.count, mode) }
        }
        return result == 0 ? .success(()) : .failure(.system(path: path, errno: result))
    }

    /// Removes a file (and syncs its directory); succeeds when it was not there.
    public static func remove(_ path: String) -> Result<Void, FileError> {
        let result = path.withCString { clp_remove_file($0) }
        return result == 0 ? .success(()) : .failure(.system(path: path, errno: result))
    }

    /// Creates a directory, owner-only, unless it exists.
    public static func makeDirectory(_ path: String) -> Result<Void, FileError> {
        let result = path.withCString { clp_make_directory($0) }
        return result == 0 ? .success(()) : .failure(.system(path: path, errno: result))
    }
}

/// The console: standard output for results, standard error for diagnostics.
public enum LinuxConsole {
    public static func write(_ bytes: [UInt8], toErrorStream: Bool = false) {
        _ = bytes.withUnsafeBufferPointer { clp_write_fd(toErrorStream ? 2 : 1, $0.baseAddress, $0.count) }
    }

    public static func line(_ text: String, toErrorStream: Bool = false) {
        var bytes = Array(text.utf8)
        bytes.append(0x0A)
        write(bytes, toErrorStream: toErrorStream)
    }
}

/// The process environment the platform reads at start-up.
public enum LinuxProcess {
    public static var arguments: [String] {
        var arguments: [String] = []
        let count = clp_argc()
        var index: Int32 = 0
        while index < count {
            if let argument = clp_argv(index) { arguments.append(String(cString: argument)) }
            index += 1
        }
        return arguments
    }

    /// Kernel entropy for seeding the core's CTR-DRBG.
    public static func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        return clp_entropy(base.assumingMemoryBound(to: UInt8.self), buffer.count) == 0
    }

}

/// Ends the process with this status.
public func exitProcess(_ status: Int32) -> Never {
    clp_exit(status)
}

/// A short description of an errno value, from the C library's names.
public func errnoText(_ code: Int32) -> String {
    guard let text = clp_errno_text(code) else { return "error " + String(code) }
    return String(cString: text)
}

/// A file written piece by piece and made visible at once: a temporary file beside it,
/// renamed over it by `commit` after an fsync (`clp_stream_open`); released without a
/// commit, the temporary is removed and the target is untouched.
public final class StreamedFile {
    private let fd: Int32
    private let temporary: [CChar]
    public let path: String
    /// Until `commit` has handed the file on: the temporary to remove.
    private var pending = true

    public static func create(_ path: String, mode: UInt32) -> Result<StreamedFile, FileError> {
        var temporary = [CChar](repeating: 0, count: 4096)
        var fd: Int32 = -1
        let result = path.withCString { cPath in
            temporary.withUnsafeMutableBufferPointer { clp_stream_open(cPath, mode, &fd, $0.baseAddress, $0.count) }
        }
        guard result == 0 else { return .failure(.system(path: path, errno: result)) }
        return .success(StreamedFile(fd: fd, temporary: temporary, path: path))
    }

    private init(fd: Int32, temporary: [CChar], path: String) {
        self.fd = fd
        self.temporary = temporary
        self.path = path
    }

    public func write(_ bytes: ArraySlice<UInt8>) -> Result<Void, FileError> {
        guard pending else { return .failure(.system(path: path, errno: CLP_EINVAL)) }
        let result = bytes.withUnsafeBufferPointer { clp_write_fd(fd, $0.baseAddress, $0.count) }
        return result == 0 ? .success(()) : .failure(.system(path: path, errno: result))
    }

    /// Synced and renamed over `path`; once only.
    public func commit() -> Result<Void, FileError> {
        guard pending else { return .failure(.system(path: path, errno: CLP_EINVAL)) }
        pending = false
        let result = temporary.withUnsafeBufferPointer { name in path.withCString { clp_stream_commit(fd, name.baseAddress, $0) } }
        return result == 0 ? .success(()) : .failure(.system(path: path, errno: result))
    }

    deinit {
        if pending { temporary.withUnsafeBufferPointer { clp_stream_abandon(fd, $0.baseAddress) } }
    }
}
