#!/usr/bin/env bash
# Footprint of the firmware: each architecture's stripped binary (size, text/data/bss,
# dynamic dependencies), and the heap of one full boot with CAPF enrolment measured on the
# x86_64 firmware binary itself (valgrind: allocation count from memcheck, peak heap and
# where it is from massif), beside the host debug build for comparison.
# Usage: toolchain/footprint.sh [--massif-detail]
set -euo pipefail
cd "$(dirname "$0")/.."
# Its phone is the plain debug build (valgrind measures it), and so is its lab.
unset PHONE_HOST_BUILD
. toolchain/lib.sh
toolchain/install-deps.sh
install_packages valgrind
for arch in x86_64 aarch64 armv7; do
    [ -x "out/$arch/phone" ] || toolchain/build-firmware.sh "$arch" >/dev/null
done
build_host_tools || exit 1

for arch in x86_64 aarch64 armv7; do
    binutils=$( [ "$arch" = aarch64 ] && echo aarch64-linux-gnu- || { [ "$arch" = armv7 ] && echo arm-linux-gnueabihf-; } || true)
    echo "## $arch firmware (Embedded Swift, stripped): $(stat -c %s "out/$arch/phone") bytes"
    "${binutils}size" "out/$arch/phone" | tail -1 | awk '{ printf "text %d, data %d, bss %d bytes\n", $1, $2, $3 }'
    echo "dynamic dependencies: $(readelf -dW "out/$arch/phone" | awk '/NEEDED/ { gsub(/[\[\]]/, "", $5); printf "%s ", $5 }')"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
boot_once() {  # boot_once PHONE TOOL-PREFIX… : a fresh lab device and phone state, one full boot with enrolment
    local phone=$1
    shift
    rm -rf "$work/lab" "$work/phone"
    "$cucm_lab" init --dir "$work/lab" >/dev/null
    "$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --operation install >/dev/null
    new_lab_ports
    start_lab "$work/lab" /dev/null
    # Measured, not judged here: the console below says whether the boot completed.
    "$@" "$phone" boot --json --server "127.0.0.1:$lab_http" --mac A45630BBFA40 --state "$work/phone" \
        --mic Tests/Vectors/interop/pki/phone-mic.pem >"$work/boot.json" 2>"$work/boot.err" || true
    stop_labs
    json_has "$work/boot.json" '.event == "capfEnded" and .result == "installed"' &&
        json_has "$work/boot.json" '.event == "configApplied" and .encrypted == true' || {
        echo "the boot did not complete"; cat "$work/boot.err"; exit 1; }
}
for phone in out/x86_64/phone "$host_phone"; do
    echo "## one full boot with CAPF enrolment: $phone (valgrind)"
    boot_once "$phone" valgrind --tool=memcheck --log-file="$work/memcheck.txt"
    grep "total heap usage" "$work/memcheck.txt" | sed 's/^==[0-9]*== *//'
    boot_once "$phone" valgrind --tool=massif --threshold=2.0 --massif-out-file="$work/massif.out"
    peak=$(grep mem_heap_B "$work/massif.out" | cut -d= -f2 | sort -n | tail -1)
    echo "peak heap (massif): $peak bytes"
    if [ "${1:-}" = "--massif-detail" ]; then ms_print "$work/massif.out" | grep -A40 "(peak)" | head -60; fi
done
