#!/usr/bin/env bash
# The repository's copy of the interop vectors (Tests/Vectors) is byte-identical with
# ../shared/vectors when that folder is beside the repository; a clone on its own skips
# the comparison (its copy is what it tests with). Every file of the copy but
# PROVENANCE.md must be in ../shared/vectors, unchanged.
# Usage: toolchain/vectors-check.sh   Prints "vectors: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
shared=../shared/vectors
if [ ! -d "$shared" ]; then
    echo "vectors: $shared is not beside the repository; the copy in Tests/Vectors is not compared"
    check "Tests/Vectors holds the interop vectors" test -f Tests/Vectors/interop/ITLFile.tlv
    summary vectors
    exit
fi
copies=0
while IFS= read -r -d '' copy; do
    path=${copy#Tests/Vectors/}
    [ "$path" = PROVENANCE.md ] && continue
    copies=$((copies + 1))
    check "Tests/Vectors/$path is byte-identical with $shared/$path" cmp -s "$copy" "$shared/$path"
done < <(find Tests/Vectors -type f -print0 | sort -z)
check "Tests/Vectors holds copies ($copies files)" test "$copies" -gt 0
# What ../shared has that the repository has not copied (new vectors): said, not failed.
while IFS= read -r -d '' original; do
    path=${original#"$shared"/}
    [ -f "Tests/Vectors/$path" ] || echo "vectors: $shared/$path has no copy in Tests/Vectors (not used yet)"
done < <(find "$shared" -type f -print0 | sort -z)
summary vectors
