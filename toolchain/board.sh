#!/usr/bin/env bash
# The phone on an emulated ARM board (qemu-system -M virt, docs/board.md): its own kernel,
# flash, network, clock and reboots.
#   board.sh build ARCH          → out/ARCH/board/: Debian's kernel (on armv7 also unpacked, as
#                                  uImage), an initramfs (busybox,
#                                  mke2fs, the firmware and its libraries, the modules it needs,
#                                  toolchain/board/init as /init)
#   board.sh flash ARCH --out FILE [--mic PEM] [--size MB] [--token] [--load ID]
#                                  a factory-fresh flash: FILE the state partition (blank, made
#                                  at the first power-on; with --load, ext4 holding the first
#                                  load in slot A: the firmware, its load ID set to ID, as the
#                                  load's one image phone-ID.sbn, its record, marked good),
#                                  FILE.factory the factory partition
#                                  (ext2, read-only on the board: the MIC and its key, when given);
#                                  --token: FILE.token, the secure element's stand-in (a disk of
#                                  its own holding an empty SoftHSM2 token "phone" made by
#                                  SoftHSM2 of the architecture), its user PIN and the module
#                                  with its libraries on the factory partition: the phone's keys
#                                  are generated and used there
#   board.sh run ARCH --flash FILE --lab DIR [--rtc DATE] [--date DATE] [--memory MB] [--mac MAC]
#                [--pid-file F] [--until configured|reboot] [--backoff-ms N] [--server HOST]
#                [--no-network] [--json] [--timeout S] [--cut-at TEXT|+SECONDS] [--deadline S]
#                [--lab-attack NAME]
#                                  inside a network namespace of its own: `cucm-lab serve` of DIR
#                                  on the namespace's loopback naming 10.0.2.2, and the board;
#                                  prints the console, follows the phone's reboots, powers off
#                                  when the phone ends (configured, failed) or, with
#                                  --until reboot, at its first reboot. --cut-at: a power cut
#                                  (SIGKILL of QEMU) when the console shows TEXT, or after
#                                  SECONDS. --deadline: the init's limit on a load on trial
#                                  (phone.deadline_s, 300). --lab-attack: the lab serves with
#                                  `--attack NAME` (docs/hostile-clusters.md). Exits 0 when configured, else the phone's exit code
#                                  (`phone boot`; 7 at the reboot with --until reboot), 124 when
#                                  the board was cut off (--cut-at, --timeout, a kernel panic),
#                                  1 when the init stopped before the phone ran.
#   board.sh status ARCH --flash FILE [--json]
#                                  `phone status` of the state on a flash image (and of its
#                                  load slots, when it has them)
# ARCH: aarch64 or armv7. Root is needed for `run` (the network namespace).
set -euo pipefail
caller=$PWD
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
absolute() { case "$1" in /*|'') printf '%s' "$1" ;; *) printf '%s' "$caller/$1" ;; esac; }
cd "$(dirname "$0")/.."
. toolchain/lib.sh

usage() { sed -n '2,/^set -euo/p' "$self" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 arch=$2
shift 2
case "$arch" in
    aarch64) debarch=arm64 triplet=aarch64-linux-gnu kernel_meta=linux-image-arm64 qemu=qemu-system-aarch64 cpu=cortex-a53
             loader=ld-linux-aarch64.so.1 ;;
    armv7) debarch=armhf triplet=arm-linux-gnueabihf kernel_meta=linux-image-armmp-lpae qemu=qemu-system-arm cpu=cortex-a15
           loader=ld-linux-armhf.so.3 ;;
    *) echo "board.sh: unknown architecture $arch (aarch64, armv7)" >&2; exit 2 ;;
esac
board=out/$arch/board

# The kernel modules the board needs, in the order given; each one's own dependencies
# (its .modinfo `depends=`) are loaded before it. Built-in ones are skipped.
wanted_modules=(virtio_mmio virtio_net virtio_blk crc32c_generic ext4)

build() {
    # One build of a board at a time (the board check's two parts may both start one): the
    # second waits, then finds it up to date.
    hold_lock "$board/.build-lock"
    install_packages qemu-system-arm cpio e2fsprogs
    ensure_architecture "$debarch"
    [ -x "out/$arch/phone" ] || toolchain/build-firmware.sh "$arch"
    # Up to date when nothing it is made from (the firmware, the init, this script) is newer.
    if [ -f "$board/initrd.gz" ] && [ -z "$(find "out/$arch/phone" toolchain/board "$self" -newer "$board/initrd.gz")" ]; then
        echo "board $arch: up to date ($board)"
        return 0
    fi
    local debs=$board/debs root=$board/root
    mkdir -p "$debs"
    # The kernel: the package Debian's meta package names today, never a version written here.
    local kernel_package
    kernel_package=$(apt-cache depends "$kernel_meta:$debarch" | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -1)
    [ -n "$kernel_package" ] || { echo "board.sh: $kernel_meta:$debarch names no kernel package" >&2; exit 1; }
    local packages=("$kernel_package" busybox-static e2fsprogs libext2fs2 libcom-err2 libblkid1 libuuid1)
    apt-cache show "libe2p2:$debarch" >/dev/null 2>&1 && packages+=(libe2p2)
    local package
    for package in "${packages[@]}"; do
        ls "$debs/${package}_"*"_$debarch.deb" >/dev/null 2>&1 \
            || (cd "$debs" && apt-get download -q "$package:$debarch" >/dev/null 2>&1) \
            || { echo "board.sh: apt-get download $package:$debarch failed" >&2; exit 1; }
    done
    local unpacked=$board/unpacked
    rm -rf "$unpacked" "$root"
    mkdir -p "$unpacked" "$root"/{bin,sbin,etc,lib/modules,"lib/$triplet",dev,proc,sys,run,flash,factory,token}
    # Only what this build resolved: an older kernel left in the cache stays out.
    for package in "${packages[@]}"; do
        dpkg-deb -x "$(ls -v "$debs/${package}_"*"_$debarch.deb" | tail -1)" "$unpacked"
    done

    local version
    version=$(ls "$unpacked/lib/modules")
    cp "$unpacked/boot/vmlinuz-$version" "$board/vmlinuz"
    # armv7: the zImage's Image unpacked here, once, rather than by its decompressor at every
    # power-on (1.3 s of each under TCG); a zImage it does not know boots as it is.
    rm -f "$board/uImage" "$board/uImage.new"
    if [ "$arch" = armv7 ] && ! python3 toolchain/board/unpack_kernel.py "$board/vmlinuz" "$board/uImage"; then
        echo "board $arch: the kernel is booted compressed (slower power-ons)"
    fi
    cp "$unpacked/bin/busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"   # the init's interpreter, before it installs the other applets
    cp toolchain/board/init "$root/init"
    cp toolchain/board/udhcpc.script "$root/etc/udhcpc.script"
    cp "out/$arch/phone" "$root/phone"
    copy_with_libraries "$unpacked/sbin/mke2fs" "$root/sbin/mke2fs" "$unpacked"
    copy_with_libraries "out/$arch/phone" "" "$unpacked"

    local modules_dir=$unpacked/lib/modules/$version order=() module
    add_module() {  # add_module NAME: the module and, first, what it depends on
        local name=$1 file dependency
        [[ " ${order[*]} " == *" $name "* ]] && return 0
        file=$(find "$modules_dir" -name "$name.ko" -o -name "${name//_/-}.ko" | head -1)
        if [ -z "$file" ]; then
            grep -qiE "^CONFIG_${name^^}=y" "$unpacked/boot/config-$version" \
                || { echo "board.sh: kernel module $name neither in $kernel_package nor built in" >&2; exit 1; }
            return 0
        fi
        for dependency in $(strings -a "$file" | sed -n 's/^depends=//p' | tr ',' ' '); do add_module "$dependency"; done
        cp "$file" "$root/lib/modules/$name.ko"
        order+=("$name")
    }
    for module in "${wanted_modules[@]}"; do add_module "$module"; done
    printf '%s\n' "${order[@]}" >"$root/etc/modules"

    as_root mknod -m 600 "$root/dev/console" c 5 1
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 >"$board/initrd.gz"
    echo "board $arch: kernel $kernel_package ($(stat -c %s "$board/vmlinuz") bytes), initramfs $(stat -c %s "$board/initrd.gz") bytes, modules: ${order[*]}"
}

# copy_with_libraries BINARY DEST UNPACKED: the binary (to DEST, unless empty) and every
# shared library it needs, found among the unpacked packages or the cross C library.
copy_with_libraries() {
    local binary=$1 destination=$2 unpacked=$3 needed library found directory
    [ -z "$destination" ] || cp "$binary" "$destination"
    for needed in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -e "$root/lib/$triplet/$needed" ] && continue
        found=
        for directory in "$unpacked/lib/$triplet" "$unpacked/usr/lib/$triplet" "/usr/$triplet/lib" "/usr/lib/$triplet"; do
            [ -e "$directory/$needed" ] && { found=$directory/$needed; break; }
        done
        [ -n "$found" ] || { echo "board.sh: $needed (needed by $binary) not found" >&2; exit 1; }
        cp -L "$found" "$root/lib/$triplet/$needed"
        copy_with_libraries "$found" "" "$unpacked"
    done
    [ -e "$root/lib/$loader" ] || cp -L "/usr/$triplet/lib/$loader" "$root/lib/$loader"
}

flash() {
    local out= mic= size=64 token= load=
    while [ $# -gt 0 ]; do
        case "$1" in
            --out) out=$(absolute "$2"); shift 2 ;;
            --load) load=$2; shift 2 ;;
            --mic) mic=$(absolute "$2"); shift 2 ;;
            --size) size=$2; shift 2 ;;
            --token) token=1; shift ;;
            *) usage ;;
        esac
    done
    [ -n "$out" ] || usage
    install_packages e2fsprogs
    umask 077   # the images will hold the phone's keys
    # The state partition: blank, as a factory leaves it; the first power-on makes it ext4.
    rm -f "$out" "$out.factory" "$out.token"
    truncate -s "${size}M" "$out"
    if [ -n "$load" ]; then
        # The factory's first load in slot A, as the phone's SlotStore writes a slot.
        local state
        state=$(mktemp -d)
        mkdir -p "$state/slots/A" "$state/phone"
        local image=$state/slots/A/phone-$load.sbn
        toolchain/set-load-id.sh "out/$arch/phone" "$load" "$image" || { rm -rf "$state"; exit 1; }
        printf 'load %s\nimage %s %s %s\n' "$load" "${image##*/}" "$(stat -c %s "$image")" "$(sha256sum "$image" | cut -d' ' -f1)" \
            >"$state/slots/A.record"
        printf 'good A\n' >"$state/slots/boot"
        mke2fs -q -F -t ext4 -L state -d "$state" "$out" "${size}M" >/dev/null
        rm -rf "$state"
    fi
    # The factory partition: what the factory wrote, nothing else.
    local factory
    factory=$(mktemp -d)
    if [ -n "$mic" ]; then install -m 0400 "$mic" "$factory/mic.pem"; fi
    local factory_size=1M
    if [ -n "$token" ]; then
        [ -f "$board/initrd.gz" ] || { echo "board.sh: no board for $arch: run board.sh build $arch" >&2; exit 2; }
        make_token "$out.token" "$factory/token-pin"
        copy_module "$factory/pkcs11"
        factory_size=16M
    fi
    mke2fs -q -F -t ext2 -L factory -d "$factory" "$out.factory" "$factory_size" >/dev/null
    rm -rf "$factory"
}

