import Foundation

/// A program of this package run to its end, as a user runs it: the lab's demo runs the
/// phone with it, the tests run both programs with it. Host only (Foundation).
public struct ProgramRun {
    public let status: Int32
    /// Ended by a signal (a crash, SIGKILL) rather than by exiting.
    public let signal: Bool
    public let stdout: String
    public let stderr: String

    /// A program built beside the running one (the test bundle, or `cucm-lab`): SwiftPM
    /// puts every product of a build in one folder.
    public static func builtProgram(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Runs `executable` with standard input empty, reading both output streams while it
    /// runs so neither pipe can fill up and stall it.
    public static func run(_ executable: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws -> ProgramRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let errors = Box()
        let group = DispatchGroup()
        DispatchQueue(label: "stderr").async(group: group) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return ProgramRun(status: process.terminationStatus, signal: process.terminationReason == .uncaughtSignal,
                          stdout: String(decoding: output, as: UTF8.self), stderr: String(decoding: errors.data, as: UTF8.self))
    }
}
