#!/usr/bin/env bash
# Builds the core libraries and the `phone` program as Embedded Swift for aarch64
# Linux (release, stripped copy beside it) and prints their sizes.
# Usage: toolchain/build-aarch64.sh   → out/aarch64/phone
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh

scratch=.build-aarch64
triple=aarch64-none-none-elf
build() { swift build -c release --triple "$triple" --toolset toolchain/aarch64-linux.json --scratch-path "$scratch" "$@"; }

build --product phone
toolchain/refuse-outlined-objects.sh aarch64-linux-gnu-nm "$scratch/$triple/release"
mkdir -p out/aarch64
aarch64-linux-gnu-strip -o out/aarch64/phone "$scratch/$triple/release/phone"

echo "core objects (aarch64, Embedded Swift, release):"
for module in PhoneCrypto PhoneWire PhoneTrust PhoneCore; do
    aarch64-linux-gnu-size -t "$scratch/$triple/release/$module.build/"*.o | tail -1 | \
        awk -v m="$module" '{ printf "  %-12s text %7d  data %6d  bss %5d\n", m, $1, $2, $3 }'
done
echo "phone program (stripped): $(stat -c %s out/aarch64/phone) bytes"
aarch64-linux-gnu-size out/aarch64/phone | tail -1 | awk '{ printf "  text %d  data %d  bss %d\n", $1, $2, $3 }'
