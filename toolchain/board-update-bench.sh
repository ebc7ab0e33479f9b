#!/usr/bin/env bash
# Measures a firmware update on the emulated board (docs/benchmarks.md, "Firmware updates"):
# a load of the firmware and one more image of 1 MB, then of 16 MB (random bytes), fetched
# over HTTP, checked against the image-signing key as it streams and written to slot B.
# Prints, per size: the image's wall time (from its fetch to the next event), the whole
# update's (from the .loads fetch to loadStaged) and the phone's peak RSS for that boot.
# Not in the test command: timing belongs here. Usage: toolchain/board-update-bench.sh aarch64|armv7
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/board-update-bench.sh aarch64|armv7}
build_host_tools || exit 1
toolchain/board.sh build "$arch" >/dev/null || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
signer=Tests/ImageSigning/test-image-signer.pem
echo "| image | image: fetched, checked, written | whole update (.loads to staged) | phone peak RSS |"
echo "|---|---|---|---|"
for megabytes in 1 16; do
    load=BENCH.$megabytes
    lab=$work/lab$megabytes
    "$cucm_lab" init --dir "$lab" >/dev/null
    "$cucm_lab" device add SEPA45630BBFA40 --dir "$lab" --profile non-secure --operation none --load "$load" >/dev/null
    toolchain/set-load-id.sh "out/$arch/phone" "$load" "$work/phone-$load"
    head -c $((megabytes * 1048576)) /dev/urandom >"$work/big-$load"
    "$cucm_lab" load add "$load" --dir "$lab" --image "$work/phone-$load" --image "$work/big-$load" --signer "$signer" >/dev/null
    toolchain/board.sh flash "$arch" --out "$work/flash$megabytes.img" --load BENCH.0
    toolchain/board.sh run "$arch" --flash "$work/flash$megabytes.img" --lab "$lab" --json --until reboot --timeout 600 \
        >"$work/console$megabytes" 2>&1
    grep '^{' "$work/console$megabytes" >"$work/log$megabytes.json"
    jq -e --slurp 'any(.[]; .event == "loadStaged")' "$work/log$megabytes.json" >/dev/null \
        || { echo "board-update-bench: the $megabytes MB load was not staged" >&2; tail -20 "$work/console$megabytes" >&2; exit 1; }
    image=$(jq -r --slurp --arg file "big-$load.sbn" \
        '(map(.event == "fetching" and .file == $file) | index(true)) as $at | .[$at + 1].t_ms - .[$at].t_ms' "$work/log$megabytes.json")
    whole=$(jq -r --slurp --arg file "$load.loads" \
        '(.[] | select(.event == "loadStaged") | .t_ms) - (.[] | select(.event == "fetching" and .file == $file) | .t_ms)' \
        "$work/log$megabytes.json")
    rss=$(sed -n 's/^board: phone peak RSS \([0-9]*\) kB.*/\1/p' "$work/console$megabytes" | tail -1)
    echo "| $megabytes MB ($arch) | $image ms | $whole ms | $rss kB |"
done
