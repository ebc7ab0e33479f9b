#!/usr/bin/env bash
# Every test: installs what it needs, builds the core and the phone as Embedded Swift
# for aarch64 and checks the vectors and a boot against the lab under QEMU, fuzzes
# every network parser for 30 seconds each, builds the benchmark package and tests its
# report, runs the host test suite under AddressSanitizer, then runs it plainly.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
toolchain/build-aarch64.sh
toolchain/check-rules.sh out/aarch64/phone
toolchain/qemu-vectors.sh
swift build --build-tests
toolchain/qemu-lab-boot.sh
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