run() {
    local flash= lab= rtc=utc date= memory=128 mac=A4:56:30:BB:FA:40 pid_file= until=configured backoff= server= network=1
    local timeout=300 json= cut_at= deadline= lab_attack=
    while [ $# -gt 0 ]; do
        case "$1" in
            --flash) flash=$(absolute "$2"); shift 2 ;;
            --lab) lab=$(absolute "$2"); shift 2 ;;
            --rtc) rtc=$2; shift 2 ;;
            --date) date=$2; shift 2 ;;
            --memory) memory=$2; shift 2 ;;
            --mac) mac=$2; shift 2 ;;
            --pid-file) pid_file=$(absolute "$2"); shift 2 ;;
            --until) until=$2; shift 2 ;;
            --backoff-ms) backoff=$2; shift 2 ;;
            --server) server=$2; shift 2 ;;
            --no-network) network=0; shift ;;
            --json) json=1; shift ;;
            --timeout) timeout=$2; shift 2 ;;
            --cut-at) cut_at=$2; shift 2 ;;
            --deadline) deadline=$2; shift 2 ;;
            --lab-attack) lab_attack=$2; shift 2 ;;
            *) usage ;;
        esac
    done
    [ -n "$flash" ] && [ -n "$lab" ] || usage
    [ -x "$cucm_lab" ] || build_host_tools >&2 || exit 1
    [ -f "$board/initrd.gz" ] || { echo "board.sh: no board for $arch: run board.sh build $arch" >&2; exit 2; }
    [ -f "$flash" ] && [ -f "$flash.factory" ] || { echo "board.sh: no flash $flash (board.sh flash)" >&2; exit 2; }
    case "$until" in configured|reboot) ;; *) usage ;; esac
    # cryptomgr.notests: the kernel's crypto self-tests, run at every power-on, took 1.5 s of
    # each armv7 kernel's boot under TCG (0.4 s on aarch64); the phone uses none of the
    # kernel's ciphers (its CRNG is not among what they test).
    local kernel=$board/vmlinuz
    [ ! -f "$board/uImage" ] || kernel=$board/uImage
    local append="console=ttyAMA0 quiet panic=-1 cryptomgr.notests phone.mac=$mac${backoff:+ phone.backoff_ms=$backoff}${server:+ phone.server=$server}"
    [ -z "$date" ] || append+=" phone.date=$date"
    [ -z "$json" ] || append+=" phone.json=1"
    [ -z "$deadline" ] || append+=" phone.deadline_s=$deadline"
    local machine=(-M virt -cpu "$cpu" -m "$memory" -display none -monitor none -serial stdio -no-user-config
                   -kernel "$kernel" -initrd "$board/initrd.gz" -append "$append" -rtc "base=$rtc"
                   -drive "if=none,id=state,format=raw,file=$flash" -device virtio-blk-device,drive=state,serial=state
                   -drive "if=none,id=factory,format=raw,readonly=on,file=$flash.factory"
                   -device virtio-blk-device,drive=factory,serial=factory)
    [ ! -f "$flash.token" ] || machine+=(-drive "if=none,id=token,format=raw,file=$flash.token"
                                         -device virtio-blk-device,drive=token,serial=token)
    # QEMU's user network: the board is 10.0.2.15, the namespace's loopback is 10.0.2.2 to
    # it, and DHCP names 10.0.2.2 as the TFTP server (option 66).
    if [ "$network" = 1 ]; then
        machine+=(-netdev user,id=n0,tftp-server-name=10.0.2.2 -device "virtio-net-device,netdev=n0,mac=$mac")
    else
        machine+=(-nic none)   # else QEMU adds a default network card
    fi
    [ "$until" = configured ] || machine+=(-no-reboot)
    # Everything from here on runs inside a network namespace of its own: the lab and the
    # board see each other and nothing else, whatever a configuration names.
    exec unshare -n -- "$self" inside "$arch" "$lab" "$pid_file" "$timeout" "$cut_at" "$lab_attack" "$qemu" "${machine[@]}"
}

