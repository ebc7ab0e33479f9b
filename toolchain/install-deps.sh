#!/usr/bin/env bash
# Installs what building, testing, cross-building and benchmarking need, from Debian's
# packages: mbedTLS 2.28 for the host and for arm64, the arm64 C library and crt files,
# QEMU user-mode emulation; OpenSSL's libcrypto and libxml2 for the benchmarks'
# references; jq for the checks that read the phone's JSON log; the PKCS#11 header
# (p11-kit's), SoftHSM2 and OpenSC's pkcs11-tool for the key-store checks; swtpm,
# tpm2-abrmd (on a D-Bus session bus), tpm2-pkcs11 and its tpm2_ptool for the TPM check;
# QEMU's system emulation, cpio and e2fsprogs for the emulated boards (installed here, first,
# so that no apt runs while the test command builds the boards beside other checks).
# Idempotent: does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh

ensure_architecture arm64
install_packages libmbedtls-dev libmbedtls-dev:arm64 libc6-dev-arm64-cross gcc-aarch64-linux-gnu \
    binutils-aarch64-linux-gnu qemu-user tftpd-hpa libsqlite3-dev python3 libssl-dev libxml2-dev \
    pkg-config jq libp11-kit-dev softhsm2 opensc swtpm tpm2-abrmd dbus-daemon tpm2-tools libtpm2-pkcs11-1 \
    libtpm2-pkcs11-tools libtss2-tcti-swtpm0 libtss2-tcti-tabrmd0 qemu-system-arm cpio e2fsprogs
# The tests start their own tftpd on a loopback port; the packaged daemon is not needed.
as_root service tftpd-hpa stop >/dev/null 2>&1 || true
