#!/usr/bin/env bash
# Every test: installs what it needs, builds the core and the phone as Embedded Swift
# for aarch64 and checks the vectors and a boot against the lab under QEMU, fuzzes
# every network parser for 30 seconds each, then runs the host test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
toolchain/build-aarch64.sh
toolchain/qemu-vectors.sh
swift build --build-tests
toolchain/qemu-lab-boot.sh
toolchain/fuzz.sh 30
swift test --skip-build --disable-swift-testing
