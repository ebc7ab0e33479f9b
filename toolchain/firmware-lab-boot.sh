#!/usr/bin/env bash
# A firmware binary (x86_64 natively, ARM under QEMU) against the host's cucm-lab on
# loopback, through the whole encrypted-config flow with CAPF enrolment; then its
# `phone status` must show the md5hash the lab stored; and after the lab's CallManager key
# changes (`rotate-ccm`, lab restarted) its boot follows the new ITL because TVS vouches
# for the new signer (the trust decision asked on its own is the C API's: capi-check.sh). Then an EC lab
# (`init --ec`): CAPF issues an EC P-256 LSC and the configuration comes over HTTPS
# (formats.md §5), on that boot and on the next without CAPF.
# The boots are judged by their JSON log (`phone boot --json`), not by console words.
# Usage: toolchain/firmware-lab-boot.sh aarch64|armv7|x86_64   Prints "firmware-lab-ARCH: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/firmware-lab-boot.sh aarch64|armv7|x86_64}
build_host_tools || exit 1
work=$(mktemp -d)
trap 'stop_labs; [ -z "${tokens:-}" ] || rm -rf "$tokens"' EXIT

"$cucm_lab" init --dir "$work/lab" >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --profile encrypted --capf-auth auto --operation install --key rsa:2048 >/dev/null
start_lab "$work/lab" "$work/lab.log"
http=$lab_http

boot() {  # boot [ARGUMENT…]: the firmware's boot against the lab, its JSON log in boot.json, its console in boot.err
    toolchain/run-firmware.sh "$arch" boot --json --server "127.0.0.1:$http" --mac A4:56:30:BB:FA:40 --state "$work/phone" "$@" \
        >"$work/boot.json" 2>"$work/boot.err"
}
check "$arch boot against the lab ends configured" boot --mic Tests/Vectors/interop/pki/phone-mic.pem
check "$arch the JSON log's result: configured" json_has "$work/boot.json" '.result == "configured"'
check "$arch phone enrolled over CAPF/TLS" json_has "$work/boot.json" '.event == "capfEnded" and .result == "installed"'
check "$arch phone decrypted the .enc.sgn" json_has "$work/boot.json" '.event == "configApplied" and .encrypted == true'
stored=$("$cucm_lab" sql --dir "$work/lab" "select md5hash from device where name='SEPA45630BBFA40'" | tail -1)
toolchain/run-firmware.sh "$arch" status --state "$work/phone" --json >"$work/status.json"
check "$arch the lab stored an md5hash" test -n "$stored"
check "$arch phone status shows the md5hash the lab stored ($stored)" json_has "$work/status.json" ".lsc.md5 == \"$stored\""

stop_labs
"$cucm_lab" rotate-ccm --dir "$work/lab" >/dev/null
start_lab "$work/lab" "$work/lab.log"   # the same ports, as a cluster restarts its services
check "$arch boot after the CallManager key change ends configured" boot
check "$arch phone took the new ITL on TVS's word" \
    json_has "$work/boot.json" '.event == "trustListInstalled" and .kind == "ITL" and .outcome == "vouchedByTVS"'

stop_labs

# The EC story: ITL of signer version 1.1, EC LSC, the configuration over HTTPS.
"$cucm_lab" init --dir "$work/eclab" --ec >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/eclab" --profile encrypted --capf-auth auto --operation install --key ec:P-256 >/dev/null
start_lab "$work/eclab" "$work/lab.log"
https=$lab_https
ecboot() {
    toolchain/run-firmware.sh "$arch" boot --json --server "127.0.0.1:$http" --https-port "$https" --mac A4:56:30:BB:FA:40 \
        --state "$work/ecphone" --mic Tests/Vectors/interop/pki/phone-mic.pem >"$work/boot.json" 2>"$work/boot.err"
}
over_https='.event == "httpsConfigApplied" and .server == "CN=cucm-lab-ec,O=Lab,OU=CallManager"'
check "$arch boot against the EC lab ends configured" ecboot
check "$arch phone enrolled an EC P-256 LSC" json_has "$work/boot.json" '.event == "capfInstallRequested" and .key == "EC P-256"'
check "$arch phone took the configuration over HTTPS with its EC LSC" json_has "$work/boot.json" "$over_https"
check "$arch second EC boot ends configured" ecboot
check "$arch second EC boot: over HTTPS" json_has "$work/boot.json" "$over_https"
check "$arch second EC boot: no CAPF" json_lacks "$work/boot.json" '.event == "capfStarting"'
stop_labs

