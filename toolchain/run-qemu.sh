#!/usr/bin/env bash
# Runs the ARM `phone` under QEMU user-mode emulation with Debian's ARM libraries.
# PHONE_ARCH=aarch64 (default) or armv7.
# Usage: toolchain/run-qemu.sh <phone arguments…>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
case "${PHONE_ARCH:-aarch64}" in
    aarch64)
        [ -x "$root/out/aarch64/phone" ] || "$root/toolchain/build-aarch64.sh" >&2
        exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$root/out/aarch64/phone" "$@" ;;
    armv7)
        [ -x "$root/out/armv7/phone" ] || "$root/toolchain/build-armv7.sh" >&2
        exec qemu-arm -L /usr/arm-linux-gnueabihf "$root/out/armv7/phone" "$@" ;;
    *)
        echo "PHONE_ARCH is aarch64 or armv7" >&2
        exit 2 ;;
esac
