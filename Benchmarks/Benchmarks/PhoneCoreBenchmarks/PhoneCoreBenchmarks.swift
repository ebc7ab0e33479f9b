import Benchmark
import EncSgnFloor
import Foundation
import LibXML2Reference
import OpenSSLReference
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// Every benchmark reports these; the time units are fixed to nanoseconds so the
/// exported percentiles are exact integers for `report.py`. The harness's own CPU
/// metric ticks in 10 ms steps here, too coarse for millisecond calls, so CPU time is
/// the measuring thread's own clock (the lab runs in another process; the phone has no
/// threads of its own).
let peakHeapMetric = BenchmarkMetric.custom("peak heap above baseline (bytes)", polarity: .prefersSmaller,
                                            useScalingFactor: false)
let threadCPUMetric = BenchmarkMetric.custom("thread CPU time (ns)", polarity: .prefersSmaller, useScalingFactor: false)
let metrics: [BenchmarkMetric] = [.wallClock, threadCPUMetric, .mallocCountTotal, .peakMemoryResident, peakHeapMetric]

func configuration(seconds: Int, iterations: Int) -> Benchmark.Configuration {
    .init(metrics: metrics, timeUnits: .nanoseconds,
          units: [.mallocCountTotal: .count, .peakMemoryResident: .count, peakHeapMetric: .count, threadCPUMetric: .count],
          warmupIterations: 3, scalingFactor: .one,
          maxDuration: .seconds(seconds), maxIterations: iterations)
}

func threadCPUTime() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

/// One measured call: its CPU time and peak heap go to the custom metrics.
func measured<Result>(_ benchmark: Benchmark, _ body: () throws -> Result) rethrows -> Result {
    let start = threadCPUTime()
    let (result, peak) = try PeakHeap.measure(body)
    benchmark.measurement(threadCPUMetric, threadCPUTime() - start)
    benchmark.measurement(peakHeapMetric, peak)
    blackHole(result)
    return result
}

let benchmarks: @Sendable () -> Void = {
    let quick = configuration(seconds: 3, iterations: 2_000)

    // MARK: Trust lists: parse, parse every record's certificate, verify the signature.
    let trustLists: [(name: String, path: String?, kind: TrustListKind, servedAs: String)] = [
        ("itl_interop", "interop/ITLFile.tlv", .itl, "ITLFile.tlv"),
        ("itl_interop_per_device", "interop/ITLSEPA45630BBFA40.tlv", .itl, "ITLSEPA45630BBFA40.tlv"),
        ("ctl_interop", "interop/CTLFile.tlv", .ctl, "CTLFile.tlv"),
        ("itl_cucm_style", "cucm-style/ITLFile.tlv", .itl, "ITLFile.tlv"),
        ("itl_50_records", nil, .itl, "ITLFile.tlv"),
    ]
    for list in trustLists {
        nonisolated(unsafe) var bytes: [UInt8] = []
        Benchmark("trustlist_" + list.name, configuration: quick) { benchmark in
            _ = try measured(benchmark) { try TrustStore.verifySelfConsistent(bytes, kind: list.kind, servedAs: list.servedAs) }
        } setup: {
            bytes = list.path.map(Inputs.vector) ?? Inputs.fiftyRecordITL()
        }
    }

    for size in Inputs.Size.allCases {
        // MARK: .sgn: parse, filename, signer lookup in the ITL, signature.
        nonisolated(unsafe) var signed: [UInt8] = []
        Benchmark("sgn_verify_" + size.rawValue, configuration: quick) { benchmark in
            _ = try measured(benchmark) { try Inputs.store.verifyConfiguration(signed, servedAs: Inputs.sgnName) }
        } setup: {
            signed = Inputs.signed(size)
        }

        // MARK: .enc.sgn: verify, unwrap the key, decrypt, check the digest.
        nonisolated(unsafe) var encrypted: [UInt8] = []
        Benchmark("encsgn_core_" + size.rawValue, configuration: quick) { benchmark in
            _ = try measured(benchmark) {
                let verified = try Inputs.store.verifyConfiguration(encrypted, servedAs: Inputs.encSgnName)
                return try EncryptedConfig.decrypt(verified, privateKey: Inputs.phone.privateKey, rng: Inputs.rng)
            }
        } setup: {
            encrypted = Inputs.encrypted(size)
        }

        // The same steps with no parsing or copying: on bare mbedTLS (the floor) and on OpenSSL.
        for (name, library) in [("encsgn_floor_mbedtls_", BareInput.Library.mbedTLSFloor), ("encsgn_openssl_", .openSSL)] {
            nonisolated(unsafe) var input = BareInput()
            Benchmark(name + size.rawValue, configuration: quick) { benchmark in
                _ = try measured(benchmark) { try input.decrypt() }
            } setup: {
                input = try BareInput(Inputs.encrypted(size), on: library)
            } teardown: {
                input.release()
            }
        }

        // MARK: XML into the configuration model, and libxml2's reader over the same bytes.
        nonisolated(unsafe) var xml: [UInt8] = []
        Benchmark("xml_core_" + size.rawValue, configuration: quick) { benchmark in
            _ = try measured(benchmark) { try DeviceConfiguration.parse(xml) }
        } setup: {
            xml = Inputs.configuration(size)
        }
        Benchmark("xml_libxml2_reader_" + size.rawValue, configuration: quick) { benchmark in
            _ = try measured(benchmark) {
                let elements = xml.withUnsafeBufferPointer { libxml2_reference_walk($0.baseAddress, $0.count) }
                guard elements > 0 else { throw BenchmarkFailure("libxml2 rejected the configuration") }
                return elements
            }
        } setup: {
            xml = Inputs.configuration(size)
            libxml2_reference_init()
        }
    }

    // MARK: Loopback against the lab (a child process): CAPF enrolment and whole boots.
    // The rows with "_softhsm" keep the phone's key on a SoftHSM2 token (every private
    // operation there, each run loading the module); the others hold it in memory.
    for token in [false, true] {
        let suffix = token ? "_softhsm" : ""
        for (name, key) in [("capf_enroll_rsa2048", "rsa:2048"), ("capf_enroll_ecp256", "ec:P-256")] {
            loopbackBenchmark(name + suffix, token: token, prepare: { lab in
                try lab.token?.reset()
                try lab.scheduleInstall(key: key)
                return try lab.freshState("capf")
            }, phone: { lab, state in lab.capf(state: state) })
        }
        loopbackBenchmark("boot_with_enrollment" + suffix, token: token, prepare: { lab in
            try lab.token?.reset()
            try lab.scheduleInstall(key: "rsa:2048")
            return try lab.freshState("boot")
        }, phone: { lab, state in lab.boot(state: state) })
        // The .enc.sgn the lab serves for the LSC one enrolling boot installed: its key
        // unwrapped with the LSC's private key (RSA PKCS#1 v1.5), the rest as any decrypt.
        loopbackBenchmark("decrypt_served_config" + suffix, token: token, prepareLab: { lab in
            try enrol(lab, key: "rsa:2048")
            try lab.fetchEncryptedConfiguration(to: lab.work.appendingPathComponent("served.enc.sgn").path)
        }, prepare: { lab in lab.work.appendingPathComponent("enrolled").path },
           phone: { lab, state in lab.decrypt(lab.work.appendingPathComponent("served.enc.sgn").path, state: state) })
        // The boots after an EC P-256 enrolment: the configuration over HTTPS, whose TLS
        // handshake the phone's LSC signs (ECDSA) as its client certificate.
        loopbackBenchmark("boot_https_without_enrollment" + suffix, ec: true, token: token, prepareLab: { lab in
            try enrol(lab, key: "ec:P-256")
        }, prepare: { lab in lab.work.appendingPathComponent("enrolled").path }, phone: { lab, state in lab.boot(state: state) })
    }
    // One enrolling boot first: afterwards the phone holds an LSC whose MD5 the cluster
    // has, and each measured boot goes straight to the .enc.sgn.
    loopbackBenchmark("boot_without_enrollment", prepareLab: { lab in try enrol(lab, key: "rsa:2048") },
                      prepare: { lab in lab.work.appendingPathComponent("enrolled").path }, phone: { lab, state in lab.boot(state: state) })

    // The EC path of CUCM 12.5+ (formats.md §5): an EC P-256 LSC from CAPF, then the
    // configuration over HTTPS with it.
    loopbackBenchmark("boot_with_ec_enrollment_https", ec: true, prepare: { lab in
        try lab.scheduleInstall(key: "ec:P-256")
        return try lab.freshState("boot")
    }, phone: { lab, state in lab.boot(state: state) })

    keyGenerationBenchmarks()

    // MARK: Whole processes: the firmware binary beside the host build.
    wholeProcessBenchmarks()
}

