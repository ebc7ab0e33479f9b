#!/usr/bin/env bash
# The soak run of the C API (issue: a library lives as long as the phone is up): the x86_64
# library installed, a phone enrolled by the example against a lab, then Benchmarks/soak.c —
# 10 000 trust checks and 1 000 secure channels (open, REGISTER, answer, close) in one
# process — with the heap in use before and after. Writes Benchmarks/soak.md and the
# block of docs/benchmarks.md between <!-- soak:begin --> and <!-- soak:end -->. Exit 1 when the heap grew by
# more than 1 KB or a call failed.
set -euo pipefail
cd "$(dirname "$0")/.."
CUCM_LAB=.build/release/cucm-lab
. toolchain/lib.sh
work=$(mktemp -d)
cleanup() { stop_labs; rm -rf "$work"; }
trap cleanup EXIT
toolchain/install-lib.sh "$work/prefix" x86_64 >/dev/null
swift build -c release --product cucm-lab >/dev/null
export PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig
cc -O2 -Wall Examples/secure-register/secure-register.c $(pkg-config --cflags --libs phonesec) -o "$work/secure-register"
cc -O2 -Wall Benchmarks/soak.c $(pkg-config --cflags --libs phonesec) -o "$work/soak"
"$cucm_lab" init --dir "$work/lab" >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --profile encrypted --capf-auth auto --operation install --key rsa:2048 >/dev/null
start_lab "$work/lab" "$work/lab.log"
http=$lab_http; sip=$lab_sip
"$work/secure-register" --server "127.0.0.1:$http" --mac A4:56:30:BB:FA:40 --state "$work/phone" \
    --mic Tests/Vectors/interop/pki/phone-mic.pem >/dev/null 2>&1
openssl x509 -in "$work/lab/pki/ccm-tftp.pem" -outform der -out "$work/ccm.der"
status=0
# glibc's per-thread cache off: chunks it keeps after free() would count as in use (soak.c).
GLIBC_TUNABLES=glibc.malloc.tcache_count=0 "$work/soak" --state "$work/phone" --certificate "$work/ccm.der" --sip "127.0.0.1:$sip" >"$work/soak.out" || status=$?
cat "$work/soak.out"
value() { grep "^$1=" "$work/soak.out" | cut -d= -f2; }
size=$(stat -c %s "$work/prefix/lib/libphonesec.a")
block="| soak (one process, x86_64 libphonesec.a, loopback lab) | figure |
|---|---|
| trust checks (the CallManager certificate, call control) | $(value trust_queries), $(value trust_query_us) µs each |
| secure channels (open with the LSC, REGISTER, 200 OK, close) | $(value channels), $(value channel_ms) ms each |
| calls that failed | $(value failed_calls) |
| heap in use after the warm-up / at the end (glibc tcache off) | $(value heap_start_bytes) B / $(value heap_end_bytes) B (growth $(value heap_growth_bytes) B; at most 1024 allowed) |
| highest heap in use between two channels | $(value heap_peak_bytes) B |
| libphonesec.a (x86_64, debug sections stripped) | $size B |"
printf '%s\n' "$block" >Benchmarks/soak.md
python3 Benchmarks/markdown_block.py docs/benchmarks.md soak "$block"
exit "$status"
