#!/usr/bin/env bash
# Footprint of the phone: the stripped aarch64 binary's text/data/bss and dynamic
# dependencies, and the heap of one full boot with CAPF enrolment (host build under
# valgrind: allocation count from memcheck, peak heap from massif).
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
toolchain/install-deps.sh
install_packages valgrind
toolchain/build-aarch64.sh >/dev/null
swift build --product phone >/dev/null
swift build --product cucm-lab >/dev/null

echo "## aarch64 phone (Embedded Swift, stripped)"
aarch64-linux-gnu-size out/aarch64/phone | tail -1 | awk '{ printf "text %d, data %d, bss %d bytes\n", $1, $2, $3 }'
echo "file size: $(stat -c %s out/aarch64/phone) bytes"
echo "dynamic dependencies: $(aarch64-linux-gnu-readelf -d out/aarch64/phone | awk '/NEEDED/ { gsub(/[\[\]]/, "", $5); printf "%s ", $5 }')"

work=$(mktemp -d)
lab=.build/debug/cucm-lab
boot_once() {  # boot_once TOOL-PREFIX… : a fresh lab device and phone state, one full boot with enrolment
    rm -rf "$work/lab" "$work/phone"
    $lab init --dir "$work/lab" >/dev/null
    $lab device add SEPA45630BBFA40 --dir "$work/lab" --operation install >/dev/null
    local http capf
    http=$(free_port); capf=$(free_port)
    $lab serve --dir "$work/lab" --http-port "$http" --capf-port "$capf" >/dev/null 2>&1 &
    local server=$!
    wait_for_port "$http"
    "$@" .build/debug/phone boot --server "127.0.0.1:$http" --mac A45630BBFA40 --state "$work/phone" \
        --mic ../shared/vectors/interop/pki/phone-mic.pem >/dev/null 2>"$work/boot.err" || true
    stop_process "$server"
}
echo "## one full boot with CAPF enrolment (host debug build, valgrind)"
boot_once valgrind --tool=memcheck --log-file="$work/memcheck.txt"
grep -q "LSC installed" "$work/boot.err" && grep -q "decrypted" "$work/boot.err" || { echo "the boot did not complete"; cat "$work/boot.err"; exit 1; }
grep "total heap usage" "$work/memcheck.txt" | sed 's/^==[0-9]*== *//'
boot_once valgrind --tool=massif --massif-out-file="$work/massif.out"
peak=$(grep mem_heap_B "$work/massif.out" | cut -d= -f2 | sort -n | tail -1)
echo "peak heap (massif): $peak bytes"
rm -rf "$work"
