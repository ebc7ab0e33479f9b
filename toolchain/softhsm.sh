#!/usr/bin/env bash
# SoftHSM2 of a firmware's architecture, for the key-store checks: the host's own for
# x86_64; for aarch64 and armv7 Debian's arm64/armhf packages unpacked into
# .build-softhsm/ARCH with the libraries they need (libsofthsm2 cannot be installed beside
# the host's: it is not multi-arch), as ../shared/docs/board.md does for kernels.
# Usage: toolchain/softhsm.sh aarch64|armv7|x86_64
# Prints two lines: the module's path, and the directory of its libraries ("" on x86_64).
# `toolchain/run-firmware.sh` gives the guest that directory (PHONE_GUEST_LIBRARY_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/softhsm.sh aarch64|armv7|x86_64}
case "$arch" in
    x86_64) echo /usr/lib/softhsm/libsofthsm2.so; echo ""; exit 0 ;;
    aarch64) debian=arm64; multiarch=aarch64-linux-gnu ;;
    armv7) debian=armhf; multiarch=arm-linux-gnueabihf ;;
    *) echo "softhsm.sh: unknown architecture $arch" >&2; exit 2 ;;
esac
root=$PWD/.build-softhsm/$arch
# One unpacking at a time (the board check's two parts may both ask at once): the second
# waits, then finds it there.
hold_lock "$root.lock"
if [ ! -f "$root/usr/lib/softhsm/libsofthsm2.so" ]; then
    ensure_architecture "$debian"
    rm -rf "$root.tmp" && mkdir -p "$root.tmp/debs"
    (cd "$root.tmp/debs" && apt-get download "libsofthsm2:$debian" "softhsm2:$debian" "libssl3:$debian" \
        "libstdc++6:$debian" "libgcc-s1:$debian" >/dev/null 2>&1) || { echo "softhsm.sh: apt-get download failed" >&2; exit 1; }
    for deb in "$root.tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$root.tmp"; done
    rm -rf "$root.tmp/debs" "$root" && mv "$root.tmp" "$root"
fi
echo "$root/usr/lib/softhsm/libsofthsm2.so"
echo "$root/usr/lib/$multiarch"