# The LSC's key in SoftHSM2 of the firmware's own architecture (Debian's arm64/armhf
# packages under QEMU for ARM: toolchain/softhsm.sh), loaded by the firmware with dlopen:
# an enrolling boot, the .enc.sgn unwrapped by the token, the key's place in `status`.
{ read -r module; read -r PHONE_GUEST_LIBRARY_PATH; } < <(toolchain/softhsm.sh "$arch")
export PHONE_GUEST_LIBRARY_PATH
# The token's files on a tmpfs: under qemu-arm a 32-bit SoftHSM2 cannot list an ext4
# directory of the 64-bit host (its 64-bit directory offsets), which a real armv7 board's
# own kernel never hands it.
tokens=$(mktemp -d -p /dev/shm)
softhsm_conf "$tokens" "$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
util=$(dirname "$module")/../../bin/softhsm2-util
[ "$arch" = x86_64 ] && util=softhsm2-util
make_token() {
    PHONE_GUEST_PROGRAM=$util toolchain/run-firmware.sh "$arch" --module "$module" --init-token --free --label phone \
        --pin 73914628 --so-pin 5678 >/dev/null
}
check "$arch token: SoftHSM2 of the architecture made a token" make_token
printf '73914628\n' >"$work/pin"
new_lab_ports
new_lab "$work/tokenlab" -- --key rsa:2048
start_lab "$work/tokenlab" "$work/tokenlab.log"
tokenboot() {
    toolchain/run-firmware.sh "$arch" boot --json --server "127.0.0.1:$lab_http" --mac A4:56:30:BB:FA:40 --state "$work/tokenphone" \
        --mic Tests/Vectors/interop/pki/phone-mic.pem --pkcs11 "$module" --token phone --pin-file "$work/pin" \
        >"$work/boot.json" 2>"$work/boot.err"
}
check "$arch boot with the key in SoftHSM2 ($arch) ends configured" tokenboot
check "$arch token: CAPF installed an RSA-2048 LSC" json_has "$work/boot.json" '.event == "capfInstallRequested" and .key == "RSA-2048"'
check "$arch token: the .enc.sgn decrypted by the token's key" json_has "$work/boot.json" '.event == "configApplied" and .encrypted == true'
check "$arch token: lsc.pem holds one certificate" test "$(grep -c "BEGIN CERTIFICATE" "$work/tokenphone/lsc.pem")" = 1
check "$arch token: ... and no private key" not grep -q "PRIVATE KEY" "$work/tokenphone/lsc.pem"
check "$arch token: status says the key is on the token" json_has \
    <(toolchain/run-firmware.sh "$arch" status --state "$work/tokenphone" --json --pkcs11 "$module" --token phone --pin-file "$work/pin") \
    '.lsc.keyOn == "token" and .lsc.token == "phone" and (.lsc.keyID | test("^[0-9a-f]+$")) and .lsc.tokenKey == "RSA-2048"'
check "$arch token: the second boot ends configured, no CAPF" tokenboot
check "$arch token: ... no CAPF" json_lacks "$work/boot.json" '.event == "capfStarting"'


if [ "$checks_failed" -gt 0 ]; then cat "$work/boot.json" "$work/boot.err" "$work/lab.log"; fi
rm -rf "$work"
summary "firmware-lab-$arch"
