# Helpers the toolchain scripts share; source it (`. toolchain/lib.sh`) from the repository root.

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() { python3 toolchain/ports.py free; }

# Waits up to about 10 s for something to accept connections on 127.0.0.1:PORT; fails otherwise.
wait_for_port() { python3 toolchain/ports.py wait "$1"; }

# Stops a process this script started, by its process id, and reaps it.
stop_process() {
    local pid=$1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# apt's lists updated. A mirror mid-sync can fail one index (seen here for
# bookworm-security): go on with the indexes that did download.
apt_update() { as_root apt-get update -qq || echo "apt-get update reported errors; continuing with the indexes it has" >&2; }
# Installs the Debian packages named that are not installed yet (as root, or through sudo).
install_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    # The install is tried twice: a mirror mid-sync can fail it once.
    apt_update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
        sleep 10
        as_root apt-get update -qq || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    }
}

# The host build a check runs (the lab cluster `cucm-lab`, the host `phone`): the debug
# build, which `build_host_tools` brings up to date, unless PHONE_HOST_BUILD names another
# that is built already (the test command's: AddressSanitizer's, .build-asan/debug, so that
# the checks' labs and phones run under it too; such a build also needs
# ASAN_OPTIONS=detect_leaks=0, or a leak report at a program's exit changes its exit code).
# CUCM_LAB names another lab program.
host_build=${PHONE_HOST_BUILD:-.build/debug}
cucm_lab=${CUCM_LAB:-$host_build/cucm-lab}
host_phone=$host_build/phone
build_host_tools() {
    if [ -n "${PHONE_HOST_BUILD:-}" ]; then
        [ -x "$cucm_lab" ] && [ -x "$host_phone" ] || { echo "no host build in $host_build (PHONE_HOST_BUILD)" >&2; return 1; }
    else
        swift build --product cucm-lab >/dev/null && swift build --product phone >/dev/null
    fi
}
lab_pids=()
# schedule_install DIR [device add option…]: SEPA45630BBFA40 on the encrypted profile with an
# install scheduled in the lab in DIR.
schedule_install() {
    local directory=$1
    shift
    "$cucm_lab" device add SEPA45630BBFA40 --dir "$directory" --profile encrypted --capf-auth auto --operation install "$@" >/dev/null
}
# new_lab DIR [init option…] -- [device add option…]: a new lab with the install scheduled.
new_lab() {
    local directory=$1 init=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do init+=("$1"); shift; done
    shift
    "$cucm_lab" init --dir "$directory" "${init[@]}" >/dev/null
    schedule_install "$directory" "$@"
}
# start_lab DIR LOG [SERVE-OPTION…]: `cucm-lab serve` of the lab in DIR on loopback, its
# output appended to LOG, with every service on a port of its own: HTTP, TFTP, CAPF, TVS,
# SIP-TLS and (for a lab made with --ec) HTTPS. Sets lab_http, lab_tftp,
# lab_capf, lab_tvs, lab_sip, lab_https; ports already set are kept (a restart serves on
# the same ones), `new_lab_ports` forgets them (a second server). Waits for HTTP.
start_lab() {
    local directory=$1 log=$2
    shift 2
    [ -n "${lab_http:-}" ] || { lab_http=$(free_port); lab_tftp=$(free_port); lab_capf=$(free_port); lab_tvs=$(free_port)
                                lab_sip=$(free_port); lab_https=$(free_port); }
    "$cucm_lab" serve --dir "$directory" --host 127.0.0.1 --http-port "$lab_http" --tftp-port "$lab_tftp" --capf-port "$lab_capf" \
        --tvs-port "$lab_tvs" --sip-tls-port "$lab_sip" --https-port "$lab_https" "$@" >>"$log" 2>&1 &
    lab_pids+=("$!")
    wait_for_port "$lab_http"
}
new_lab_ports() { lab_http=; lab_tftp=; lab_capf=; lab_tvs=; lab_sip=; lab_https=; }
# Stops every lab this script started (for `trap stop_labs EXIT`).
stop_labs() {
    local pid
    for pid in "${lab_pids[@]}"; do stop_process "$pid"; done
    lab_pids=()
}

# hold_lock FILE: this script holds FILE's lock (flock) from here until it exits; another
# that asks for it waits until then (two checks that build or unpack the same thing at once).
hold_lock() {
    local descriptor
    mkdir -p "$(dirname "$1")"
    exec {descriptor}>"$1"
    flock "$descriptor"
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_architecture DEBIAN-ARCH (arm64, armhf): dpkg takes packages of that architecture
# too; when it adds it, apt's lists are updated (its packages are not found before).
# Not `grep -q`: under pipefail its early exit can end dpkg with SIGPIPE and add the
# architecture again, beside another build doing the same (dpkg fails on its own lock).
ensure_architecture() {
    dpkg --print-foreign-architectures | grep -x "$1" >/dev/null && return 0
    as_root dpkg --add-architecture "$1"
    apt_update
}

# The Embedded Swift target of a firmware architecture: sets `triple` and `binutils` (the
# prefix of its binutils) and installs what building for it needs beyond install-deps.sh.
firmware_target() {
    case "$1" in
        aarch64) triple=aarch64-none-none-elf; binutils=aarch64-linux-gnu- ;;
        armv7)
            triple=armv7-none-none-eabi; binutils=arm-linux-gnueabihf-
            ensure_architecture armhf
            install_packages libmbedtls-dev:armhf libc6-dev-armhf-cross gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf ;;
        x86_64) triple=x86_64-unknown-none-elf; binutils= ;;
        *) echo "unknown architecture $1 (aarch64, armv7, x86_64)" >&2; return 2 ;;
    esac
}

