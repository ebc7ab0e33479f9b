// swift-tools-version:6.1
import PackageDescription

// Layers, each depending only downward (see ARCHITECTURE.md):
//   CMbedTLS → PhoneCrypto, PhoneWire → PhoneTrust → PhoneCore → Platform/Linux → PhoneApp → phone, PhoneSec (C API)
// Everything but the tests builds unchanged as Embedded Swift for aarch64
// (toolchain/aarch64-linux.json).
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
        .library(name: "PhoneApp", targets: ["PhoneApp"]),
        .library(name: "CUCMLab", targets: ["CUCMLab"]),
        // The C API (phonesec.h); toolchain/install-lib.sh builds it as Embedded Swift and installs it.
        .library(name: "phonesec", type: .static, targets: ["PhoneSec"]),
    ],
    targets: [
        .systemLibrary(name: "CMbedTLS", path: "Sources/CMbedTLS"),
        .target(name: "PhoneCrypto", dependencies: ["CMbedTLS"]),
        .target(name: "PhoneWire"),
        .target(name: "PhoneTrust", dependencies: ["PhoneCrypto", "PhoneWire"]),
        .target(name: "PhoneCore", dependencies: ["PhoneTrust"]),
        // The power-cut and I/O-failure hooks (PHONE_TEST_*) exist in debug builds only, which
        // the tests run; the firmware (release, Embedded) never holds them.
        // Release builds (the firmware) fortify the shim's libc calls; only this C target gets it,
        // so the Embedded importer of other C modules never sees it.
        .target(name: "CLinuxPlatform", path: "Platform/Linux/CLinuxPlatform",
                cSettings: [.define("PHONE_TEST_HOOKS", .when(configuration: .debug)),
                            .define("_FORTIFY_SOURCE", to: "2", .when(configuration: .release))]),
        .target(name: "LinuxPlatform", dependencies: ["CLinuxPlatform", "PhoneCore"], path: "Platform/Linux/LinuxPlatform"),
        .target(name: "PhoneApp", dependencies: ["PhoneCore", "LinuxPlatform"]),
        .executableTarget(name: "phone", dependencies: ["PhoneApp"]),
        // The C API: phonesec.h (CPhoneSec) and its implementation over PhoneApp's boot.
        .target(name: "CPhoneSec"),
        .target(name: "PhoneSec", dependencies: ["CPhoneSec", "PhoneApp"]),

        // Host only: the lab cluster (Foundation, SQLite, threads).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Thread-per-connection servers; Swift 5 mode keeps Sendable checking to warnings.
        // Running a program of this package to its end (the lab's demo, the tests).
        .target(name: "HostProcess"),
        .target(name: "CUCMLab", dependencies: ["LinuxPlatform", "CSQLite", "HostProcess"],
                swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "cucm-lab", dependencies: ["CUCMLab"], swiftSettings: [.swiftLanguageMode(.v5)]),

        .testTarget(name: "PhoneCryptoTests", dependencies: ["PhoneCrypto", "PhoneWire", "TestSupport"]),
        .testTarget(name: "PhoneWireTests", dependencies: ["PhoneWire", "TestSupport"]),
        .testTarget(name: "PhoneTrustTests", dependencies: ["PhoneTrust", "TestSupport"]),
        .testTarget(name: "PhoneCoreTests", dependencies: ["PhoneCore", "TestSupport"]),
        .testTarget(name: "LinuxPlatformTests", dependencies: ["LinuxPlatform", "PhoneApp", "HostProcess", "TestSupport"]),
        .testTarget(name: "CUCMLabTests", dependencies: ["CUCMLab", "PhoneApp", "TestSupport", "LabSupport"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        // The C API's entry points called from Swift, against the lab in-process.
        .testTarget(name: "PhoneSecTests", dependencies: ["PhoneSec", "CPhoneSec", "CUCMLab", "LabSupport", "TestSupport", "PhoneTrust",
                                                   "PhoneWire", "PhoneCrypto"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "PhoneAppTests", dependencies: ["PhoneApp", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["PhoneCrypto"], path: "Tests/TestSupport"),
        // A lab on loopback and a phone state directory, for the suites that boot against it.
        .target(name: "LabSupport", dependencies: ["CUCMLab", "HostProcess", "TestSupport"], path: "Tests/LabSupport",
                swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
