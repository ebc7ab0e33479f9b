#!/usr/bin/env bash
# The phone on an emulated board (toolchain/board.sh): a factory-fresh board's first
# power-on (ITL, CAPF enrolment, the board's reboot, the .enc.sgn, configured), the second
# power-on (no CAPF), the EC lab (EC LSC, the configuration over HTTPS), power cuts at
# moments around each write and at random delays, the clock (today, 1970, 2040), and a
# broken board (no network interface, a state partition of garbage, a full flash); the keys
# on a token of the board's own; firmware updates (A → B, a load that cannot configure,
# power cuts while one is written).
# Every boot is judged by the phone's JSON log on the board's console and by `board.sh status`.
# Usage: toolchain/board-check.sh aarch64|armv7 [--part 1|2] [--cuts N] [--seed S]
#   --part 1: only the DHCP script, the enrolling first power-on, the second power-on and the
#   bound on resets, the clock, the EC lab, power cuts at three moments (five on aarch64) and
#   at random delays, and the garbage state partition; --part 2: only the rest (no network,
#   a full flash, the token, the updates, and on aarch64 power cuts at three more moments).
#   Each part needs nothing of the other: the test command runs the four parts of the two
#   boards at once (each QEMU keeps one core busy; two cores end the four sooner
#   than two boards that end apart). Default: both, one after the other.
#   --cuts N: power cuts at random delays besides the ones at console lines (default: 2 on
#   aarch64, 1 on armv7; part 1's); --seed S: their seed (default: from the clock; printed).
# Prints "board-ARCH: N passed, N failed" ("board-ARCH part N: …" for a part).
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/board-check.sh aarch64|armv7 [--part 1|2] [--cuts N] [--seed S]}
shift
random_cuts=$([ "$arch" = aarch64 ] && echo 2 || echo 1)
seed=$(date +%s)
part=
while [ $# -gt 0 ]; do
    case "$1" in
        --cuts) random_cuts=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --part) part=$2; shift 2
                case "$part" in 1|2) ;; *) echo "board-check.sh: --part 1 or 2" >&2; exit 2 ;; esac ;;
        *) echo "board-check.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
build_host_tools || exit 1
toolchain/board.sh build "$arch" || exit 1
work=$(mktemp -d)
mic=Tests/Vectors/interop/pki/phone-mic.pem

