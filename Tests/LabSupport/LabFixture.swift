import CUCMLab
import Foundation
import HostProcess
import LinuxPlatform
import PhoneCrypto
import TestSupport

/// A lab on loopback and a phone state directory, for one test.
public final class LabFixture {
    public var work: URL!
    public var lab: Lab!
    public var server: LabServer!
    private var logLines: [String] = []
    private let lock = NSLock()
    public var state: String { work.appendingPathComponent("phone").path }
    public let mic = Vectors.url("interop/pki/phone-mic.pem").path
    public let device = "SEPA45630BBFA40"

    /// `ec`: a lab made with `init --ec` (ITL of signer version 1.1, HTTPS on a free port).
    public init(ec: Bool = false) throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString)")
        let directory = work.appendingPathComponent("lab")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Lab.initialise(directory, ec: ec)
        lab = try Lab(directory) { [unowned self] line in
            lock.lock()
            logLines.append(line)
            lock.unlock()
        }
        server = try LabServer(lab: lab, host: "127.0.0.1", tftpPort: 0, httpPort: 0, capfPort: 0)
        server.start()
    }

    public func close() {
        server.stop()
        try? FileManager.default.removeItem(at: work)
    }

    public var labLog: String {
        lock.lock()
        defer { lock.unlock() }
        return logLines.joined(separator: "\n")
    }

    public func add(profile: DeviceTable.Profile = .encrypted, auth: String = "auto", operation: String = "install",
                     key: String = "rsa:2048") throws {
        var existing = try lab.devices.device(device) ?? DeviceTable.Device(name: device, profile: profile, capfAuth: auth, operation: operation,
                                                                              key: key, certificate: nil, md5hash: "", publicKey: nil)
        existing.profile = profile
        existing.capfAuth = auth
        existing.operation = operation
        existing.key = key
        try lab.devices.upsert(existing)
    }

    public typealias Run = ProgramRun

    public func phone(_ arguments: [String], environment: [String: String] = [:], addressSpaceLimitKB: Int? = nil) throws -> Run {
        let phone = ProgramRun.builtProgram("phone")
        guard let addressSpaceLimitKB else { return try ProgramRun.run(phone, arguments, environment: environment) }
        // The shell sets the limit, then becomes the phone.
        return try ProgramRun.run("/bin/sh", ["-c", "ulimit -v \(addressSpaceLimitKB) && exec \"$0\" \"$@\"", phone] + arguments,
                                  environment: environment)
    }

    public func boot(_ extra: [String] = [], tftp: Bool = false) throws -> Run {
        let server = tftp ? ["--transport", "tftp", "--server", "127.0.0.1:\(self.server.tftpPort)"]
                          : ["--server", "127.0.0.1:\(self.server.httpPort)"]
        return try phone(["boot"] + server + httpsArguments + ["--mac", "A4:56:30:BB:FA:40", "--state", state, "--mic", mic,
                                                               "--backoff-ms", "20"] + extra)
    }

    /// `--https-port` of an EC lab's HTTPS service; none otherwise.
    public var httpsArguments: [String] {
        server.httpsPort.map { ["--https-port", "\($0)"] } ?? []
    }

    public func storedLSC() -> Identity? { PhoneStorage(directory: state).loadLSC().0 }

}

extension LabFixture {
    public func bootWith(environment: [String: String]) throws -> Run {
        try phone(["boot", "--server", "127.0.0.1:\(server.httpPort)", "--mac", "A4:56:30:BB:FA:40", "--state", state,
                   "--mic", mic, "--backoff-ms", "20"] + httpsArguments, environment: environment)
    }
}