# make_token IMAGE PIN-FILE: IMAGE an ext4 disk holding tokens/, an empty SoftHSM2 token
# "phone" made by softhsm2-util of the board's architecture (under QEMU user mode); its user
# PIN, new for each board, in PIN-FILE.
make_token() {
    local image=$1 pin_file=$2 module libraries made
    { read -r module; read -r libraries; } < <(toolchain/softhsm.sh "$arch")
    # On a tmpfs: under qemu-arm a 32-bit SoftHSM2 cannot list an ext4 directory of the host.
    made=$(mktemp -d -p /dev/shm)
    mkdir "$made/disk" "$made/disk/tokens"
    softhsm_conf "$made/disk/tokens" "$made/softhsm2.conf"
    od -An -N8 -tx8 /dev/urandom | tr -d ' ' >"$pin_file"
    chmod 0400 "$pin_file"
    SOFTHSM2_CONF=$made/softhsm2.conf PHONE_GUEST_LIBRARY_PATH=$libraries \
        PHONE_GUEST_PROGRAM=$(dirname "$module")/../../bin/softhsm2-util toolchain/run-firmware.sh "$arch" \
        --module "$module" --init-token --free --label phone --pin "$(cat "$pin_file")" \
        --so-pin "$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" >/dev/null \
        || { rm -rf "$made"; echo "board.sh: softhsm2-util ($arch) did not make the token" >&2; exit 1; }
    # ext4, journalled like the state partition: SoftHSM2 rewrites its object files in place.
    mke2fs -q -F -t ext4 -L token -d "$made/disk" "$image" 8M >/dev/null
    rm -rf "$made"
}

