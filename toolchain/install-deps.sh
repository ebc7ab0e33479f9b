#!/usr/bin/env bash
# Installs what building, testing, cross-building and benchmarking need, from Debian's
# packages: mbedTLS 2.28 for the host and for arm64, the arm64 C library and crt files,
# QEMU user-mode emulation; OpenSSL's libcrypto and libxml2 for the benchmarks'
# references. Idempotent: does nothing when everything is present.
set -euo pipefail

packages=(libmbedtls-dev libmbedtls-dev:arm64 libc6-dev-arm64-cross gcc-aarch64-linux-gnu
          binutils-aarch64-linux-gnu qemu-user tftpd-hpa libsqlite3-dev python3
          libssl-dev libxml2-dev)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing: ${missing[*]}" >&2
dpkg --print-foreign-architectures | grep -qx arm64 || as_root dpkg --add-architecture arm64
# A mirror mid-sync can fail one index (seen here for bookworm-security): go on with
# the indexes that did download, and try the install twice.
as_root apt-get update -qq || echo "apt-get update reported errors; continuing with the indexes it has" >&2
install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
install || { sleep 10; as_root apt-get update -qq || true; install; }
# The tests start their own tftpd on a loopback port; the packaged daemon is not needed.
as_root service tftpd-hpa stop >/dev/null 2>&1 || true
