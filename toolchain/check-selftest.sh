#!/usr/bin/env bash
# The checks can fail: toolchain/lib.sh's check, check_equal and summary on made-up
# conditions, then real check scripts run with one expectation broken on purpose
# (PHONE_CHECK_BREAK), which must turn their summary red and name that check alone; and
# every mutation line of toolchain/mutations.tsv still applies.
# Needs out/x86_64/phone (toolchain/build-firmware.sh x86_64).
# Usage: toolchain/check-selftest.sh   Prints "check-selftest: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
unset PHONE_CHECK_BREAK
. toolchain/lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# scenario NAME BREAK BODY: runs BODY (shell text using check, check_equal, summary) in a
# fresh bash with lib.sh and PHONE_CHECK_BREAK=BREAK; prints "EXIT-STATUS FAIL-LINES".
scenario() {
    local status=0
    PHONE_CHECK_BREAK=$2 bash -c '. toolchain/lib.sh; '"$3" >"$work/$1.out" 2>&1 || status=$?
    echo "$status $(grep -c '^FAIL' "$work/$1.out")"
}
check_equal "a command that fails fails its check" "1 1" "$(scenario failing "" 'check "x" false; summary s')"
check_equal "a command that holds passes its check" "0 0" "$(scenario holding "" 'check "x" true; summary s')"
check_equal "unequal texts fail check_equal" "1 1" "$(scenario unequal "" 'check_equal "x" a b; summary s')"
check_equal "not and exits" "0 0" "$(scenario helpers "" 'check "x" not false; check "y" exits 3 bash -c "exit 3"; summary s')"
check_equal "a wrong exit status fails exits" "1 1" "$(scenario wrong-exit "" 'check "y" exits 3 true; summary s')"
check_equal "PHONE_CHECK_BREAK turns the check it names red, only that one" "1 1" \
    "$(scenario broken "second" 'check "first" true; check "second" true; check_equal "third" a a; summary s')"
check "… and names it as broken on purpose" grep -q "^FAIL: second (broken on purpose" "$work/broken.out"
check_equal "a PHONE_CHECK_BREAK that names no check fails the summary" "1 0" \
    "$(scenario unmatched "nothing like it" 'check "first" true; summary s')"
check_equal "the summary line is the plain closing line" "s: 2 passed, 1 failed" \
    "$(scenario summary-line "" 'check "a" true; check "b" true; check "c" false; summary s' >/dev/null; tail -1 "$work/summary-line.out")"

# Real scripts, one expectation broken each.
broken_script() {  # broken_script NAME BREAK COMMAND…: "EXIT-STATUS FAIL-LINES LINES-NAMING-BREAK"
    local name=$1 break=$2 status=0
    shift 2
    PHONE_CHECK_BREAK=$break "$@" >"$work/$name.out" 2>&1 || status=$?
    echo "$status $(grep -c '^FAIL' "$work/$name.out") $(grep -c "^FAIL: .*$break" "$work/$name.out")"
}
check_equal "check-rules.sh with one rule broken goes red" "1 1 1" \
    "$(broken_script rules "is position-independent" toolchain/check-rules.sh out/x86_64/phone)"
check_equal "firmware-vectors.sh with one vector's expectation broken goes red" "1 1 1" \
    "$(broken_script vectors "tampered body" toolchain/firmware-vectors.sh x86_64)"
# The mutation check's lines still name code that exists (toolchain/mutate.sh is not in the
# test command; a line that no longer applies would only show there).
check "every line of toolchain/mutations.tsv applies to the tree" python3 toolchain/apply_mutation.py --check toolchain/mutations.tsv
summary check-selftest