# copy_module DIRECTORY: SoftHSM2's module of the architecture, as libsofthsm2.so, and the
# libraries it needs that the board's ROM does not hold (OpenSSL's libcrypto, libstdc++…),
# into DIRECTORY for the factory partition: with them in the ROM the initramfs doubled and
# the aarch64 board no longer booted in 64 MB.
copy_module() {
    local directory=$1 module libraries sysroot
    { read -r module; read -r libraries; } < <(toolchain/softhsm.sh "$arch")
    sysroot=${module%/usr/lib/softhsm/libsofthsm2.so}
    mkdir -p "$directory"
    cp "$module" "$directory/libsofthsm2.so"
    copy_needed() {  # copy_needed BINARY: what it needs, and what that needs, unless the ROM has it
        local needed candidate found
        for needed in $(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [ -e "$board/root/lib/$triplet/$needed" ] || [ -e "$board/root/lib/$needed" ] || [ -e "$directory/$needed" ] && continue
            found=
            for candidate in "$sysroot/usr/lib/$triplet/$needed" "$sysroot/lib/$triplet/$needed" "/usr/$triplet/lib/$needed"; do
                [ -e "$candidate" ] && { found=$candidate; break; }
            done
            [ -n "$found" ] || { echo "board.sh: $needed (needed by $1) not found" >&2; exit 1; }
            cp -L "$found" "$directory/$needed"
            copy_needed "$found"
        done
    }
    copy_needed "$module"
}

# inside ARCH LAB PID-FILE TIMEOUT CUT-AT QEMU ARGUMENT…: the lab and the board, in the namespace.
inside() {
    local lab=$1 pid_file=$2 timeout=$3 cut_at=$4 lab_attack=$5 emulator=$6
    shift 6
    # QEMU's user network turns the board's connections into the host's: never outside a
    # namespace of its own.
    if [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net)" ]; then
        echo "board.sh: inside runs only in the network namespace board.sh run makes" >&2
        exit 2
    fi
    ip link set lo up
    # Globals, not locals: the EXIT trap runs after this function has returned.
    qemu_pid= timer=
    local console
    console=$(mktemp -u)
    # Whatever ends this script (the board done, a signal, an error) ends QEMU and the lab too.
    trap 'for pid in $timer $qemu_pid; do kill -KILL "$pid" 2>/dev/null; done; stop_labs; rm -f "'"$console"'"' EXIT
    trap 'exit 143' TERM INT
    # The lab on the ports a cluster uses; the files it serves name the board's view of it.
    lab_http=6970 lab_tftp=69 lab_capf=3804 lab_tvs=2445 lab_sip=5061 lab_https=6971
    start_lab "$lab" "$lab/serve.log" --advertise 10.0.2.2 ${lab_attack:+--attack "$lab_attack"} \
        || { echo "board.sh: the lab did not start (see $lab/serve.log)" >&2; exit 1; }
    mkfifo "$console"
    "$emulator" "$@" <"/dev/null" >"$console" 2>&1 &
    qemu_pid=$!
    [ -z "$pid_file" ] || echo "$qemu_pid" >"$pid_file"
    # The timer cuts the power after --timeout (or the +SECONDS of --cut-at); QEMU is this
    # script's child and is reaped only after the timer has been stopped, so its process id
    # cannot have been reused when the timer fires.
    local limit=$timeout
    [[ "$cut_at" != +* ]] || limit=${cut_at#+}
    ( sleep "$limit"; kill -KILL "$qemu_pid" ) >/dev/null 2>&1 &
    timer=$!
    local line code=
    while IFS= read -r line; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        case "$line" in
            "board: phone exited "*) code=${line#board: phone exited }; code=${code%% *} ;;
            "board: phone asked for a reset"*) code=7 ;;
            # A panicking kernel would reboot into the same panic until the timeout.
            *"Kernel panic - not syncing"*) kill -KILL "$qemu_pid" 2>/dev/null || true ;;
        esac
        if [ -n "$cut_at" ] && [[ "$cut_at" != +* ]] && [[ "$line" == *"$cut_at"* ]]; then
            kill -KILL "$qemu_pid" 2>/dev/null || true
            echo "board.sh: power cut at: $cut_at"
        fi
    done <"$console"
    kill -KILL "$timer" 2>/dev/null || true
    wait "$timer" 2>/dev/null || true
    timer=
    local qemu_status=0
    wait "$qemu_pid" || qemu_status=$?
    qemu_pid=
    if [ "$qemu_status" -eq 137 ]; then echo "board.sh: the board was cut off before the phone ended"; exit 124; fi
    # The phone's last word: a reset the board went on from is followed by the next boot's.
    [ -n "$code" ] && exit "$code"
    exit 1
}

