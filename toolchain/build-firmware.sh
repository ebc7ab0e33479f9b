#!/usr/bin/env bash
# Builds the firmware: the `phone` program as Embedded Swift for one architecture against
# Debian's glibc and mbedTLS of that architecture (release, hardened: PIE, non-executable
# stack, full RELRO, stack protector, _FORTIFY_SOURCE=2 in the C shim), stripped.
# Usage: toolchain/build-firmware.sh aarch64|armv7|x86_64   → out/ARCH/phone
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/build-firmware.sh aarch64|armv7|x86_64}
toolchain/install-deps.sh
firmware_target "$arch" || exit 2
scratch=.build-firmware-$arch
swift build -c release --triple "$triple" --toolset "toolchain/firmware/$arch.json" --scratch-path "$scratch" --product phone
toolchain/refuse-outlined-objects.sh "${binutils}nm" "$scratch/$triple/release"
mkdir -p "out/$arch"
"${binutils}strip" -o "out/$arch/phone" "$scratch/$triple/release/phone"
echo "core objects ($arch, Embedded Swift, release):"
for module in PhoneCrypto PhoneWire PhoneTrust PhoneCore; do
    "${binutils}size" -t "$scratch/$triple/release/$module.build/"*.o | tail -1 | \
        awk -v m="$module" '{ printf "  %-12s text %7d  data %6d  bss %5d\n", m, $1, $2, $3 }'
done
echo "phone firmware ($arch, stripped): $(stat -c %s "out/$arch/phone") bytes"