# power_on NAME FLASH LAB [board.sh run option…]: one run of the board; its console in
# NAME.console, the phone's JSON lines in NAME.json; returns board.sh run's exit code.
power_on() {
    local name=$1 flash=$2 lab=$3
    shift 3
    toolchain/board.sh run "$arch" --flash "$flash" --lab "$lab" --json --backoff-ms 200 --timeout 240 "$@" \
        >"$work/$name.console" 2>&1
    local code=$?
    grep '^{' "$work/$name.console" >"$work/$name.json"
    return $code
}
console_has() { grep -qF -- "$2" "$work/$1.console"; }
lab_md5() { "$cucm_lab" sql --dir "$1" "select md5hash from device where name='SEPA45630BBFA40'" | tail -1; }
# `phone status --json` of a flash image's state (`{"statePartition":"blank"}` when it has no
# filesystem, `"unrepairable"` when e2fsck cannot mend it).
status_of() { toolchain/board.sh status "$arch" --flash "$1" --json; }
# The LSC's md5 as `phone status` shows it, or nothing.
lsc_md5() { status_of "$1" | jq -r '.lsc.md5 // empty'; }
# No state file is half-written: nothing corrupt, nothing e2fsck cannot mend.
whole_state() {
    status_of "$1" | jq -e '.statePartition != "unrepairable" and (.corruptTrustLists // []) == []
                            and (.lsc.problem // null) == null and (.mic.problem // null) == null' >/dev/null
}

# Power cuts: QEMU killed (SIGKILL: the guest's unflushed pages are lost) during an
# enrolling boot; after each cut the state must be the old or the new one whole, the flash
# must mount, and the next power-on must end configured.
# cut NAME WHEN: WHEN is a console text (cut as soon as the console shows it) or +SECONDS.
cut() {
    local name=$1 when=$2 flash=$work/$1.img lab=$work/cutlab
    new_lab "$lab" -- --key rsa:2048
    toolchain/board.sh flash "$arch" --out "$flash" --mic "$mic"
    power_on "$name" "$flash" "$lab" --cut-at "$when"
    local code=$?
    # A random delay can outlast a boot that ran faster than the first: nothing was cut.
    if [ "$code" = 0 ] && [ "${when:0:1}" = + ]; then
        echo "board-$arch: the boot ended configured before the cut at $when"
        rm -rf "$lab" "$flash" "$flash.factory"
        return 2
    fi
    check_equal "$arch cut at $when: the power was cut before the phone ended" 124 "$code"
    local shown
    shown=$(grep -o '"event":"[a-zA-Z]*"' "$work/$name.console" | tail -1)
    echo "board-$arch: power cut at '$when': the last event the console showed: ${shown:-none}"
    # `phone status` loads each file as the phone does: an LSC without its key, or half a
    # trust list, is reported corrupt; a filesystem e2fsck cannot repair fails it.
    check "$arch cut at $when: no state file is half-written" whole_state "$flash"
    check "$arch cut at $when: the next power-on ends configured" power_on "$name-after" "$flash" "$lab"
    # A cut while the init was making the blank partition's filesystem (a random one can
    # land there: seen at +2.7 s on aarch64, 2026-12-07) leaves no filesystem, which the
    # next power-on makes anew (nothing was on it), or, when mke2fs had finished before the
    # init's next line, a whole one that mounts. A filesystem left that does not mount is
    # never right.
    if console_has "$name" "state partition blank: making an ext4 filesystem" && ! console_has "$name" "board: load: "; then
        check "$arch cut at $when, while the filesystem was made: the next power-on made it anew or mounted it" \
            not console_has "$name-after" "does not mount"
    else
        check "$arch cut at $when: the flash mounted as it was" \
            not grep -q -e "state partition unreadable" -e "does not mount" "$work/$name-after.console"
    fi
    check_equal "$arch cut at $when: the LSC on the flash is the one the lab stored" "$(lab_md5 "$lab")" "$(lsc_md5 "$flash")"
    rm -rf "$lab" "$flash" "$flash.factory"
}

enrolling_boots_and_cuts() {
    # 0. The DHCP script's option 150 (QEMU's user network sends only 66): run on the host, in a
    # network namespace of its own, with a lease as busybox's udhcpc hands it over.
    dhcp_lease() {  # dhcp_lease OPTION-66 OPTION-150: what the script writes for the init
        unshare -n sh -c 'ip link set lo up; DHCP_OUT=$1 interface=lo ip=10.0.2.15 mask=24 tftp=$2 opt150=$3 \
            sh toolchain/board/udhcpc.script bound' sh "$work/dhcp" "$1" "$2" && cat "$work/dhcp"
    }
    check "$arch DHCP option 150 (hex) is read as the first of its addresses" \
        grep -qx "dhcp_option150=10.0.2.3" <(dhcp_lease 10.0.2.2 0a0002030a000204)
    # The init sources what the script writes: a hostile answer must not become a command.
    hostile=$(dhcp_lease '10.0.2.2;touch /tmp/owned$(id -u)' '0a00zz')
    check "$arch a hostile DHCP option 66 is dropped, not written" grep -qx "dhcp_tftp=" <<<"$hostile"
    check "$arch a malformed option 150 is dropped" grep -qx "dhcp_option150=" <<<"$hostile"

    # 1. A factory-fresh board, RSA-2048 enrolment.
    new_lab "$work/lab" -- --key rsa:2048
    toolchain/board.sh flash "$arch" --out "$work/flash.img" --mic "$mic"
    started=$SECONDS
    today=$(date -u +%Y-%m-%d)
    check "$arch first power-on ends configured" power_on first "$work/flash.img" "$work/lab"
    first_seconds=$((SECONDS - started))
    check "$arch first power-on: the board's clock said today" \
        grep -qE "^board: clock ($today|$(date -u +%Y-%m-%d)) " "$work/first.console"
    check "$arch first power-on: the init made the blank state partition" console_has first "state partition blank: making an ext4 filesystem"
    check "$arch first power-on: the kernel's CRNG was ready before the phone started" console_has first "kernel CRNG ready"
    check "$arch first power-on: ITL installed" json_has "$work/first.json" '.event == "trustListInstalled" and .kind == "ITL"'
    check "$arch first power-on: the partial configuration's hash differed from the MIC's" \
        json_has "$work/first.json" '.event == "partialConfig" and .ownCertificate == "MIC" and .matches == false'
    check "$arch first power-on: CAPF installed an RSA-2048 LSC" json_has "$work/first.json" '.event == "capfInstallRequested" and .key == "RSA-2048"'
    check "$arch first power-on: the phone asked for a reset and the board rebooted" console_has first "board: phone asked for a reset: rebooting"
    check "$arch first power-on: after the reboot the phone booted again" \
        test "$(grep -c '"event":"started"' "$work/first.json")" -eq 2
    check "$arch first power-on: the boot after the reboot counted on from the flash (reset 1)" \
        json_has "$work/first.json" '.event == "started" and .reset == 1'
    check "$arch first power-on: the .enc.sgn decrypted" json_has "$work/first.json" '.event == "configApplied" and .encrypted == true'
    stored=$(lab_md5 "$work/lab")
    check "$arch the lab stored an md5hash" test -n "$stored"
    check_equal "$arch the LSC on the flash is the one the lab stored" "$stored" "$(lsc_md5 "$work/flash.img")"
    check "$arch the phone's MIC is the factory partition's" json_has <(status_of "$work/flash.img") '.mic.md5 == "276adb402e2a9b37cf378b787e2272f3"'
    check "$arch the state partition holds no copy of the MIC" not grep -q "mic.pem" <(debugfs -R "ls -l /phone" "$work/flash.img" 2>&1)
    cp --sparse=always "$work/flash.img" "$work/configured.img"; cp "$work/flash.img.factory" "$work/configured.img.factory"

    # 2. The second power-on: configured from what the flash holds.
    check "$arch second power-on ends configured" power_on second "$work/flash.img" "$work/lab"
    check "$arch second power-on: no CAPF" json_lacks "$work/second.json" '.event == "capfStarting"'
    check "$arch second power-on: the .enc.sgn asked for first" json_has "$work/second.json" '.event == "configApplied" and .encrypted == true'

    # The bound on resets holds across the board's reboots: a count past it on the flash (what a
    # cluster that installs at every boot leaves) stops the boot before any fetch, and goes.
    printf '4\n' >"$work/resets"
    debugfs -w -R "write $work/resets /phone/board-resets" "$work/flash.img" >/dev/null 2>&1
    check "$arch a count of four board resets planted on the flash" \
        grep -q "board-resets" <(debugfs -R "ls -l /phone" "$work/flash.img" 2>&1)
    power_on bounded "$work/flash.img" "$work/lab"
    check_equal "$arch four board resets counted on the flash: exit 4" 4 "$?"
    check "$arch four board resets counted on the flash: too many resets, before any fetch" \
        json_has "$work/bounded.json" '.event == "failed" and .failure == "tooManyResets"'
    check "$arch four board resets counted on the flash: nothing fetched" json_lacks "$work/bounded.json" '.event == "fetching"'
    check "$arch the count of board resets is removed when the boot ends" \
        not grep -q "board-resets" <(debugfs -R "ls -l /phone" "$work/flash.img" 2>&1)

    # 3. The clock: a board with no battery (1970) and one at 2040 (the first power-on was at
    # today's date), each factory-fresh (CAPF over TLS, the LSC issued and decrypted with). The
    # phone reads only the monotonic clock; certificate dates are not checked.
    for date in 1970-01-01 2040-01-01; do
        options=()
        case "$date" in
            2040-01-01) if [ "$arch" = armv7 ]; then options=(--date 2040-01-01); else options=(--rtc 2040-01-01); fi ;;
            *) options=(--rtc "$date") ;;
        esac
        toolchain/board.sh flash "$arch" --out "$work/clock.img" --mic "$mic"
        schedule_install "$work/lab" --key rsa:2048
        check "$arch a factory-fresh board whose clock says $date enrols and ends configured" \
            power_on "clock-$date" "$work/clock.img" "$work/lab" "${options[@]}"
        check "$arch the board at $date enrolled" json_has "$work/clock-$date.json" '.event == "capfEnded" and .result == "installed"'
    done
    check "$arch the 1970 board's clock said 1970" console_has clock-1970-01-01 "board: clock 1970-01-01"
    # armv7: the 32-bit kernel's RTC does not take 2040 and 32-bit userland cannot set it (docs/board.md).
    [ "$arch" = armv7 ] || check "$arch the 2040 board's clock said 2040" console_has clock-2040-01-01 "board: clock 2040-01-01"
    echo "board-$arch: the board set to 2040 said: $(grep -m1 -e '^board: clock' -e '^board: the clock' "$work/clock-2040-01-01.console" | tr '\n' ' ')"

    # 4. The EC lab: an EC P-256 LSC and the configuration over HTTPS, on the board.
    new_lab "$work/eclab" --ec -- --key ec:P-256
    toolchain/board.sh flash "$arch" --out "$work/ec.img" --mic "$mic"
    check "$arch EC board ends configured" power_on ec "$work/ec.img" "$work/eclab"
    check "$arch EC board enrolled an EC P-256 LSC" json_has "$work/ec.json" '.event == "capfInstallRequested" and .key == "EC P-256"'
    check "$arch EC board took the configuration over HTTPS" json_has "$work/ec.json" '.event == "httpsConfigApplied"'

    # 5. Power cuts (`cut`, above) around each write of an enrolling boot, and at random
    # delays. Here the three moments both boards cut, one after each kind of write: after the
    # ITL is installed, after the LSC and its key are stored, after the configuration is
    # applied. On aarch64 also the reboot and the first write of all, the init making the
    # blank partition's filesystem, and three more in part 2: the writes are the same code on
    # both boards, and armv7, whose boots cost more, cuts the three that prove its build's.
    moments=('"event":"trustListInstalled"' '"event":"capfLSCStored"' '"event":"configApplied"')
    [ "$arch" = aarch64 ] && moments+=('board: phone asked for a reset' 'board: state partition blank: making an ext4 filesystem')
    number=0
    for moment in "${moments[@]}"; do
        number=$((number + 1))
        cut "cut$number" "$moment"
    done
    # Random moments within three quarters of the time the first enrolling power-on took (that
    # time includes starting the lab; a cut later than the boot's end would cut nothing).
    window=$((first_seconds * 10 * 3 / 4))
    [ "$window" -gt 0 ] || window=1
    echo "board-$arch: random power cuts within $((window / 10)).$((window % 10)) s of power-on, seed $seed"
    RANDOM=$seed
    for ((index = 0; index < random_cuts; index++)); do
        number=$((number + 1))
        tenths=$((RANDOM % window))
        # Drawn again, within three quarters of the delay the boot outlasted, at most 3 times.
        for redraw in 1 2 3; do
            cut "cut$number" "+$((tenths / 10)).$((tenths % 10))"
            outcome=$?
            [ "$outcome" = 2 ] || break
            tenths=$((RANDOM % (tenths * 3 / 4 + 1)))
        done
        [ "$outcome" != 2 ] || check "$arch random cut $number landed within a boot in 3 draws" false
    done

    # 6. A broken board: a state partition of garbage. The init makes it anew and the phone
    # starts from its MIC.
    head -c 4194304 /dev/urandom | dd of="$work/configured.img" conv=notrunc status=none
    schedule_install "$work/lab" --key rsa:2048
    check "$arch garbage state: the board ends configured" power_on garbage "$work/configured.img" "$work/lab"
    check "$arch garbage state: the init says so and makes it anew" console_has garbage "state partition unreadable"
    check "$arch garbage state: the phone started from its MIC (CAPF enrolled again)" \
        json_has "$work/garbage.json" '.event == "capfEnded" and .result == "installed"'
}

