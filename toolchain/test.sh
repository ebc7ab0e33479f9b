#!/usr/bin/env bash
# Every test: installs what it needs, builds the firmware (the phone as Embedded Swift)
# for x86_64, aarch64 and armv7, checks the rules every firmware binary keeps, runs the
# vectors and a boot with enrolment against the lab on each (x86_64 natively, ARM under
# QEMU), the C API's library, example and refusals on each, checks the Wireshark view of CAPF and TVS (key log, dissector, tshark), fuzzes
# every network parser for 30 seconds each, builds the benchmark package
# and tests its report, runs the host test suite under AddressSanitizer, then plainly.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
firmware=(x86_64 aarch64 armv7)
for arch in "${firmware[@]}"; do toolchain/build-firmware.sh "$arch"; done
toolchain/check-rules.sh out/x86_64/phone out/aarch64/phone out/armv7/phone
# The checks themselves can fail: lib.sh's check on made-up conditions, real scripts with one expectation broken.
toolchain/check-selftest.sh
swift build --build-tests
for arch in "${firmware[@]}"; do
    toolchain/firmware-vectors.sh "$arch"
    toolchain/firmware-lab-boot.sh "$arch"
    # The C API: libphonesec.a installed, the example and the refusals built with pkg-config, run against the lab.
    toolchain/capi-check.sh "$arch"
done
toolchain/wireshark-check.sh
toolchain/fuzz.sh 30
# The benchmark package must keep building against the core, and its report's threshold
# checks are tested on made-up results; the benchmarks themselves run with Benchmarks/run.sh.
swift build -c release --package-path Benchmarks
python3 Benchmarks/test_report.py
# The whole suite under AddressSanitizer. Leak checking is off: the only direct leaks
# LeakSanitizer reports are weak-reference side tables XCTest and Foundation.Process keep
# for the life of the process (everything else it lists hangs off those).
swift build --build-tests --sanitize=address --scratch-path .build-asan
ASAN_OPTIONS=detect_leaks=0 swift test --skip-build --disable-swift-testing --sanitize=address --scratch-path .build-asan
swift test --skip-build --disable-swift-testing
