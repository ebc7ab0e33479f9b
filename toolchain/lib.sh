# Helpers the toolchain scripts share; source it (`. toolchain/lib.sh`) from the repository root.

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits up to about 10 s for something to accept connections on 127.0.0.1:PORT; fails otherwise.
wait_for_port() {
    local port=$1
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing accepted connections on 127.0.0.1:$port within 10 s" >&2
    return 1
}

# Stops a process this script started, by its process id, and reaps it.
stop_process() {
    local pid=$1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Installs the Debian packages named that are not installed yet (as root, or through sudo).
install_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    # A mirror mid-sync can fail one index (seen here for bookworm-security): go on with
    # the indexes that did download, and try the install twice.
    as_root apt-get update -qq || echo "apt-get update reported errors; continuing with the indexes it has" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
        sleep 10
        as_root apt-get update -qq || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    }
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The Embedded Swift target of a firmware architecture: sets `triple` and `binutils` (the
# prefix of its binutils) and installs what building for it needs beyond install-deps.sh.
firmware_target() {
    case "$1" in
        aarch64) triple=aarch64-none-none-elf; binutils=aarch64-linux-gnu- ;;
        armv7)
            triple=armv7-none-none-eabi; binutils=arm-linux-gnueabihf-
            dpkg --print-foreign-architectures | grep -qx armhf || as_root dpkg --add-architecture armhf
            install_packages libmbedtls-dev:armhf libc6-dev-armhf-cross gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf ;;
        x86_64) triple=x86_64-unknown-none-elf; binutils= ;;
        *) echo "unknown architecture $1 (aarch64, armv7, x86_64)" >&2; return 2 ;;
    esac
}
