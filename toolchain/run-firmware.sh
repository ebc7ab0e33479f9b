#!/usr/bin/env bash
# Runs a firmware binary: x86_64 natively, aarch64 and armv7 under QEMU user-mode
# emulation with Debian's libraries of that architecture. Builds it first if missing.
# PHONE_GUEST_LIBRARY_PATH, when set, is the guest's LD_LIBRARY_PATH (a PKCS#11 module's
# libraries: toolchain/softhsm.sh); PHONE_GUEST_PROGRAM runs that program of the
# architecture instead of the phone (softhsm2-util).
# Usage: toolchain/run-firmware.sh aarch64|armv7|x86_64 <phone arguments…>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
arch=${1:?usage: toolchain/run-firmware.sh aarch64|armv7|x86_64 <phone arguments…>}
shift
program=${PHONE_GUEST_PROGRAM:-$root/out/$arch/phone}
[ -n "${PHONE_GUEST_PROGRAM:-}" ] || [ -x "$program" ] || "$root/toolchain/build-firmware.sh" "$arch" >&2
guest=()
[ -z "${PHONE_GUEST_LIBRARY_PATH:-}" ] || guest=(-E "LD_LIBRARY_PATH=$PHONE_GUEST_LIBRARY_PATH")
case "$arch" in
    aarch64) exec qemu-aarch64 -L /usr/aarch64-linux-gnu "${guest[@]}" "$program" "$@" ;;
    armv7) exec qemu-arm -L /usr/arm-linux-gnueabihf "${guest[@]}" "$program" "$@" ;;
    x86_64) exec "$program" "$@" ;;
    *) echo "run-firmware.sh: unknown architecture $arch" >&2; exit 2 ;;
esac
