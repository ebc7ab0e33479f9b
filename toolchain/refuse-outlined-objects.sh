#!/usr/bin/env bash
# The ARM toolsets turn Embedded Swift's ObjectOutliner off (toolchain/embedded-outliner-bug.md):
# with it, two modules can give one weak symbol different contents and the linker keeps
# one. This refuses a build whose objects hold such outlined objects all the same (a
# toolset edited back, a new flag that re-enables the pass).
# Usage: toolchain/refuse-outlined-objects.sh NM BUILD_DIRECTORY
set -euo pipefail
nm_tool=$1
directory=$2
symbols=$(find "$directory" -name '*.o' -exec "$nm_tool" {} +)
outlined=$(grep -cE ' [VW] .*Tv[0-9]*_r$' <<<"$symbols" || true)
if [ "$outlined" -gt 0 ]; then
    echo "$directory: $outlined weak outlined static objects in the objects (is the ObjectOutliner on?): refusing the build" >&2
    exit 1
fi
