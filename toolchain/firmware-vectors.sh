#!/usr/bin/env bash
# A firmware binary against the interop vectors (x86_64 natively, ARM under QEMU): each
# served to a whole boot over HTTP, which must do what the vector's README line says.
# Usage: toolchain/firmware-vectors.sh aarch64|armv7|x86_64   Prints "firmware-ARCH: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/firmware-vectors.sh aarch64|armv7|x86_64}
run() { toolchain/run-firmware.sh "$arch" "$@"; }
work=$(mktemp -d)
vectors=Tests/Vectors/interop

# The firmware checks and decrypts files in its boot alone (`verify` and `decrypt` are the
# host build's): each vector is served to a boot over HTTP (python's http.server on
# loopback), and its JSON log must say what the vector's README line says the phone does.
served="$work/served"
mkdir -p "$served"
port=$(free_port)
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$served" >/dev/null 2>&1 &
server=$!
wait_for_port "$port"
closed_port=$(free_port)   # 6971's stand-in: nothing listens, so HTTPS falls back to 6970
# serve VECTOR[:NAME]…: the served directory holds exactly these, each under NAME (its own
# name by default).
serve() {
    rm -f "$served"/*
    local file
    for file in "$@"; do cp "$vectors/${file%%:*}" "$served/$(basename "${file#*:}")"; done
}
# vector_boot NAME [FROM]: a boot of the served files with the state of boot FROM (a fresh
# one without), its JSON log in NAME.json; returns the boot's exit status.
vector_boot() {
    rm -rf "$work/$1"
    if [ -n "${2:-}" ]; then cp -r "$work/$2" "$work/$1"; else mkdir -p "$work/$1"; fi
    run boot --server "127.0.0.1:$port" --https-port "$closed_port" --mac A4:56:30:BB:FA:40 --state "$work/$1" \
        --mic $vectors/pki/phone-mic.pem --backoff-ms 1 >"$work/$1.json" 2>"$work/$1.err"
}

serve ITLFile.tlv signed-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn
check "ITL trusted on first use, the signed config applied (exit 0)" exits 0 vector_boot itl
check "... the ITL installed on first use" json_has "$work/itl.json" '.event == "trustListInstalled" and .kind == "ITL" and .outcome == "firstUse"'
check "... the config signed by the CallManager applied" json_has "$work/itl.json" \
    '.event == "configApplied" and .encrypted == false and (.signer | test("CN="))'
for vector in tampered-body truncated; do
    serve ITLFile.tlv "$vector-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn"
    check "${vector/-/ } config refused (exit 1)" exits 1 vector_boot "$vector" itl
    check "... the boot failed: the config rejected" json_has "$work/$vector.json" '.result == "failed" and .failure == "configRejected"'
done
serve rogue-ITLFile.tlv:ITLFile.tlv signed-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn
check "rogue ITL: the boot goes on with the installed one (exit 0)" exits 0 vector_boot rogue itl
check "... the rogue ITL refused, no TVS vouching for its signer" json_has "$work/rogue.json" \
    '.event == "trustListNotVouched" and .kind == "ITL" and (.signer // .cause | test("ROGUE"))'
check "... the config checked by the installed ITL" json_has "$work/rogue.json" '.event == "configApplied"'
serve rollover-ITLFile.tlv:ITLFile.tlv signed-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn
vector_boot rollover-refused itl
check "rollover refused by a phone that trusts ITLFile.tlv" json_has "$work/rollover-refused.json" \
    '.event == "trustListNotVouched" and .kind == "ITL"'
check "... nothing installed" json_lacks "$work/rollover-refused.json" '.event == "trustListInstalled"'
# The per-device ITL alone (no configuration: the boot then ends unconfigured, exit 3).
serve ITLSEPA45630BBFA40.tlv
vector_boot per-device
check "per-device ITL with an EC record installed on first use" json_has "$work/per-device.json" \
    '.event == "trustListInstalled" and .file == "ITLSEPA45630BBFA40.tlv" and .outcome == "firstUse"'
serve rollover-ITLFile.tlv:ITLFile.tlv
vector_boot rollover-accepted per-device
check "rollover accepted by a phone that trusts the per-device ITL" json_has "$work/rollover-accepted.json" \
    '.event == "trustListInstalled" and .kind == "ITL" and .file == "ITLFile.tlv"'
serve renamed-as-CTLFile.tlv:CTLFile.tlv ITLFile.tlv signed-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn
vector_boot renamed
check "an ITL served as CTLFile.tlv refused (filename mismatch)" json_has "$work/renamed.json" \
    '.event == "trustListRejected" and .kind == "CTL"'
# The tampered .enc.sgn: its signature fails before any decryption.
serve ITLFile.tlv partial-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn \
    tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn:SEPA45630BBFA40.cnf.xml.enc.sgn
check "tampered cipher refused (exit 1)" exits 1 vector_boot tampered-cipher
check "... the encrypted config rejected" json_has "$work/tampered-cipher.json" \
    '.result == "failed" and .failure == "configRejected" and (.reason | test("enc.sgn"))'
# The real encrypted configuration, decrypted with the MIC (its hash matches the partial's).
serve ITLFile.tlv partial-SEPA45630BBFA40.cnf.xml.sgn:SEPA45630BBFA40.cnf.xml.sgn SEPA45630BBFA40.cnf.xml.enc.sgn
check "the encrypted config: configured without CAPF (exit 0)" exits 0 vector_boot encrypted
check "... decrypted" json_has "$work/encrypted.json" '.event == "configApplied" and .encrypted == true'
check "... no CAPF" json_lacks "$work/encrypted.json" '.event == "capfStarting"'
check "... the configuration names the call manager" json_has "$work/encrypted.json" \
    '.result == "configured" and any(.summary[]; test("call manager 1: cucm-sub1.example.test"))'
check "status shows the MIC's hash" json_has <(run status --state "$work/encrypted" --json) ".mic.md5 == \"$(cat $vectors/phone-mic.md5)\""
# The firmware holds no code that writes TLS secrets: --keylog (a debug build's) is refused.
check "the firmware refuses --keylog (exit 2)" exits 2 run boot --server "127.0.0.1:$port" --mac A4:56:30:BB:FA:40 \
    --state "$work/keylog-state" --keylog "$work/keys" 2>"$work/keylog.err"
check "the firmware says it keeps no TLS key log" grep -q "this build keeps no TLS key log" "$work/keylog.err"
check "the firmware wrote no key log" test ! -e "$work/keys"
# The running load's ID: the built one, then another given after the link.
check "--version prints the built load ID" test "$(run --version)" = phonesec-dev
check "set-load-id gives the binary another load ID" toolchain/set-load-id.sh "out/$arch/phone" SIP-TEST.9-9-9 "$work/phone"
check "... which --version prints" test "$(PHONE_GUEST_PROGRAM=$work/phone run --version)" = SIP-TEST.9-9-9
check "... and the patched binary still reads the phone's state" json_has <(env PHONE_GUEST_PROGRAM="$work/phone" \
    toolchain/run-firmware.sh "$arch" status --state "$work/encrypted") ".mic.md5 == \"$(cat $vectors/phone-mic.md5)\""
check "set-load-id refuses a 64-byte ID (exit 2)" exits 2 toolchain/set-load-id.sh "out/$arch/phone" \
    "$(printf 'A%.0s' $(seq 64))" "$work/long" 2>/dev/null
# `inspect`, `verify`, `decrypt`, `trust` and `capf` are a workstation's tools, `provision-mic`
# a factory station's: the host build's alone (the phone checks, decrypts, asks TVS and
# enrols in its boot; PhoneProgram.hostBuildCommands).
for command in inspect verify decrypt trust; do
    check "the firmware leaves $command to the host build (exit 2)" exits 2 run "$command" $vectors/ITLFile.tlv 2>"$work/$command.err"
    check "... and says so" grep -q "$command is a workstation's command" "$work/$command.err"
done
check "the firmware leaves capf to the host build (exit 2)" exits 2 run capf --host 127.0.0.1:1 --device SEPA45630BBFA40 \
    --trust $vectors/ITLFile.tlv --state "$work/capf" 2>"$work/capf.err"
check "... and says so, having written nothing" grep -q "capf is a workstation's command" "$work/capf.err"
check "... nothing written" test ! -e "$work/capf"
check "the firmware leaves provision-mic to the host build (exit 2)" exits 2 run provision-mic --key "$vectors/pki/phone-mic.pem" \
    2>"$work/provision.err"
check "... and says so" grep -q "provision-mic is a factory station's command" "$work/provision.err"
stop_process "$server"
[ "$checks_failed" -gt 0 ] && echo "firmware-$arch: work kept in $work" || rm -rf "$work"
summary "firmware-$arch"
