import Benchmark
import Foundation
import PhoneApp

/// The whole-process rows: a `phone` program run from exec to exit by `process-probe`
/// (Benchmarks/process-probe.c, built by run.sh), which reports the program's own wall
/// time, CPU time and peak resident set. The firmware (the x86_64 Embedded build, what
/// ships) and the host release build run the same commands.
let processWallMetric = BenchmarkMetric.custom("process wall time (ns)", polarity: .prefersSmaller, useScalingFactor: false)
let processCPUMetric = BenchmarkMetric.custom("process CPU time (ns)", polarity: .prefersSmaller, useScalingFactor: false)
let processRSSMetric = BenchmarkMetric.custom("process peak RSS (bytes)", polarity: .prefersSmaller, useScalingFactor: false)

enum WholeProcess {
    /// Set by run.sh; the defaults are where its builds put them.
    static func path(_ variable: String, _ fallback: String) -> String {
        ProcessInfo.processInfo.environment[variable] ?? Inputs.repository.appendingPathComponent(fallback).path
    }

    static let probe = path("PROCESS_PROBE", ".build/process-probe")
    static let programs: [(name: String, path: String)] = [
        ("firmware", path("PHONE_FIRMWARE", "out/x86_64/phone")),
        ("host", path("PHONE_HOST", ".build/release/phone")),
    ]

    static let configuration = Benchmark.Configuration(
        metrics: [processWallMetric, processCPUMetric, processRSSMetric], timeUnits: .nanoseconds,
        units: [processWallMetric: .count, processCPUMetric: .count, processRSSMetric: .count],
        warmupIterations: 2, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 200)

    /// Runs `program arguments…` once and records its figures; its exit status must be 0.
    static func measure(_ benchmark: Benchmark, _ program: String, _ arguments: [String]) throws {
        for file in [probe, program] where !FileManager.default.isExecutableFile(atPath: file) {
            throw BenchmarkFailure("no program at " + file + ": run Benchmarks/run.sh, which builds it")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe)
        process.arguments = [program] + arguments
        // A phone's environment, not the harness's: its preloaded malloc interposer and its
        // other variables added 4.5 MiB of resident memory to a 2.3 MiB `phone inspect`.
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
        guard process.terminationStatus == 0, fields.count == 4 else {
            throw BenchmarkFailure("process-probe failed for " + program + ": " + text)
        }
        guard fields[0] == 0 else { throw BenchmarkFailure(program + " " + arguments.joined(separator: " ") + " exited \(fields[0])") }
        benchmark.measurement(processWallMetric, fields[1])
        benchmark.measurement(processCPUMetric, fields[2])
        benchmark.measurement(processRSSMetric, fields[3] * 1024)
    }
}

/// verify of the ITL (trust on first use) and of the signed config, decrypt of 64 KB and 1 MB, and boots without and with enrolment, for
/// the firmware and the host build; and the same commands in-process (`program_*`: the
/// same work, files, key and trust list read and parsed each time, without the process).
func wholeProcessBenchmarks() {
    let vectors = Inputs.vectors.appendingPathComponent("interop").path
    let itl = vectors + "/ITLFile.tlv"
    let commands: [(name: String, size: Inputs.Size?, arguments: (String) -> [String])] = [
        ("verify_itl", nil, { _ in ["verify", itl] }),
        ("verify", nil, { _ in ["verify", vectors + "/signed-SEPA45630BBFA40.cnf.xml.sgn", "--trust", itl, "--name", Inputs.sgnName] }),
        ("decrypt_64KB", .medium, { file in ["decrypt", file, "--key", Inputs.phoneKeyPath, "--trust", itl, "--name", Inputs.encSgnName] }),
        ("decrypt_1MB", .large, { file in ["decrypt", file, "--key", Inputs.phoneKeyPath, "--trust", itl, "--name", Inputs.encSgnName] }),
    ]
    for command in commands {
        let variants = [("program", nil as String?)] + WholeProcess.programs.map { ("process", $0.path as String?) }
        for (kind, program) in variants {
            let suffix = program.map { path in WholeProcess.programs.first { $0.path == path }!.name }
            let name = kind + "_" + command.name + (suffix.map { "_" + $0 } ?? "")
            nonisolated(unsafe) var file = ""
            let configuration = program == nil ? configuration(seconds: 5, iterations: 200) : WholeProcess.configuration
            Benchmark(name, configuration: configuration) { benchmark in
                let arguments = command.arguments(file)
                if let program {
                    try WholeProcess.measure(benchmark, program, arguments)
                } else {
                    let status = measured(benchmark) { PhoneProgram.run(arguments, io: QuietIO()) }
                    guard status == 0 else { throw BenchmarkFailure(name + " exited \(status)") }
                }
            } setup: {
                guard let size = command.size else { return }
                file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid()).enc.sgn").path
                try Data(Inputs.encrypted(size)).write(to: URL(fileURLWithPath: file))
            } teardown: {
                if !file.isEmpty { try? FileManager.default.removeItem(atPath: file) }
            }
        }
    }
    for program in WholeProcess.programs {
        processBootBenchmark("process_boot_with_enrollment_" + program.name, program.path, prepare: { lab in
            try lab.scheduleInstall(key: "rsa:2048")
            return try lab.freshState("boot")
        })
        processBootBenchmark("process_boot_without_enrollment_" + program.name, program.path,
                             prepareLab: { lab in try enrol(lab, key: "rsa:2048") },
                             prepare: { lab in lab.work.appendingPathComponent("enrolled").path })
    }
}

/// A whole-process boot against a lab of its own (see `labBenchmark`).
func processBootBenchmark(_ name: String, _ program: String, prepareLab: @escaping (LabCluster) throws -> Void = { _ in },
                          prepare: @escaping (LabCluster) throws -> String) {
    labBenchmark(name, configuration: WholeProcess.configuration, prepareLab: prepareLab, prepare: prepare) { benchmark, lab, state in
        try WholeProcess.measure(benchmark, program, lab.bootArguments(state: state))
    }
}