# Checks and their summary, the same in every check script. A check runs what it checks
# itself, so no exit status can be read from the wrong command:
#   check DESCRIPTION COMMAND [ARGUMENT…]   holds when COMMAND exits 0
#   check_equal DESCRIPTION EXPECTED ACTUAL holds when the two texts are equal
#   (helpers for COMMAND: `not COMMAND…`, `exits STATUS COMMAND…`)
#   summary NAME                            prints "NAME: N passed, N failed"; fails when one did
# PHONE_CHECK_BREAK=TEXT turns every check whose description contains TEXT into its
# opposite: the way to watch a check go red (toolchain/check-selftest.sh does, in the
# test command). A break that matches no check fails the summary too.
checks_passed=0
checks_failed=0
checks_broken=0
record_check() {  # record_check DESCRIPTION HELD(1|0) [DETAIL]
    local description=$1 held=$2
    if [ -n "${PHONE_CHECK_BREAK:-}" ] && [[ "$description" == *"$PHONE_CHECK_BREAK"* ]]; then
        checks_broken=$((checks_broken + 1))
        held=$((1 - held))
        description="$description (broken on purpose by PHONE_CHECK_BREAK)"
    fi
    if [ "$held" = 1 ]; then
        checks_passed=$((checks_passed + 1))
    else
        checks_failed=$((checks_failed + 1))
        echo "FAIL: $description"
        if [ -n "${3:-}" ]; then printf '%s\n' "$3"; fi
    fi
    return 0
}
check() {
    local description=$1
    shift
    if "$@"; then record_check "$description" 1; else record_check "$description" 0; fi
}
check_equal() {
    if [ "$2" = "$3" ]; then record_check "$1" 1; else record_check "$1" 0 "  expected: $2
  actual:   $3"; fi
}
# json_has FILE JQ-CONDITION: one of the JSON lines of FILE (a `phone boot --json` log)
# satisfies the jq condition.
json_has() { jq -e --slurp "any(.[]; $2)" "$1" >/dev/null; }
# json_lacks FILE JQ-CONDITION: FILE holds JSON lines and none satisfies the condition (an
# empty or unreadable log lacks nothing: it fails).
json_lacks() { [ -s "$1" ] && jq -e --slurp "all(.[]; ($2) | not)" "$1" >/dev/null; }
# softhsm_conf TOKENDIR FILE: a SoftHSM2 configuration in FILE keeping its tokens in
# TOKENDIR (file backend, errors only), for SOFTHSM2_CONF.
softhsm_conf() {
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$1" >"$2"
}
# no_private_key_in DIR [all]: no file under DIR holds a private key in any PEM or DER form
# (mic.pem, a MIC given as a PEM with its key, is skipped unless "all" is given); fails when
# DIR holds no file at all, which would have searched nothing.
no_private_key_in() {
    local file searched=0
    while IFS= read -r -d '' file; do
        searched=1
        [ "$(basename "$file")" = mic.pem ] && [ "${2:-}" != all ] && continue
        grep -qaE "PRIVATE KEY" "$file" && return 1
        openssl pkey -in "$file" -noout 2>/dev/null && return 1
        openssl pkey -inform DER -in "$file" -noout 2>/dev/null && return 1
    done < <(find "$1" -type f -print0)
    [ "$searched" = 1 ]
}
# Holds when COMMAND answers no (exit 1), as grep does when nothing matches: `check "…" not
# grep -q …`. An error (grep's 2: a missing file) is no answer and fails.
not() {
    local status=0
    "$@" || status=$?
    [ "$status" = 1 ]
}
# Holds when COMMAND exits with STATUS: `check "…" exits 1 COMMAND…`.
exits() {
    local want=$1 got=0
    shift
    "$@" || got=$?
    [ "$got" = "$want" ] || { echo "  exit $got, wanted $want" >&2; return 1; }
}
summary() {
    echo "$1: $checks_passed passed, $checks_failed failed"
    if [ -n "${PHONE_CHECK_BREAK:-}" ] && [ "$checks_broken" = 0 ]; then
        echo "$1: PHONE_CHECK_BREAK='$PHONE_CHECK_BREAK' matched no check"
        return 1
    fi
    [ "$checks_failed" = 0 ]
}