# has_ext_magic IMAGE: the ext2/3/4 superblock's magic (0xEF53 at byte 1080) is there.
has_ext_magic() { [ "$(od -An -tx1 -j1080 -N2 "$1" | tr -d ' ')" = 53ef ]; }

status() {
    local flash= json=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --flash) flash=$(absolute "$2"); shift 2 ;;
            --json) json=(--json); shift ;;
            *) usage ;;
        esac
    done
    [ -n "$flash" ] || usage
    local work
    work=$(mktemp -d)
    # A copy, its journal replayed as the board's next mount would: the image stays as it is.
    cp --sparse=always "$flash" "$work/state.img"
    if ! has_ext_magic "$work/state.img"; then
        if [ ${#json[@]} -gt 0 ]; then echo '{"statePartition":"blank"}'
        else echo "state partition: no filesystem (blank or garbage: the next power-on makes it anew)"; fi
        rm -rf "$work"
        return 0
    fi
    local fsck=0
    e2fsck -p "$work/state.img" >"$work/fsck.log" 2>&1 || fsck=$?
    if [ "$fsck" -ge 4 ]; then
        if [ ${#json[@]} -gt 0 ]; then echo "{\"statePartition\":\"unrepairable\",\"fsck\":$fsck}"
        else echo "state partition: an ext4 filesystem e2fsck cannot repair (exit $fsck)"; cat "$work/fsck.log"; fi
        rm -rf "$work"
        return 1
    fi
    mkdir -p "$work/state"
    debugfs -R "rdump /phone $work/state" "$work/state.img" >/dev/null 2>&1
    # The load slots, when the flash has them: the marks and each slot's load.
    local slots=()
    debugfs -R "rdump /slots $work" "$work/state.img" >/dev/null 2>&1
    [ ! -d "$work/slots" ] || slots=(--slots "$work/slots")
    local mic=()
    if debugfs -R "dump /mic.pem $work/mic.pem" "$flash.factory" >/dev/null 2>&1 && [ -s "$work/mic.pem" ]; then
        mic=(--factory-mic "$work/mic.pem")
    fi
    # A board with a token: its copy on a tmpfs (qemu-arm, as make_token), its PIN from the
    # factory partition.
    # Both lines read whole: `| head -1` could end softhsm.sh by SIGPIPE and, under pipefail
    # and set -e, this script with it (seen when two boards ran at once).
    local token=() tokens= module libraries
    { read -r module; read -r libraries; } < <(toolchain/softhsm.sh "$arch")
    if [ -f "$flash.token" ]; then
        tokens=$(mktemp -d -p /dev/shm)
        debugfs -R "rdump /tokens $tokens" "$flash.token" >/dev/null 2>&1
        debugfs -R "dump /token-pin $work/token-pin" "$flash.factory" >/dev/null 2>&1
        softhsm_conf "$tokens/tokens" "$work/softhsm2.conf"
        token=(--pkcs11 "$module" --token phone --pin-file "$work/token-pin")
    fi
    local result=0
    SOFTHSM2_CONF=$work/softhsm2.conf PHONE_GUEST_LIBRARY_PATH=$libraries \
        toolchain/run-firmware.sh "$arch" status --state "$work/state/phone" "${mic[@]}" "${token[@]}" "${slots[@]}" "${json[@]}" \
        || result=$?
    rm -rf "$work" ${tokens:+"$tokens"}
    return "$result"
}

case "$command" in
    build) build "$@" ;;
    flash) flash "$@" ;;
    run) run "$@" ;;
    inside) inside "$@" ;;
    status) status "$@" ;;
    *) usage ;;
esac
