// swift-tools-version:6.1
import Foundation
import PackageDescription

// The phone core's benchmarks, side by side with a bare-mbedTLS floor, an OpenSSL
// reference and libxml2's reader. A package of its own so the product never depends on
// the benchmark harness. `run.sh` runs the suite and writes the Markdown table.

// A path dependency's identity is its folder's name, which is whatever the clone was
// called; work it out rather than assume "main".
let coreDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let core = coreDirectory.lastPathComponent.lowercased()

let package = Package(
    name: "PhoneCoreBenchmarks",
    dependencies: [
        .package(path: ".."),
        // The env doc: malloc counting needs this trait (and tools 6.1).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
    ],
    targets: [
        // The same .enc.sgn steps on bare mbedTLS primitives: the floor for the core.
        .target(name: "EncSgnFloor", linkerSettings: [.linkedLibrary("mbedcrypto"), .linkedLibrary("mbedx509")]),
        // The same steps on OpenSSL's libcrypto.
        .target(name: "OpenSSLReference", dependencies: ["EncSgnFloor"], linkerSettings: [.linkedLibrary("crypto")]),
        // libxml2's streaming reader over the same XML.
        .target(name: "LibXML2Reference", cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])],
                linkerSettings: [.linkedLibrary("xml2")]),
        .executableTarget(
            name: "PhoneCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "PhoneCrypto", package: core),
                .product(name: "PhoneWire", package: core),
                .product(name: "PhoneTrust", package: core),
                .product(name: "LinuxPlatform", package: core),
                .product(name: "PhoneApp", package: core),
                .product(name: "CUCMLab", package: core),
                "EncSgnFloor", "OpenSSLReference", "LibXML2Reference",
            ],
            path: "Benchmarks/PhoneCoreBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
