#!/usr/bin/env bash
# Every test: installs what it needs, checks the repository's copy of the vectors, builds
# the firmware (the phone as Embedded Swift) for x86_64, aarch64 and armv7, checks the
# rules every firmware binary keeps and that the checks themselves can fail, runs the
# vectors, a boot with enrolment against the lab and the C API (library, example,
# refusals) on each (x86_64 natively, ARM under QEMU), boots the ARM firmware on emulated
# boards (power cuts included), keeps the keys on PKCS#11 tokens (SoftHSM2, a software TPM), checks the Wireshark view of CAPF,
# TVS and HTTPS, fuzzes every network parser, builds the benchmark package and tests its
# report, and runs the host test suite under AddressSanitizer. Ends with what each step cost.
set -euo pipefail
cd "$(dirname "$0")/.."
timings=()
step() {  # step COMMAND…: runs it, and notes its seconds for the closing table
    local started=$SECONDS
    "$@"
    timings+=("$(printf '%5d s  %s' $((SECONDS - started)) "$*")")
}
# together COMMAND…: jobs at once, so that the two cores stay busy (most keep about one core
# busy: QEMU's TCG runs an emulated board on one thread, a Swift compiler mostly one module
# at a time); each job's output is printed whole, in order, with the seconds it took (where
# one ends long before the others, a core idled); all run to their end; fails when any fails.
together() {
    local began=$SECONDS logs=() pids=() command index failed=0 took=()
    for command in "$@"; do
        logs+=("$(mktemp)")
        bash -c 'started=$SECONDS; bash -c "$1"; status=$?; echo "($((SECONDS - started)) s: $1)"; exit $status' \
            together "$command" >"${logs[-1]}" 2>&1 &
        pids+=("$!")
    done
    for index in "${!pids[@]}"; do
        wait "${pids[$index]}" || failed=1
        cat "${logs[$index]}"
        took+=("$(tail -1 "${logs[$index]}")")
        rm -f "${logs[$index]}"
    done
    timings+=("$(printf '%5d s  together: %s' $((SECONDS - began)) "${took[*]}")")
    return "$failed"
}
started=$SECONDS
step toolchain/install-deps.sh
# The repository's copy of the interop vectors equals ../shared/vectors when that is beside it.
step toolchain/vectors-check.sh
# The builds, four at once: per architecture the firmware, then its C library (installed
# here for capi-check, whose own install then finds it up to date) and, for ARM, the
# emulated board (Debian's kernel and busybox unpacked, the firmware in its initramfs);
# and the one host build, under AddressSanitizer: the tests, and the lab and the host
# `phone` every check below runs (PHONE_HOST_BUILD), so their runs are checked for memory
# errors too. Each firmware and library build is mostly one Swift compiler at a time
# (whole-module release builds, then the firmware's LTO link): four at once keep both cores
# busy nearly to the end (the last ran alone for its final 18 s in the run README gives),
# where two lanes of three left one core idle for 30 s.
together "toolchain/build-firmware.sh x86_64 && toolchain/install-lib.sh out/lib/x86_64 x86_64" \
         "toolchain/build-firmware.sh aarch64 && toolchain/install-lib.sh out/lib/aarch64 aarch64 && toolchain/board.sh build aarch64" \
         "toolchain/build-firmware.sh armv7 && toolchain/install-lib.sh out/lib/armv7 armv7 && toolchain/board.sh build armv7" \
         "swift build --build-tests --sanitize=address --scratch-path .build-asan"
# Leak checking is off in the host build's programs: the only direct leaks LeakSanitizer
# reports are weak-reference side tables XCTest and Foundation.Process keep for the life of
# the process (everything else it lists hangs off those).
export PHONE_HOST_BUILD=.build-asan/debug ASAN_OPTIONS=detect_leaks=0
step toolchain/check-rules.sh out/x86_64/phone out/aarch64/phone out/armv7/phone
# The checks themselves can fail: lib.sh's check on made-up conditions, real scripts with one expectation broken.
step toolchain/check-selftest.sh
# On each architecture: the vectors, a boot against the lab, and the C API (libphonesec.a
# installed, the example and the refusals built with pkg-config, run against the lab); the
# three at once (QEMU's user mode runs an ARM program on one thread; x86_64's waits on its
# labs more than it computes), each against labs of its own on free loopback ports.
per_arch() { printf 'toolchain/firmware-vectors.sh %s && toolchain/firmware-lab-boot.sh %s && toolchain/capi-check.sh %s' "$1" "$1" "$1"; }
together "$(per_arch x86_64)" "$(per_arch aarch64)" "$(per_arch armv7)"
# The phone on an emulated board (qemu-system): its own kernel, flash, network, reboots,
# power cuts and clock (toolchain/board.sh); each board's check in its two parts, the four
# at once (each QEMU runs on one thread: four keep both cores busy to the end, where two
# boards left one core idle for the armv7 board's last 70 s).
together "toolchain/board-check.sh aarch64 --part 1" "toolchain/board-check.sh aarch64 --part 2" \
         "toolchain/board-check.sh armv7 --part 1" "toolchain/board-check.sh armv7 --part 2"
# The private keys on a PKCS#11 token (SoftHSM2, a software TPM): enrolment, decryption and
# TLS with the keys in the token, orphans, a CAPF delete, the token's faults; the Wireshark
# view. Alone they keep about one core busy for 31 s; beside them, the benchmark package's
# build (it must keep building against the core; a debug build proves that, the benchmarks
# themselves run release builds with Benchmarks/run.sh).
together "toolchain/token-check.sh && toolchain/tpm-check.sh && toolchain/wireshark-check.sh" "swift build --package-path Benchmarks"
# The report's threshold checks, on made-up results.
step python3 Benchmarks/test_report.py
# Fuzzing here is a smoke test of every parser on its corpus (15 s a target); the long
# campaigns are `toolchain/fuzz.sh 600` (docs/measurements.md has their table). Its targets
# keep LeakSanitizer on.
step env -u ASAN_OPTIONS toolchain/fuzz.sh 15
# The whole suite under AddressSanitizer (it runs every test the plain suite would, and
# finds memory errors besides), four tests at a time in processes of their own: many tests
# wait on the network and on the phone's timeouts, so four workers keep both cores busy
# (every test makes its own temporary directories and takes free loopback ports).
step swift test --skip-build --disable-swift-testing --sanitize=address --scratch-path .build-asan --parallel --num-workers 4
echo "test.sh: what each step cost"
printf '%s\n' "${timings[@]}"
echo "test.sh: $((SECONDS - started)) s in all"