/// An enrolling boot with an install of `key` into the state directory "enrolled" of `lab`.
func enrol(_ lab: LabCluster, key: String) throws {
    try lab.scheduleInstall(key: key)
    let status = lab.boot(state: try lab.freshState("enrolled"))
    guard status == 0 else { throw BenchmarkFailure("the enrolling boot exited \(status)") }
}

/// A benchmark with a lab of its own: `prepareLab` runs once after the lab starts;
/// `prepare` (not measured) readies each run and returns the phone's state directory;
/// `phone` is the measured run, whose exit status must be 0.
func loopbackBenchmark(_ name: String, ec: Bool = false, token: Bool = false,
                       prepareLab: @escaping (LabCluster) throws -> Void = { _ in },
                       prepare: @escaping (LabCluster) throws -> String,
                       phone: @escaping (LabCluster, String) -> Int32) {
    labBenchmark(name, configuration: configuration(seconds: 20, iterations: 60), ec: ec, token: token, prepareLab: prepareLab,
                 prepare: prepare) { benchmark, lab, state in
        benchmark.startMeasurement()
        let status = measured(benchmark) { phone(lab, state) }
        benchmark.stopMeasurement()
        guard status == 0 else { throw BenchmarkFailure(name + ": the phone exited \(status)") }
    }
}

/// The lab's life around a benchmark: started in setup, stopped in teardown; each run
/// gets the state directory `prepare` returns.
func labBenchmark(_ name: String, configuration: Benchmark.Configuration, ec: Bool = false, token: Bool = false,
                  prepareLab: @escaping (LabCluster) throws -> Void,
                  prepare: @escaping (LabCluster) throws -> String,
                  run: @escaping (Benchmark, LabCluster, String) throws -> Void) {
    nonisolated(unsafe) var lab: LabCluster?
    Benchmark(name, configuration: configuration) { benchmark in
        guard let lab else { throw BenchmarkFailure("no lab") }
        try run(benchmark, lab, try prepare(lab))
    } setup: {
        let cluster = try LabCluster(ec: ec, token: token)
        lab = cluster
        try prepareLab(cluster)
    } teardown: {
        lab?.stop()
        lab = nil
    }
}
