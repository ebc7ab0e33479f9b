// swift-tools-version:6.1
import PackageDescription

// Layers, each depending only downward (see ARCHITECTURE.md):
//   CMbedTLS → PhoneCrypto, PhoneWire → PhoneTrust → PhoneCore → Platform/Linux → PhoneRuntime → PhoneApp → phone;
//   PhoneRuntime → PhoneSec (the C API)
// Everything but the lab and the tests builds unchanged as Embedded Swift for x86_64, aarch64
// and armv7 (one toolset each in toolchain/firmware/).
let package = Package(
    name: "PhoneSecurityCore",
    products: [
        .executable(name: "phone", targets: ["phone"]),
        .executable(name: "cucm-lab", targets: ["cucm-lab"]),
        .library(name: "PhoneCrypto", targets: ["PhoneCrypto"]),
        .library(name: "PhoneWire", targets: ["PhoneWire"]),
        .library(name: "PhoneTrust", targets: ["PhoneTrust"]),
        // For Benchmarks/ (its own package): the phone program in-process, the lab's PKI and device table.
        .library(name: "LinuxPlatform", targets: ["LinuxPlatform"]),
        .library(name: "PhoneApp", targets: ["PhoneApp", "PhoneRuntime"]),
        .library(name: "CUCMLab", targets: ["CUCMLab"]),
        // The C API (phonesec.h); toolchain/install-lib.sh builds it as Embedded Swift and installs it.
        .library(name: "phonesec", type: .static, targets: ["PhoneSec"]),
    ],
    dependencies: [
        // The lab's command line (host only; the firmware's `phone` keeps its own parser).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CMbedTLS", path: "Sources/CMbedTLS"),
        // The one hook that lets mbedTLS 2.28 use a key kept outside the process (a token's).
        .target(name: "CExternalKey", dependencies: ["CMbedTLS"]),
        .target(name: "PhoneCrypto", dependencies: ["CMbedTLS", "CExternalKey"]),
        .target(name: "PhoneWire"),
        .target(name: "PhoneTrust", dependencies: ["PhoneCrypto", "PhoneWire"]),
        .target(name: "PhoneCore", dependencies: ["PhoneTrust"]),
        // The power-cut and I/O-failure hooks (PHONE_TEST_*) exist in debug builds only, which
        // the tests run; the firmware (release, Embedded) never holds them.
        // Release builds (the firmware) fortify the shim's libc calls; only this C target gets it,
        // so the Embedded importer of other C modules never sees it.
        .target(name: "CLinuxPlatform", dependencies: ["CExternalKey"], path: "Platform/Linux/CLinuxPlatform",
                cSettings: [.define("PHONE_TEST_HOOKS", .when(configuration: .debug)),
                            .define("_FORTIFY_SOURCE", to: "2", .when(configuration: .release))]),
        // A TLS key log (every session's secrets, for Wireshark) is a debug build's: the tests
        // use it; the firmware and the C library (release) never write one.
        .target(name: "LinuxPlatform", dependencies: ["CLinuxPlatform", "PhoneCore"], path: "Platform/Linux/LinuxPlatform",
                swiftSettings: [.define("PHONE_KEY_LOG", .when(configuration: .debug))]),
        // What the `phone` program and the C API share: the whole boot on the Linux board, the
        // state files, the failures, and the words of every event (Text/).
        .target(name: "PhoneRuntime", dependencies: ["PhoneCore", "LinuxPlatform"]),
        .target(name: "PhoneApp", dependencies: ["PhoneRuntime"]),
        .executableTarget(name: "phone", dependencies: ["PhoneApp", "PhoneRuntime"]),
        // The C API: phonesec.h (CPhoneSec) and its implementation over the runtime.
        .target(name: "CPhoneSec"),
        .target(name: "PhoneSec", dependencies: ["CPhoneSec", "PhoneRuntime"]),

        // Host only: the lab cluster (Foundation, SQLite, threads).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Running a program of this package to its end (the lab's demo, the tests).
        .target(name: "HostProcess"),
        // Thread-per-connection servers, in Swift 6 language mode: what threads share is
        // Sendable or behind a lock.
        .target(name: "CUCMLab", dependencies: ["LinuxPlatform", "CSQLite", "HostProcess",
                                                .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "cucm-lab", dependencies: ["CUCMLab"]),

        .testTarget(name: "PhoneCryptoTests", dependencies: ["PhoneCrypto", "PhoneWire", "TestSupport"]),
        .testTarget(name: "PhoneWireTests", dependencies: ["PhoneWire", "TestSupport"]),
        .testTarget(name: "PhoneTrustTests", dependencies: ["PhoneTrust", "TestSupport"]),
        .testTarget(name: "PhoneCoreTests", dependencies: ["PhoneCore", "TestSupport"]),
        .testTarget(name: "LinuxPlatformTests", dependencies: ["LinuxPlatform", "PhoneApp", "PhoneRuntime", "HostProcess", "TestSupport"]),
        // The lab's own pieces (its SIP reading, `cucm-lab serve` as a process).
        .testTarget(name: "CUCMLabTests", dependencies: ["CUCMLab", "HostProcess", "TestSupport", "LabSupport"]),
        // The phone's end-to-end security suites: the built `phone` against the lab (enrolment,
        // TVS, HTTPS, the evil cluster, power cuts, secrets on consoles).
        .testTarget(name: "EndToEndSecurityTests", dependencies: ["CUCMLab", "PhoneApp", "TestSupport", "LabSupport"]),
        // The C API's entry points called from Swift, against the lab in-process.
        .testTarget(name: "PhoneSecTests", dependencies: ["PhoneSec", "CPhoneSec", "CUCMLab", "HostProcess", "LabSupport", "TestSupport", "PhoneTrust",
                                                   "PhoneWire", "PhoneCrypto"]),
        .testTarget(name: "PhoneAppTests", dependencies: ["PhoneApp", "PhoneRuntime", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["PhoneCrypto"], path: "Tests/TestSupport"),
        // A lab on loopback and a phone state directory, for the suites that boot against it.
        .target(name: "LabSupport", dependencies: ["CUCMLab", "HostProcess", "TestSupport"], path: "Tests/LabSupport"),
    ]
)
