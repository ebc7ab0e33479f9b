#!/usr/bin/env bash
# Rules the firmware keeps that no compiler checks (ARCHITECTURE.md, "Rules the code keeps"):
# - the fault-injection hooks (PHONE_TEST_*) never reach a firmware binary;
# - code shared with the Embedded build builds text by concatenation, never interpolation.
# Usage: toolchain/check-rules.sh FIRMWARE-BINARY…   Prints "rules: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
for binary in "$@"; do
    if grep -a -q PHONE_TEST_ "$binary"; then
        failed=$((failed + 1)); echo "FAIL: $binary holds a PHONE_TEST_ hook"
    else
        passed=$((passed + 1))
    fi
done
shared=(Sources/PhoneCrypto Sources/PhoneWire Sources/PhoneTrust Sources/PhoneCore Sources/PhoneApp Sources/phone
        Platform/Linux/LinuxPlatform)
# A string literal holding \( : interpolation (comments are skipped).
if interpolated=$(grep -rn --include='*.swift' -E '^[^/]*"[^"]*\\\(' "${shared[@]}"); then
    failed=$((failed + 1)); echo "FAIL: string interpolation in code shared with the Embedded build:"; echo "$interpolated"
else
    passed=$((passed + 1))
fi
echo "rules: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
