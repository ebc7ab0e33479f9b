#!/usr/bin/env bash
# Runs a firmware binary: x86_64 natively, aarch64 and armv7 under QEMU user-mode
# emulation with Debian's libraries of that architecture. Builds it first if missing.
# Usage: toolchain/run-firmware.sh aarch64|armv7|x86_64 <phone arguments…>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
arch=${1:?usage: toolchain/run-firmware.sh aarch64|armv7|x86_64 <phone arguments…>}
shift
[ -x "$root/out/$arch/phone" ] || "$root/toolchain/build-firmware.sh" "$arch" >&2
case "$arch" in
    aarch64) exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$root/out/aarch64/phone" "$@" ;;
    armv7) exec qemu-arm -L /usr/arm-linux-gnueabihf "$root/out/armv7/phone" "$@" ;;
    x86_64) exec "$root/out/x86_64/phone" "$@" ;;
    *) echo "run-firmware.sh: unknown architecture $arch" >&2; exit 2 ;;
esac
