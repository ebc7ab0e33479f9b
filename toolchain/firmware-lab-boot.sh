#!/usr/bin/env bash
# A firmware binary (x86_64 natively, ARM under QEMU) against the host's cucm-lab on
# loopback, through the whole encrypted-config flow with CAPF enrolment; then its
# `phone status` must show the md5hash the lab stored; its `phone trust` asks the lab's
# TVS; and after the lab's CallManager key changes (`rotate-ccm`, lab restarted) its
# boot follows the new ITL because TVS vouches for the new signer. Then an EC lab
# (`init --ec`): CAPF issues an EC P-256 LSC and the configuration comes over HTTPS
# (formats.md §5), on that boot and on the next without CAPF.
# The boots are judged by their JSON log (`phone boot --json`), not by console words.
# Usage: toolchain/firmware-lab-boot.sh aarch64|armv7|x86_64   Prints "firmware-lab-ARCH: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/firmware-lab-boot.sh aarch64|armv7|x86_64}
swift build --product cucm-lab >/dev/null || exit 1
work=$(mktemp -d)
trap stop_labs EXIT

"$cucm_lab" init --dir "$work/lab" >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --profile encrypted --capf-auth auto --operation install --key rsa:2048 >/dev/null
start_lab "$work/lab" "$work/lab.log"
http=$lab_http; tvs=$lab_tvs

says() {  # says TEXT PATTERN: TEXT matches the shell pattern PATTERN
    [[ "$1" == $2 ]]
}
boot() {  # boot [ARGUMENT…]: the firmware's boot against the lab, its JSON log in boot.json, its console in boot.err
    toolchain/run-firmware.sh "$arch" boot --json --server "127.0.0.1:$http" --mac A4:56:30:BB:FA:40 --state "$work/phone" "$@" \
        >"$work/boot.json" 2>"$work/boot.err"
}
check "$arch boot against the lab ends configured" boot --mic Tests/Vectors/interop/pki/phone-mic.pem
check "$arch the JSON log's result: configured" json_has "$work/boot.json" '.result == "configured"'
check "$arch phone enrolled over CAPF/TLS" json_has "$work/boot.json" '.event == "capfEnded" and .result == "installed"'
check "$arch phone decrypted the .enc.sgn" json_has "$work/boot.json" '.event == "configApplied" and .encrypted == true'
stored=$("$cucm_lab" sql --dir "$work/lab" "select md5hash from device where name='SEPA45630BBFA40'" | tail -1)
status=$(toolchain/run-firmware.sh "$arch" status --state "$work/phone")
check "$arch the lab stored an md5hash" test -n "$stored"
check "$arch phone status shows the md5hash the lab stored ($stored)" says "$status" "*LSC:*md5:     $stored*"


trust() {  # trust CERT PURPOSE: the firmware's verdict, its exit code last
    toolchain/run-firmware.sh "$arch" trust "$1" --purpose "$2" --state "$work/phone" 2>>"$work/trust.err"
    echo "exit $?"
}
check "$arch phone trust: the CallManager signs configurations by the ITL" \
    says "$(trust "$work/lab/pki/ccm-tftp.pem" config)" "*trusted by the installed ITL*exit 0"
check "$arch phone trust: TVS vouches for the CallManager as an ITL signer" \
    says "$(trust "$work/lab/pki/ccm-tftp.pem" itl-signer)" "*trusted by TVS 127.0.0.1:$tvs (roles CCM+TFTP, valid for 3600 s)*exit 0"
check "$arch phone trust: a stranger is not trusted" \
    says "$(trust Tests/Vectors/interop/pki/rogue-sast.pem https)" "*not trusted: TVS 127.0.0.1:$tvs says invalid*exit 1"

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
if [ "$checks_failed" -gt 0 ]; then cat "$work/boot.json" "$work/boot.err" "$work/trust.err" "$work/lab.log"; fi
rm -rf "$work"
summary "firmware-lab-$arch"
