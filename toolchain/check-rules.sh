#!/usr/bin/env bash
# Rules the firmware keeps that no compiler checks (ARCHITECTURE.md, "Rules the code keeps"):
# - the fault-injection hooks (PHONE_TEST_*) never reach a firmware binary;
# - every firmware binary is hardened as a distribution hardens a network-facing program:
#   position-independent, non-executable stack, full RELRO (relro and BIND_NOW), the stack
#   protector in use, the C shim built with _FORTIFY_SOURCE=2 (a fortified __*_chk call),
#   and at most 400 KiB stripped (the firmware issue's bound; build-firmware.sh says what
#   keeps them under it);
# - every firmware binary has its load ID in a section of its own, patched after the link;
# - code shared with the Embedded build builds text by concatenation, never interpolation.
# Usage: toolchain/check-rules.sh FIRMWARE-BINARY…   Prints "rules: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
for binary in "$@"; do
    header=$(readelf -hW "$binary")
    dynamic=$(readelf -dW "$binary")
    segments=$(readelf -lW "$binary")
    symbols=$(readelf --dyn-syms -W "$binary")
    check "$binary holds no PHONE_TEST_ hook" not grep -a -q PHONE_TEST_ "$binary"
    check "$binary is position-independent" bash -c 'grep -q "Type: *DYN" <<<"$1" && grep -q "FLAGS_1.*PIE" <<<"$2"' _ "$header" "$dynamic"
    check "$binary has a non-executable stack" bash -c 'grep -E "GNU_STACK" <<<"$1" | grep -qvE " RWE "' _ "$segments"
    check "$binary has full RELRO" bash -c 'grep -q GNU_RELRO <<<"$1" && grep -qE "BIND_NOW|FLAGS_1.* NOW" <<<"$2"' _ "$segments" "$dynamic"
    check "$binary uses the stack protector" bash -c 'grep -q " __stack_chk_fail" <<<"$1"' _ "$symbols"
    check "$binary calls fortified functions" bash -c 'grep -qE " __[a-z]+_chk(@|$)" <<<"$1"' _ "$symbols"
    check "$binary is at most 400 KiB ($(stat -c %s "$binary") bytes)" test "$(stat -c %s "$binary")" -le 409600
    check "$binary has its load ID in a 64-byte .phone_load_id section (toolchain/set-load-id.sh)" \
        bash -c 'readelf -S -W "$1" | grep -qE "\.phone_load_id +PROGBITS +[0-9a-f]+ +[0-9a-f]+ +0+40 "' _ "$binary"
done
shared=(Sources/PhoneCrypto Sources/PhoneWire Sources/PhoneTrust Sources/PhoneCore Sources/PhoneRuntime Sources/PhoneApp Sources/phone Sources/PhoneSec
        Platform/Linux/LinuxPlatform)
# A string literal holding \( : interpolation (comments are skipped).
check "no string interpolation in code shared with the Embedded build" \
    not grep -rn --include='*.swift' -E '^[^/]*"[^"]*\\\(' "${shared[@]}"
summary rules
