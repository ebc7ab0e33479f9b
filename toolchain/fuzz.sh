#!/usr/bin/env bash
# libFuzzer (with AddressSanitizer) on every parser and session that reads bytes from
# the network. Usage: toolchain/fuzz.sh SECONDS [TARGET…]   (default: all targets)
# Seeds: Tests/Fuzz/Corpus/<target>, Tests/RealClusterConfigs and Tests/Vectors (kept in the repo), read in
# place. New inputs go to .build-fuzz/corpus/<target>; crashes to .build-fuzz/crashes.
# Two targets run at a time (one a core). Prints one line per target (executions,
# coverage) and "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(signed-file trust-update enc-decrypt xml-config capf-decoder capf-session tvs-codec tvs-session tftp-packet http-response https-config image-stream)
toolchain/install-deps.sh || exit 1

out=.build-fuzz
mkdir -p "$out/modules/CExternalKey" "$out/crashes"
# The key hook (C, instrumented as the Swift is) and a module map for it, as SwiftPM makes one.
printf 'module CExternalKey {\n    header "%s"\n    export *\n}\n' "$PWD/Sources/CExternalKey/include/external_key.h" \
    >"$out/modules/CExternalKey/module.modulemap"
clang -O1 -fsanitize=fuzzer-no-link,address -I Sources/CExternalKey/include -c Sources/CExternalKey/external_key.c \
    -o "$out/modules/external_key.o" || exit 1
ar rcs "$out/modules/libCExternalKey.a" "$out/modules/external_key.o"
flags=(-O -swift-version 6 -sanitize=fuzzer,address -parse-as-library -I "$out/modules" -I "$out/modules/CExternalKey"
       -I Sources/CMbedTLS)
module() {  # module NAME SOURCES…: a static library and its module, instrumented
    local name=$1
    shift
    swiftc "${flags[@]}" -j 2 -module-name "$name" -emit-module -emit-module-path "$out/modules/$name.swiftmodule" \
        -emit-library -static -o "$out/modules/lib$name.a" "$@" || exit 1
}
# PhoneWire and PhoneCrypto depend on nothing of each other: both at once (one a core).
module PhoneWire $(find Sources/PhoneWire -name '*.swift') &
wire=$!
module PhoneCrypto Sources/PhoneCrypto/*.swift &
crypto=$!
wait "$wire" && wait "$crypto" || exit 1
module PhoneTrust Sources/PhoneTrust/*.swift
module PhoneCore $(find Sources/PhoneCore -name '*.swift')

. toolchain/lib.sh
fuzz_one() {  # fuzz_one TARGET: builds and runs one target; "ok, STATS" or why not in $out/TARGET.result
    local target=$1 status=0 stats
    swiftc "${flags[@]}" -module-name Fuzz "Tests/Fuzz/Targets/$target.swift" Tests/Fuzz/Support/FuzzSetup.swift \
        -L "$out/modules" -lPhoneCore -lPhoneTrust -lPhoneCrypto -lPhoneWire -lCExternalKey -lmbedtls -lmbedx509 -lmbedcrypto \
        -o "$out/$target" 2>"$out/$target.build.log" || { echo "does not build, see $out/$target.build.log" >"$out/$target.result"; return; }
    mkdir -p "$out/corpus/$target" "Tests/Fuzz/Corpus/$target"
    "$out/$target" "$out/corpus/$target" "Tests/Fuzz/Corpus/$target" Tests/RealClusterConfigs Tests/Vectors/interop Tests/Vectors/cucm-style \
        Tests/Vectors/capf Tests/Vectors/loads -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$out/crashes/$target-" -print_final_stats=1 >"$out/$target.log" 2>&1 || status=$?
    stats=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$out/$target.log" | tail -1 | tr -s "[:space:]" " ")
    # A run that ends well must also have fuzzed: libFuzzer's closing "#N DONE" with N > 0.
    if [ "$status" -ne 0 ]; then echo "FAILED (exit $status), see $out/$target.log"
    elif [[ "$stats" =~ ^#([0-9]+)\ DONE ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then echo "ok, $stats"
    else echo "FAILED: no executions reported, see $out/$target.log"; fi >"$out/$target.result"
}
# Two targets at a time: one a core.
running=0
for target in "${targets[@]}"; do
    rm -f "$out/$target.result"
    if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
    fuzz_one "$target" &
    running=$((running + 1))
done
wait
for target in "${targets[@]}"; do
    result=$(cat "$out/$target.result" 2>/dev/null || echo "no result")
    echo "$target: $result"
    check "$target: $seconds s without a crash, leak or time-out" test "${result%%,*}" = ok
    [ "${result%%,*}" = ok ] || grep -E "ERROR|SUMMARY|==[0-9]+==" "$out/$target.log" 2>/dev/null | head -5
done
summary fuzz
