#!/usr/bin/env bash
# Builds the firmware: the `phone` program as Embedded Swift for one architecture against
# Debian's glibc and mbedTLS of that architecture (release, hardened: PIE, non-executable
# stack, full RELRO, stack protector, _FORTIFY_SOURCE=2 in the C shim), stripped.
# For size (the firmware issue asks at most 400 KB): whole-program LTO across the modules,
# LLVM's machine outliner, packed relative relocations (DT_RELR, glibc 2.36), no unwind
# tables (Embedded Swift never unwinds; the C shim is built without them too), Thumb-2 on
# armv7 (as Debian builds armhf). In the LTO link the clang driver compiles each Swift
# module's bitcode for its Linux triple while the C shim's stays the Embedded one: that is
# intended (`-Wno-override-module`, and lld's "Linking two modules of different target
# triples", once per source file, is filtered out below); each function keeps its own
# target attributes (readelf -A on armv7: v7-A, Thumb-2, VFPv3-D16).
# Usage: toolchain/build-firmware.sh aarch64|armv7|x86_64   → out/ARCH/phone
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/build-firmware.sh aarch64|armv7|x86_64}
toolchain/install-deps.sh
firmware_target "$arch" || exit 2
scratch=.build-firmware-$arch
swift build -c release --triple "$triple" --toolset "toolchain/firmware/$arch.json" --scratch-path "$scratch" --product phone \
    --experimental-lto-mode=full 2>&1 | { grep -v -e "Linking two modules of different target triples" -e '^$' || true; }
toolchain/refuse-outlined-objects.sh "$scratch/$triple/release"
mkdir -p "out/$arch"
"${binutils}strip" -o "out/$arch/phone" "$scratch/$triple/release/phone"
echo "phone firmware ($arch, stripped), its sections:"
"${binutils}size" "out/$arch/phone" | awk 'NR == 2 { printf "  text %7d  data %6d  bss %5d\n", $1, $2, $3 }'
echo "phone firmware ($arch, stripped): $(stat -c %s "out/$arch/phone") bytes"
