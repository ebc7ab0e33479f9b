#!/usr/bin/env bash
# Gives a built `phone` another load ID after the link: the 64 bytes of its `.phone_load_id`
# section (Platform/Linux/CLinuxPlatform/clp_load_id.c) rewritten in a copy, so a test load
# costs no whole-program firmware link. The ID is at most 63 bytes of letters, digits, dots,
# dashes and underscores (as Cisco names loads: SIP75.9-3-1SR2-1S).
# Usage: toolchain/set-load-id.sh BINARY LOAD-ID OUT
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: toolchain/set-load-id.sh BINARY LOAD-ID OUT" >&2; exit 2; }
binary=$1 id=$2 out=$3
if [ ${#id} -gt 63 ] || ! [[ $id =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*$ ]]; then
    echo "set-load-id.sh: '$id' is not a load ID (1 to 63 of A-Z a-z 0-9 . _ -, not starting with . or -)" >&2
    exit 2
fi
# The section's file offset and size (readelf reads every architecture's ELF; stripping keeps
# section headers). Its line: "[Nr] Name Type Address Off Size …".
read -r type offset size < <(readelf -S -W "$binary" | sed -n 's/^ *\[ *[0-9]*\] *//p' | awk '$1 == ".phone_load_id" { print $2, $4, $5 }') || true
if [ "${type:-}" != PROGBITS ] || [ "$((16#$size))" -ne 64 ]; then
    echo "set-load-id.sh: $binary has no 64-byte .phone_load_id section" >&2
    exit 1
fi
trap 'rm -f "$out.partial"' EXIT
cp "$binary" "$out.partial"
{ printf '%s' "$id"; head -c $((64 - ${#id})) /dev/zero; } |
    dd of="$out.partial" bs=1 seek=$((16#$offset)) count=64 conv=notrunc status=none
mv "$out.partial" "$out"
