import Benchmark
import Foundation
import LinuxPlatform
import PhoneCrypto

/// RSA-2048 generation alone, the step that parts the enrolment rows with the key in
/// memory from those with it on SoftHSM2: mbedTLS in the phone's process beside the
/// token's C_GenerateKeyPair (SoftHSM2 generates with OpenSSL), the token opened and
/// logged into, the pair made and its ID set, the token closed, as a CAPF install does.
func keyGenerationBenchmarks() {
    let configuration = configuration(seconds: 20, iterations: 60)
    nonisolated(unsafe) var rng: RandomGenerator?
    Benchmark("keygen_rsa2048_memory", configuration: configuration) { benchmark in
        guard let rng else { throw BenchmarkFailure("no random generator") }
        _ = try measured(benchmark) { try PrivateKey.generateRSA(bits: 2048, rng: rng) }
    } setup: {
        rng = try RandomGenerator(personalization: Array("keygen benchmark".utf8)) { buffer in
            var generator = SystemRandomNumberGenerator()
            for index in buffer.indices { buffer[index] = UInt8.random(in: 0...255, using: &generator) }
            return true
        }
    }

    nonisolated(unsafe) var work: URL?
    nonisolated(unsafe) var token: SoftHSMToken?
    Benchmark("keygen_rsa2048_softhsm", configuration: configuration) { benchmark in
        guard let token else { throw BenchmarkFailure("no token") }
        try token.reset()
        benchmark.startMeasurement()
        try measured(benchmark) {
            guard case .success(let store) = PKCS11Token.open(module: SoftHSMToken.module, label: "phone", pinFile: token.pinFile)
            else { throw BenchmarkFailure("the token did not open") }
            guard case .success = store.generate(.rsa(bits: 2048), label: "phone-lsc")
            else { throw BenchmarkFailure("the token generated no key") }
        }
        benchmark.stopMeasurement()
    } setup: {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phone-bench-keygen-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        work = directory
        token = try SoftHSMToken(in: directory)
    } teardown: {
        token = nil
        if let work { try? FileManager.default.removeItem(at: work) }
    }
}
