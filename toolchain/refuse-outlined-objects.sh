#!/usr/bin/env bash
# The ARM toolsets turn Embedded Swift's ObjectOutliner off (toolchain/embedded-outliner-bug.md):
# with it, two modules can give one weak symbol different contents and the linker keeps
# one. This refuses a build whose objects hold such outlined objects all the same (a
# toolset edited back, a new flag that re-enables the pass).
# Objects are ELF, or LLVM bitcode in the firmware's LTO build: the toolchain's llvm-nm
# reads both, for every architecture.
# Usage: toolchain/refuse-outlined-objects.sh BUILD_DIRECTORY
set -euo pipefail
directory=$1
nm_tool=$(dirname "$(readlink -f "$(command -v swiftc)")")/llvm-nm
symbols=$(find "$directory" \( -name '*.o' -o -name '*.bc' \) -exec "$nm_tool" {} + 2> >(grep -v ': no symbols$' >&2))
outlined=$(grep -cE ' [VW] .*Tv[0-9]*_r$' <<<"$symbols" || true)
if [ "$outlined" -gt 0 ]; then
    echo "$directory: $outlined weak outlined static objects in the objects (is the ObjectOutliner on?): refusing the build" >&2
    exit 1
fi
