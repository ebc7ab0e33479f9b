#!/usr/bin/env bash
# Mutation check of the security decisions: each line of toolchain/mutations.tsv, alone,
# applied to a copy of the committed tree (HEAD), rebuilt and run against the test suite.
# A mutation the suite does not catch survives: a decision no test defends. Prints a
# Markdown table and "mutate: N killed, N survived"; exits 1 when one survives or a line
# no longer applies. Not in the test command (minutes a line on 2 cores).
# Usage: toolchain/mutate.sh [NAME-REGEX]   (e.g. 'LSC|DOCTYPE': only those lines)
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
filter=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
git archive HEAD | tar -x -C "$work/tree"
root=$PWD
cd "$work/tree"
echo "baseline build and suite…" >&2
swift build --build-tests >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
# The suite four tests at a time, as the test command runs it (most tests wait on the network).
suite=(swift test --skip-build --disable-swift-testing --parallel --num-workers 4)
"${suite[@]}" >"$work/baseline.log" 2>&1 || { echo "the unmutated suite fails" >&2; exit 1; }

killed=0
survived=0
broken=0
table=("| mutation | file | result | caught by |" "|---|---|---|---|")
while IFS=$'\t' read -r -u 3 name file search replace; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    [[ -n "$filter" && ! "$name" =~ $filter ]] && continue
    cp "$file" "$work/original"
    if ! python3 "$root/toolchain/apply_mutation.py" "$file" "$search" "$replace"
    then
        broken=$((broken + 1)); table+=("| $name | $file | does not apply | — |"); continue
    fi
    started=$(date +%s)
    # A mutant can make the suite wait out the phone's real back-offs (minutes): five
    # minutes is far above the suite's own time, and a suite that does not end is no pass.
    if ! swift build --build-tests >"$work/mutant-build.log" 2>&1 </dev/null; then
        # A mutant the compiler refuses tests nothing: the line needs mending, as one that no
        # longer applies does.
        result="does not build"; caught="—"; broken=$((broken + 1))
    else
        status=0
        timeout -s INT -k 30 300 "${suite[@]}" >"$work/mutant.log" 2>&1 </dev/null || status=$?
        case "$status" in
            0) result="**survived**"; caught="—"; survived=$((survived + 1)) ;;
            # A suite cut off (124; 137 when it needed the SIGKILL) is said so, and prints no
            # failure (the parallel runner prints them at its end): a machine too busy would
            # look the same.
            124|137) result="killed (the suite did not end in 300 s)"; caught="cut off, no output"; killed=$((killed + 1)) ;;
            *) result="killed"; killed=$((killed + 1))
               caught=$(grep -oE "error: [A-Za-z]+\.test[A-Za-z0-9_]+" "$work/mutant.log" | sed 's/error: //' | sort -u | head -3 | paste -sd, -) ;;
        esac
    fi
    cp "$work/original" "$file"
    table+=("| $name | \`$file\` | $result | $caught |")
    echo "$name: $result ($(( $(date +%s) - started )) s)" >&2
done 3<"$root/toolchain/mutations.tsv"
printf '%s\n' "${table[@]}"
echo "mutate: $killed killed, $survived survived, $broken not applicable or not building"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
