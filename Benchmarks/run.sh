#!/usr/bin/env bash
# Runs the whole benchmark suite (release builds) and writes the Markdown table of
# medians and ratios to Benchmarks/results.md and into docs/benchmarks.md, then checks the
# thresholds (exit 1 when one is not met). 70 to 100 s on 2 cores after the builds.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
swift build -c release --product cucm-lab
# The whole-process rows: the host release build, the x86_64 firmware (what ships) and the
# probe; the report checks every firmware binary's size.
swift build -c release --product phone
for arch in x86_64 aarch64 armv7; do toolchain/build-firmware.sh "$arch"; done
results=$(mktemp -d)
cc -O2 -Wall -o "$results/process-probe" Benchmarks/process-probe.c
# The benchmarks' lab directories go under $results/tmp, each with the lab's lab.pid.
mkdir "$results/tmp"
cleanup() {
    # A benchmark process that died before its teardown leaves its lab running: stop it by its id.
    for pidfile in "$results"/tmp/phone-bench-*/lab.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$results"
}
trap cleanup EXIT
log="$results/benchmark.log"
status=0
(cd Benchmarks && CUCM_LAB="$PWD/../.build/release/cucm-lab" TMPDIR="$results/tmp" PROCESS_PROBE="$results/process-probe" \
    PHONE_FIRMWARE="$PWD/../out/x86_64/phone" PHONE_HOST="$PWD/../.build/release/phone" \
    swift package --allow-writing-to-package-directory benchmark --no-progress \
        --format histogramPercentiles --path "$results") >"$log" 2>&1 || status=$?
# The harness exits 0 when a benchmark's setup or body throws; its output says "failed".
if [ "$status" -ne 0 ] || grep -q "failed" "$log"; then
    grep -A 3 "failed" "$log" >&2 || tail -n 40 "$log" >&2
    echo "run.sh: the benchmark run failed" >&2
    exit 1
fi
# The C API's soak: 10 000 trust checks and 1 000 channels in one process, the heap before and after.
Benchmarks/soak.sh
python3 Benchmarks/report.py "$results" --output Benchmarks/results.md --readme docs/benchmarks.md --firmware out
