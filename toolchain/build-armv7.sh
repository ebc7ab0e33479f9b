#!/usr/bin/env bash
# The second target: 32-bit ARM (armv7, hard-float Linux). Embedded Swift's
# armv7-none-none-eabi standard library, Debian's armhf glibc and mbedTLS, clang+lld.
# Usage: toolchain/build-armv7.sh  → out/armv7/phone;  PHONE_ARCH=armv7 toolchain/qemu-vectors.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
dpkg --print-foreign-architectures | grep -qx armhf || as_root dpkg --add-architecture armhf
install_packages libmbedtls-dev:armhf libc6-dev-armhf-cross gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf qemu-user
swift build -c release --triple armv7-none-none-eabi --toolset toolchain/armv7-linux.json --scratch-path .build-armv7 --product phone
toolchain/refuse-outlined-objects.sh arm-linux-gnueabihf-nm .build-armv7/armv7-none-none-eabi/release
mkdir -p out/armv7
arm-linux-gnueabihf-strip -o out/armv7/phone .build-armv7/armv7-none-none-eabi/release/phone
arm-linux-gnueabihf-size out/armv7/phone | tail -1 | awk '{ printf "armv7 phone (stripped): text %d, data %d, bss %d\n", $1, $2, $3 }'
