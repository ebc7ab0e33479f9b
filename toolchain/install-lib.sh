#!/usr/bin/env bash
# Builds the C API's static library (libphonesec.a: the core as Embedded Swift, release,
# the same toolset as the firmware of that architecture) and installs it with its header
# and pkg-config file: PREFIX/include/phonesec.h, PREFIX/lib/libphonesec.a,
# PREFIX/lib/pkgconfig/phonesec.pc. ARCH defaults to the host's (x86_64).
# Usage: toolchain/install-lib.sh PREFIX [x86_64|aarch64|armv7]
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
prefix=${1:?usage: toolchain/install-lib.sh PREFIX [x86_64|aarch64|armv7]}
arch=${2:-x86_64}
toolchain/install-deps.sh
firmware_target "$arch" || exit 2
# Embedded Swift's Unicode tables (String comparison, normalisation): the Swift driver adds
# them when it links a program; a C program linking the library gets them inside it. The
# toolchain has none for x86_64-unknown-none-elf; the Linux one's objects are the same code.
tables_triple=$triple
[ "$arch" = x86_64 ] && tables_triple=x86_64-unknown-linux-gnu
# Its own build directory: the firmware is built with LTO (bitcode objects), a library is not.
scratch=.build-lib-$arch
swift build -c release --triple "$triple" --toolset "toolchain/firmware/$arch.json" --scratch-path "$scratch" --product phonesec
toolchain/refuse-outlined-objects.sh "$scratch/$triple/release"
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
prefix=$(cd "$prefix" && pwd)
install -m 0644 Sources/CPhoneSec/include/phonesec.h "$prefix/include/phonesec.h"
toolchain=$(dirname "$(readlink -f "$(command -v swiftc)")")
tables=$toolchain/../lib/swift/embedded/$tables_triple/libswiftUnicodeDataTables.a
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Debug sections out; symbols stay (a static library is linked, not run).
"${binutils}strip" --strip-debug -o "$work/core.a" "$scratch/$triple/release/libphonesec.a"
rm -f "$prefix/lib/libphonesec.a"
"$toolchain/llvm-ar" -M <<MRI
create $prefix/lib/libphonesec.a
addlib $work/core.a
addlib $tables
save
end
MRI
# The package's version is the header's API version (one place: phonesec.h).
api_version=$(sed -n 's/^#define PHONESEC_API_VERSION \([0-9]*\)$/\1/p' Sources/CPhoneSec/include/phonesec.h)
[ -n "$api_version" ] || { echo "install-lib.sh: no PHONESEC_API_VERSION in phonesec.h" >&2; exit 1; }
cat >"$prefix/lib/pkgconfig/phonesec.pc" <<PC
prefix=$prefix
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: phonesec
Description: The phone's security core for C firmware (Embedded Swift, $arch)
Version: $api_version.0.0
Cflags: -I\${includedir}
Libs: -L\${libdir} -lphonesec -lmbedtls -lmbedx509 -lmbedcrypto
PC
echo "libphonesec ($arch): $(stat -c %s "$prefix/lib/libphonesec.a") bytes in $prefix/lib"