broken_boards_tokens_updates() {
    # 7. A broken board. No network interface: the phone says why, the board backs off and
    # tries again, nothing is written, and the board ends with the phone's exit 3. (The lab
    # is the full flash's below: the board cannot reach it.)
    new_lab "$work/fulllab" -- --key rsa:2048
    toolchain/board.sh flash "$arch" --out "$work/nonet.img" --mic "$mic"
    power_on nonet "$work/nonet.img" "$work/fulllab" --no-network --server 10.0.2.2
    check_equal "$arch no network: the phone ends unreachable (exit 3)" 3 "$?"
    check "$arch no network: the init says why" console_has nonet "board: no network interface"
    check "$arch no network: the phone says the network is unreachable" \
        json_has "$work/nonet.json" '.event == "fetchFailed" and .cause == "network unreachable"'
    check_equal "$arch no network: the board backed off and tried again four times" 4 \
        "$(grep -c "board: phone exited 3 (unreachable): trying again" "$work/nonet.console")"
    check "$arch no network: nothing written" json_has <(status_of "$work/nonet.img") '.statePartition == null and .trustLists == [] and .lsc == null'

    # A full flash: a configured board whose state partition has no free block left, then the
    # CallManager's key changes (`rotate-ccm`: a new ITL, its signer vouched for by TVS). Storing
    # the new ITL fails with a typed error naming it; the ITL before it stays on the flash, whole.
    toolchain/board.sh flash "$arch" --out "$work/full.img" --mic "$mic" --size 8
    check "$arch full flash: the board first ends configured" power_on full-first "$work/full.img" "$work/fulllab"
    itl_before=$(status_of "$work/full.img" | jq -c '.trustLists[] | select(.kind == "ITL")')
    check "$arch full flash: an ITL is on the flash before" test -n "$itl_before"
    # The journal replayed and the counts made exact first, then every free block taken by one
    # file, then the counts made exact again (debugfs leaves them to e2fsck).
    e2fsck -fy "$work/full.img" >/dev/null 2>&1
    free_blocks=$(dumpe2fs -h "$work/full.img" 2>/dev/null | sed -n 's/^Free blocks: *//p')
    block_size=$(dumpe2fs -h "$work/full.img" 2>/dev/null | sed -n 's/^Block size: *//p')
    tr '\000' x </dev/zero | head -c "$((free_blocks * block_size))" >"$work/filler"   # not zeros: debugfs writes those as holes
    debugfs -w -R "write $work/filler /filler" "$work/full.img" >/dev/null 2>&1
    e2fsck -fy "$work/full.img" >/dev/null 2>&1
    rm -f "$work/filler"
    check_equal "$arch full flash: no free block left" 0 "$(dumpe2fs -h "$work/full.img" 2>/dev/null | sed -n 's/^Free blocks: *//p')"
    "$cucm_lab" rotate-ccm --dir "$work/fulllab" >/dev/null
    power_on full "$work/full.img" "$work/fulllab"
    check "$arch full flash: the new ITL was taken on TVS's word" \
        json_has "$work/full.json" '.event == "trustListInstalled" and .outcome == "vouchedByTVS"'
    check "$arch full flash: storing it failed, and the event names it" \
        json_has "$work/full.json" '.event == "storageFailed" and .item == "store ITL" and (.cause | test("space"))'
    check_equal "$arch full flash: the ITL before it is on the flash, whole" "$itl_before" \
        "$(status_of "$work/full.img" | jq -c '.trustLists[] | select(.kind == "ITL")')"
    check "$arch full flash: no state file is half-written" whole_state "$work/full.img"

    # 8. The keys on a token: SoftHSM2 of the architecture on a disk of its own (the secure
    # element's stand-in), its PIN on the factory partition. The LSC's key is generated there and
    # the .enc.sgn unwrapped there across the board's reboot; the state partition holds no key.
    new_lab "$work/tokenlab" -- --key rsa:2048
    toolchain/board.sh flash "$arch" --out "$work/token.img" --mic "$mic" --token
    check "$arch token board: the first power-on ends configured" power_on token-first "$work/token.img" "$work/tokenlab"
    check "$arch token board: the init gave the phone its token" console_has token-first "board: keys: on the token"
    check "$arch token board: CAPF installed an RSA-2048 LSC" \
        json_has "$work/token-first.json" '.event == "capfInstallRequested" and .key == "RSA-2048"'
    check "$arch token board: after the reboot the .enc.sgn decrypted" \
        json_has "$work/token-first.json" '.event == "configApplied" and .encrypted == true'
    status_of "$work/token.img" >"$work/token-status.json"
    check "$arch token board: status says the LSC's key is on the token" json_has "$work/token-status.json" \
        '.lsc.keyOn == "token" and .lsc.token == "phone" and (.lsc.keyID | test("^[0-9a-f]+$")) and .lsc.tokenKey == "RSA-2048"'
    check_equal "$arch token board: the LSC on the flash is the one the lab stored" "$(lab_md5 "$work/tokenlab")" \
        "$(jq -r '.lsc.md5' "$work/token-status.json")"
    mkdir -p "$work/token-state"
    debugfs -R "rdump /phone $work/token-state" "$work/token.img" >/dev/null 2>&1
    check "$arch token board: the state partition holds the LSC's certificate" test -s "$work/token-state/phone/lsc.pem"
    check "$arch token board: ... and no private key in any file, PEM or DER" no_private_key_in "$work/token-state" all
    check "$arch token board: the second power-on ends configured" power_on token-second "$work/token.img" "$work/tokenlab"
    check "$arch token board: ... no CAPF" json_lacks "$work/token-second.json" '.event == "capfStarting"'
    check "$arch token board: the token's PIN is never on the console" \
        not grep -qF "$(debugfs -R "cat /token-pin" "$work/token.img.factory" 2>/dev/null)" "$work"/token-*.console

    # 9. Firmware updates (docs/firmware-loads.md, "On the board"): the factory flash holds load
    # BOARD.1 in slot A; the lab serves BOARD.2 and BOARD.3, each the firmware with that load ID
    # (set after the link) as the load's one image phone-ID.sbn, signed by the tests'
    # image-signing key.
    marks_of() { debugfs -R "cat /slots/boot" "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
    serve_load() {  # serve_load LAB ID
        mkdir -p "$work/load-$2"
        toolchain/set-load-id.sh "out/$arch/phone" "$2" "$work/load-$2/phone-$2" \
            && "$cucm_lab" load add "$2" --dir "$1" --image "$work/load-$2/phone-$2" --signer Tests/ImageSigning/test-image-signer.pem >/dev/null
    }
    name_load() {  # name_load LAB ID: the device's configuration names load ID (no new CAPF operation)
        "$cucm_lab" device add SEPA45630BBFA40 --dir "$1" --profile encrypted --capf-auth auto --operation none --key rsa:2048 \
            --load "$2" >/dev/null
    }
    new_lab "$work/updlab" -- --key rsa:2048 --load BOARD.2
    serve_load "$work/updlab" BOARD.2
    mkdir -p "$work/load-BOARD.3"
    printf '#!/bin/sh\n[ "$1" = --version ] && echo BOARD.3 && exit 0\nsleep 100000\n' >"$work/load-BOARD.3/phone-BOARD.3"
    "$cucm_lab" load add BOARD.3 --dir "$work/updlab" --image "$work/load-BOARD.3/phone-BOARD.3" --signer Tests/ImageSigning/test-image-signer.pem >/dev/null
    toolchain/board.sh flash "$arch" --out "$work/upd.img" --mic "$mic" --load BOARD.1
    check "$arch update: the factory flash holds BOARD.1 in slot A, good" test "$(marks_of "$work/upd.img")" = "good A"
    power_on upd-enrol "$work/upd.img" "$work/updlab" --until reboot
    check "$arch update A → B: BOARD.1 ran from slot A" console_has upd-enrol "board: load: slot A, BOARD.1"
    power_on upd-stage "$work/upd.img" "$work/updlab" --until reboot
    check "$arch update A → B: BOARD.2 staged in slot B" json_has "$work/upd-stage.json" \
        '.event == "loadStaged" and .load == "BOARD.2" and .slot == "B" and .images == 1'
    # B's first boot enrols (the LSC taken off the flash, an install scheduled): the reset it
    # asks for belongs to B's attempt.
    schedule_install "$work/updlab" --key rsa:2048 --load BOARD.2
    debugfs -w -R "rm /phone/lsc.pem" "$work/upd.img" >/dev/null 2>&1
    check "$arch update A → B: the board ends configured" power_on upd "$work/upd.img" "$work/updlab"
    check "$arch update A → B: B ran on trial" console_has upd "board: load: slot B on trial, BOARD.2"
    check "$arch update A → B: ... enrolled, and went on with its attempt after the reset" json_has "$work/upd.json" '.event == "capfLSCStored"'
    check_equal "$arch update A → B: ... B on trial at both power-ons of the attempt" 2 "$(grep -c "board: load: slot B on trial, BOARD.2" "$work/upd.console")"
    check "$arch update A → B: B configured and marked itself good" test "$(marks_of "$work/upd.img")" = "good B"
    check "$arch update A → B: the next power-on is still B, configured" power_on upd-again "$work/upd.img" "$work/updlab"
    check "$arch update A → B: ... from slot B, no update" console_has upd-again "board: load: slot B, BOARD.2"
    check "$arch update A → B: ... nothing staged" json_lacks "$work/upd-again.json" '.event == "loadStaged"'
    # A load C that never configures, twice: its image a script that hangs (answering --version
    # only), cut off at the trial's deadline; then BOARD.4, the firmware, whose configuration the
    # lab refuses (a bit flipped). Each is tried once; the next power-on marks it failed and
    # starts B, whose boot says the load failed its trial.
    name_load "$work/updlab" BOARD.3
    power_on upd-stage-c "$work/upd.img" "$work/updlab" --until reboot
    check "$arch update to C: BOARD.3 staged in slot A" json_has "$work/upd-stage-c.json" '.event == "loadStaged" and .load == "BOARD.3" and .slot == "A"'
    power_on upd-c "$work/upd.img" "$work/updlab" --until reboot --deadline 5
    check "$arch update to C: C ran on trial" console_has upd-c "board: load: slot A on trial, BOARD.3"
    check "$arch update to C: ... cut off at its deadline" console_has upd-c "board: load: slot A on trial ended with code 137 (failed, crashed, or cut off at 5 s): rebooting"
    check "$arch update to C: the next power-on ends configured" power_on upd-back "$work/upd.img" "$work/updlab"
    check "$arch update to C: ... the init marked C failed" console_has upd-back "board: load: slot A never reached configured: marked failed"
    check "$arch update to C: ... and started B" console_has upd-back "board: load: slot B, BOARD.2"
    check "$arch update to C: ... the phone says C failed its trial and did not fetch it again" json_has "$work/upd-back.json" \
        '.event == "loadNotStaged" and .load == "BOARD.3" and (.cause | test("failed its trial"))'
    check "$arch update to C: ... B good, A failed" test "$(marks_of "$work/upd.img")" = "good B failed A"
    check "$arch update to C: ... and the phone's status says so" json_has <(status_of "$work/upd.img") \
        '.slots.good == "B" and .slots.failed == "A" and .slots.A == "BOARD.3" and .slots.B == "BOARD.2"'
    # The non-secure profile: the flipped bit lands in the signed configuration the phone uses.
    serve_load "$work/updlab" BOARD.4
    "$cucm_lab" device add SEPA45630BBFA40 --dir "$work/updlab" --profile non-secure --operation none --key rsa:2048 --load BOARD.4 >/dev/null
    power_on upd-stage-d "$work/upd.img" "$work/updlab" --until reboot
    check "$arch update to a refused load: BOARD.4 staged in slot A" json_has "$work/upd-stage-d.json" '.event == "loadStaged" and .load == "BOARD.4"'
    power_on upd-d "$work/upd.img" "$work/updlab" --until reboot --lab-attack flipped-bit
    check "$arch update to a refused load: it ran on trial and its configuration was refused" json_has "$work/upd-d.json" \
        '.result == "failed" and .failure == "configRejected"'
    check "$arch update to a refused load: ... the init rebooted" console_has upd-d "board: load: slot A on trial ended with code 1 ("
    check "$arch update to a refused load: the next power-on ends configured in B" power_on upd-back-d "$work/upd.img" "$work/updlab"
    check "$arch update to a refused load: ... B, and the phone says BOARD.4 failed its trial" json_has "$work/upd-back-d.json" \
        '.event == "loadNotStaged" and .load == "BOARD.4" and (.cause | test("failed its trial"))'
    # Power cuts during the image write and between the slot record and the reboot: the next
    # power-on starts a whole load, and the board ends configured.
    update_cut() {  # update_cut NAME MOMENT WHOLE: cut at MOMENT; WHOLE, the load the next power-on may start
        local name=$1 moment=$2 whole=$3
        new_lab "$work/$name-lab" -- --key rsa:2048 --load BOARD.2
        serve_load "$work/$name-lab" BOARD.2
        toolchain/board.sh flash "$arch" --out "$work/$name.img" --mic "$mic" --load BOARD.1
        power_on "$name" "$work/$name.img" "$work/$name-lab" --timeout 480 --cut-at "$moment"
        check_equal "$arch update cut at $moment: the power was cut" 124 "$?"
        check "$arch update cut at $moment: the next power-on ends configured" \
            power_on "$name-after" "$work/$name.img" "$work/$name-lab" --timeout 480
        check "$arch update cut at $moment: ... started a whole load" \
            grep -qE -m1 "$whole" <(grep -m1 "board: load: " "$work/$name-after.console")
        check "$arch update cut at $moment: ... and never one that is not whole" not console_has "$name-after" "does not hold a whole load"
        check "$arch update cut at $moment: ... and ended in B, good" test "$(marks_of "$work/$name.img")" = "good B"
    }
    # The image's fetch cut: B has no record, A starts. The cut at loadStaged: A, or B on trial
    # when its record and mark reached the flash. Never a slot that is not whole.
    update_cut upd-cut-fetch '"file":"phone-BOARD.2.sbn"' "board: load: slot A, BOARD.1"
    update_cut upd-cut-staged '"event":"loadStaged"' "board: load: slot (A, BOARD.1|B on trial, BOARD.2)"

    # 10. aarch64 only: power cuts (`cut`) at the other moments around the enrolling boot's
    # writes: the configuration's fetch (after the ITL is stored), the certificate received
    # (before the LSC is stored), the result line (after the encrypted flag and the TVS
    # servers are stored). Here rather than with the other cuts in part 1: the two parts then
    # take about as long.
    if [ "$arch" = aarch64 ]; then
        local index=0 moment
        for moment in '"file":"SEPA45630BBFA40.cnf.xml.sgn"' '"event":"capfCertificateReceived"' '{"result":"configured"'; do
            index=$((index + 1))
            cut "more-cut$index" "$moment"
        done
    fi
}

case "$part" in
    1) enrolling_boots_and_cuts ;;
    2) broken_boards_tokens_updates ;;
    '') enrolling_boots_and_cuts; broken_boards_tokens_updates ;;
esac

if [ "$checks_failed" -gt 0 ]; then
    for file in "$work"/*.console; do echo "== $file"; tail -40 "$file"; done
    for log in "$work"/*/serve.log; do echo "== $log"; tail -20 "$log"; done
fi
rm -rf "$work"
summary "board-$arch${part:+ part $part}"
