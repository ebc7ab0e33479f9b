#!/usr/bin/env bash
# libFuzzer (with AddressSanitizer) on every parser and session that reads bytes from
# the network. Usage: toolchain/fuzz.sh SECONDS [TARGET…]   (default: all targets)
# Seeds: Tests/Fuzz/Corpus/<target> and Tests/RealClusterConfigs (kept in the repo) and ../shared/vectors, read in
# place. New inputs go to .build-fuzz/corpus/<target>; crashes to .build-fuzz/crashes.
# Prints one line per target (executions, coverage) and "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(signed-file trust-update enc-decrypt xml-config capf-decoder capf-session tvs-codec tvs-session tftp-packet http-response https-config)
toolchain/install-deps.sh || exit 1

out=.build-fuzz
mkdir -p "$out/modules" "$out/crashes"
flags=(-O -swift-version 6 -sanitize=fuzzer,address -parse-as-library -I "$out/modules" -I Sources/CMbedTLS)
module() {  # module NAME SOURCES…: a static library and its module, instrumented
    local name=$1
    shift
    swiftc "${flags[@]}" -module-name "$name" -emit-module -emit-module-path "$out/modules/$name.swiftmodule" \
        -emit-library -static -o "$out/modules/lib$name.a" "$@" || exit 1
}
module PhoneWire $(find Sources/PhoneWire -name '*.swift')
module PhoneCrypto Sources/PhoneCrypto/*.swift
module PhoneTrust Sources/PhoneTrust/*.swift
module PhoneCore $(find Sources/PhoneCore -name '*.swift')

passed=0
failed=0
for target in "${targets[@]}"; do
    swiftc "${flags[@]}" -module-name Fuzz "Tests/Fuzz/Targets/$target.swift" Tests/Fuzz/Support/FuzzSetup.swift \
        -L "$out/modules" -lPhoneCore -lPhoneTrust -lPhoneCrypto -lPhoneWire -lmbedtls -lmbedx509 -lmbedcrypto \
        -o "$out/$target" 2>"$out/$target.build.log" || { cat "$out/$target.build.log"; exit 1; }
    mkdir -p "$out/corpus/$target" "Tests/Fuzz/Corpus/$target"
    "$out/$target" "$out/corpus/$target" "Tests/Fuzz/Corpus/$target" Tests/RealClusterConfigs ../shared/vectors/interop ../shared/vectors/cucm-style \
        ../shared/vectors/capf -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$out/crashes/$target-" -print_final_stats=1 >"$out/$target.log" 2>&1
    status=$?
    stats=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$out/$target.log" | tail -1 | tr -s "[:space:]" " ")
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        echo "$target: ok, ${stats:-no stats}"
    else
        failed=$((failed + 1))
        echo "$target: FAILED (exit $status), see $out/$target.log"
        grep -E "ERROR|SUMMARY|==[0-9]+==" "$out/$target.log" | head -5
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
