import Foundation

/// A SoftHSM2 token for the key-store rows, in a token directory of its own under the
/// lab's work directory. SoftHSM2 reads `SOFTHSM2_CONF` when it is initialised, and the
/// phone finalises the module when its last user is done, so each measured run loads and
/// initialises the module as a phone's boot does.
final class SoftHSMToken {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    private static let pin = "48613729"
    private let tokens: URL
    /// The file holding the token's user PIN.
    let pinFile: String
    /// `--pkcs11 MODULE --token phone --pin-file F`, as `phone` takes them.
    let options: [String]

    init(in work: URL) throws {
        guard FileManager.default.fileExists(atPath: Self.module) else {
            throw BenchmarkFailure("no SoftHSM2 module at \(Self.module): toolchain/install-deps.sh installs softhsm2")
        }
        tokens = work.appendingPathComponent("tokens")
        let configuration = work.appendingPathComponent("softhsm2.conf")
        try Data("directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n".utf8)
            .write(to: configuration)
        setenv("SOFTHSM2_CONF", configuration.path, 1)
        pinFile = work.appendingPathComponent("pin").path
        try Data((Self.pin + "\n").utf8).write(to: URL(fileURLWithPath: pinFile))
        options = ["--pkcs11", Self.module, "--token", "phone", "--pin-file", pinFile]
        try reset()
    }

    /// An empty token labelled "phone": each enrolment begins from one, so no measured run
    /// destroys the key the run before it left.
    func reset() throws {
        try? FileManager.default.removeItem(at: tokens)
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        let initialise = Process()
        initialise.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        initialise.arguments = ["--init-token", "--free", "--label", "phone", "--pin", Self.pin, "--so-pin", "5678"]
        initialise.standardOutput = FileHandle.nullDevice
        try initialise.run()
        initialise.waitUntilExit()
        guard initialise.terminationStatus == 0 else { throw BenchmarkFailure("softhsm2-util --init-token failed") }
    }
}
