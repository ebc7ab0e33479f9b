#!/usr/bin/env bash
# Runs the aarch64 `phone` under QEMU user-mode emulation with Debian's arm64 libraries.
# Usage: toolchain/run-qemu.sh <phone arguments…>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -x "$root/out/aarch64/phone" ] || "$root/toolchain/build-aarch64.sh" >&2
exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$root/out/aarch64/phone" "$@"
