import CUCMLab
import Foundation
import LinuxPlatform
import PhoneApp
import PhoneRuntime

/// The lab cluster for the loopback benchmarks: `cucm-lab serve` in a child process, so
/// the harness's malloc counts and memory figures are the phone's alone. The phone runs
/// in this process through the same entry point as the `phone` program.
final class LabCluster {
    let work: URL
    let labDirectory: URL
    let devices: DeviceTable
    private let server: Process
    private(set) var httpPort = 0
    private(set) var capfPort = 0
    /// The HTTPS configuration port of an EC lab; nil otherwise.
    private(set) var httpsPort: Int?
    let mic = Inputs.vectors.appendingPathComponent("interop/pki/phone-mic.pem").path
    let device = Inputs.device
    /// The SoftHSM2 token the phone keeps its LSC's key on; nil: the key in memory (lsc.pem).
    let token: SoftHSMToken?

    /// `CUCM_LAB` names the lab program; `run.sh` builds it (release) and sets it.
    static var labProgram: String {
        ProcessInfo.processInfo.environment["CUCM_LAB"]
            ?? Inputs.repository.appendingPathComponent(".build/release/cucm-lab").path
    }

    /// `ec`: a lab made with `init --ec` (EC TFTP certificate, ITL signer version 1.1, HTTPS).
    /// `token`: the phone's keys on a SoftHSM2 token of this lab's own.
    init(ec: Bool = false, token: Bool = false) throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("phone-bench-\(getpid())-\(UUID().uuidString)")
        labDirectory = work.appendingPathComponent("lab")
        try FileManager.default.createDirectory(at: labDirectory, withIntermediateDirectories: true)
        self.token = token ? try SoftHSMToken(in: work) : nil
        try Lab.initialise(labDirectory, ec: ec)
        devices = try DeviceTable(path: labDirectory.appendingPathComponent("devices.sqlite").path)

        guard FileManager.default.isExecutableFile(atPath: Self.labProgram) else {
            throw BenchmarkFailure("no lab program at \(Self.labProgram): build it with `swift build -c release --product cucm-lab` or set CUCM_LAB")
        }
        let log = work.appendingPathComponent("lab.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        server = Process()
        server.executableURL = URL(fileURLWithPath: Self.labProgram)
        server.arguments = ["serve", "--dir", labDirectory.path, "--host", "127.0.0.1",
                            "--tftp-port", "0", "--http-port", "0", "--capf-port", "0"] + (ec ? ["--https-port", "0"] : [])
        server.standardOutput = try FileHandle(forWritingTo: log)
        server.standardError = FileHandle.nullDevice
        try server.run()
        // run.sh stops, by this id, a lab whose benchmark process died before `stop()`.
        try Data(String(server.processIdentifier).utf8).write(to: work.appendingPathComponent("lab.pid"))
        // The lab prints "[lab] serving on 127.0.0.1: TFTP t, HTTP h, CAPF c" once listening.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("serving on") }) {
                let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                // 127, 0, 0, 1, then TFTP, HTTP, CAPF, TVS (and HTTPS in an EC lab).
                if numbers.count >= (ec ? 9 : 7) {
                    httpPort = numbers[5]
                    capfPort = numbers[6]
                    httpsPort = ec ? numbers[8] : nil
                    return
                }
            }
            usleep(20_000)
        }
        server.terminate()
        throw BenchmarkFailure("the lab did not start listening within 10 s (log: \(log.path))")
    }

    func stop() {
        server.terminate()
        server.waitUntilExit()
        try? FileManager.default.removeItem(at: work)
    }

    /// Schedules a CAPF install for the phone and forgets any certificate it had, as an
    /// administrator would before a new enrolment.
    func scheduleInstall(key: String) throws {
        try devices.upsert(DeviceTable.Device(name: device, profile: .encrypted, capfAuth: "auto", operation: "install",
                                              key: key, certificate: nil, md5hash: "", publicKey: nil))
    }

    /// An empty phone state directory (no LSC, no trust list): a phone out of the box.
    func freshState(_ name: String) throws -> String {
        let state = work.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: state)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        return state.path
    }

    func capf(state: String) -> Int32 {
        PhoneProgram.run(["capf", "--host", "127.0.0.1:\(capfPort)", "--device", device,
                          "--trust", labDirectory.appendingPathComponent("ITLFile.tlv").path,
                          "--state", state, "--mic", mic] + keyStore, io: QuietIO())
    }

    /// `phone decrypt` of `file` (this lab's configuration for the phone) with the LSC's key
    /// of `state`.
    func decrypt(_ file: String, state: String) -> Int32 {
        PhoneProgram.run(["decrypt", file, "--key", state + "/lsc.pem", "--trust", state + "/itl.tlv",
                          "--name", Inputs.encSgnName] + keyStore, io: QuietIO())
    }

    /// The phone's encrypted configuration as this lab serves it (encrypted for the LSC it
    /// holds now), written to `path`.
    func fetchEncryptedConfiguration(to path: String) throws {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sf", "-o", path, "http://127.0.0.1:\(httpPort)/" + Inputs.encSgnName]
        try curl.run()
        curl.waitUntilExit()
        guard curl.terminationStatus == 0 else { throw BenchmarkFailure("the lab served no \(Inputs.encSgnName)") }
    }

    private var keyStore: [String] { token?.options ?? [] }

    func boot(state: String) -> Int32 {
        PhoneProgram.run(bootArguments(state: state), io: QuietIO())
    }

    /// `phone boot` against this lab, as the in-process and the whole-process rows run it.
    func bootArguments(state: String) -> [String] {
        ["boot", "--server", "127.0.0.1:\(httpPort)", "--mac", "A4:56:30:BB:FA:40", "--state", state, "--mic", mic]
            + (httpsPort.map { ["--https-port", "\($0)"] } ?? []) + keyStore
    }
}

/// The phone's files and entropy, without its console: the benchmark prints nothing per run.
struct QuietIO: PhoneIO {
    private let linux = LinuxPhoneIO()
    func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileError> { linux.readFile(path, limit: limit) }
    func writeFile(_ path: String, _ bytes: [UInt8], mode: UInt32) -> Result<Void, FileError> {
        linux.writeFile(path, bytes, mode: mode)
    }
    func output(_ bytes: [UInt8]) {}
    func diagnostic(_ line: String) {}
    func entropy(_ buffer: UnsafeMutableRawBufferPointer) -> Bool { linux.entropy(buffer) }
}
