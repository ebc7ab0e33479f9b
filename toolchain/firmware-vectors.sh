#!/usr/bin/env bash
# A firmware binary against the interop vectors (x86_64 natively, ARM under QEMU): what
# each vector's README line says the phone must do, and a whole boot over HTTP.
# Usage: toolchain/firmware-vectors.sh aarch64|armv7|x86_64   Prints "firmware-ARCH: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/firmware-vectors.sh aarch64|armv7|x86_64}
run() { toolchain/run-firmware.sh "$arch" "$@"; }
work=$(mktemp -d)
vectors=Tests/Vectors/interop

exits_quietly() {  # exits_quietly STATUS phone arguments…: the console is shown only when the status differs
    local want=$1
    shift
    exits "$want" run "$@" 2>"$work/vector.err" >/dev/null || { cat "$work/vector.err" >&2; return 1; }
}
expect() {  # expect STATUS DESCRIPTION -- phone arguments…
    local want=$1 what=$2
    shift 3
    check "$what (exit $want)" exits_quietly "$want" "$@"
}

expect 0 "ITL trusted on first use" -- verify $vectors/ITLFile.tlv
expect 0 "per-device ITL with an EC record" -- verify $vectors/ITLSEPA45630BBFA40.tlv
expect 0 "rollover accepted via ITLSEP" -- verify $vectors/rollover-ITLFile.tlv --trust $vectors/ITLSEPA45630BBFA40.tlv
expect 1 "rollover refused via ITLFile" -- verify $vectors/rollover-ITLFile.tlv --trust $vectors/ITLFile.tlv
expect 1 "rogue ITL refused" -- verify $vectors/rogue-ITLFile.tlv --trust $vectors/ITLFile.tlv
expect 1 "renamed ITL fetched as CTL" -- verify $vectors/renamed-as-CTLFile.tlv --name CTLFile.tlv
expect 0 "signed config" -- verify $vectors/signed-SEPA45630BBFA40.cnf.xml.sgn --trust $vectors/ITLFile.tlv --name SEPA45630BBFA40.cnf.xml.sgn
expect 1 "tampered body" -- verify $vectors/tampered-body-SEPA45630BBFA40.cnf.xml.sgn --trust $vectors/ITLFile.tlv --name SEPA45630BBFA40.cnf.xml.sgn
expect 1 "truncated config" -- verify $vectors/truncated-SEPA45630BBFA40.cnf.xml.sgn --trust $vectors/ITLFile.tlv --name SEPA45630BBFA40.cnf.xml.sgn
expect 1 "tampered cipher" -- decrypt $vectors/tampered-cipher-SEPA45630BBFA40.cnf.xml.enc.sgn --key $vectors/pki/phone-mic.pem --trust $vectors/ITLFile.tlv --name SEPA45630BBFA40.cnf.xml.enc.sgn

decrypts_to_plain() {
    run decrypt $vectors/SEPA45630BBFA40.cnf.xml.enc.sgn --key $vectors/pki/phone-mic.pem --trust $vectors/ITLFile.tlv \
        | cmp -s - $vectors/plain-SEPA45630BBFA40.cnf.xml
}
check "the decrypted config is the plain file" decrypts_to_plain
# A whole boot of the firmware over HTTP (python's http.server on loopback)
# serving the interop vectors: configured without CAPF, the MIC's hash matches.
served="$work/served"
state="$work/state"
mkdir -p "$served" "$state"
cp $vectors/ITLFile.tlv "$served/"
cp $vectors/partial-SEPA45630BBFA40.cnf.xml.sgn "$served/SEPA45630BBFA40.cnf.xml.sgn"
cp $vectors/SEPA45630BBFA40.cnf.xml.enc.sgn "$served/"
port=$(free_port)
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$served" >/dev/null 2>&1 &
server=$!
wait_for_port "$port"
boot() {
    run boot --server "127.0.0.1:$port" --mac A4:56:30:BB:FA:40 --state "$state/phone" --mic $vectors/pki/phone-mic.pem \
        >"$work/boot.out" 2>"$work/boot.err" || { local status=$?; tail -3 "$work/boot.err" >&2; return $status; }
}
check "boot over HTTP ends configured" boot
check "boot over HTTP: the configuration names the call manager" grep -q "call manager 1: cucm-sub1.example.test" "$work/boot.out"
check "status shows the MIC's hash" json_has <(run status --state "$state/phone" --json) ".mic.md5 == \"$(cat $vectors/phone-mic.md5)\""
# The firmware holds no code that writes TLS secrets: --keylog (a debug build's) is refused.
check "the firmware refuses --keylog (exit 2)" exits 2 run boot --server "127.0.0.1:$port" --mac A4:56:30:BB:FA:40 \
    --state "$state/phone" --keylog "$work/keys" 2>"$work/keylog.err"
check "the firmware says it keeps no TLS key log" grep -q "this build keeps no TLS key log" "$work/keylog.err"
check "the firmware wrote no key log" test ! -e "$work/keys"
# The running load's ID: the built one, then another given after the link.
check "--version prints the built load ID" test "$(run --version)" = phonesec-dev
check "set-load-id gives the binary another load ID" toolchain/set-load-id.sh "out/$arch/phone" SIP-TEST.9-9-9 "$work/phone"
check "... which --version prints" test "$(PHONE_GUEST_PROGRAM=$work/phone run --version)" = SIP-TEST.9-9-9
check "... and the patched binary still verifies a file" env PHONE_GUEST_PROGRAM="$work/phone" \
    toolchain/run-firmware.sh "$arch" verify $vectors/ITLFile.tlv >/dev/null
check "set-load-id refuses a 64-byte ID (exit 2)" exits 2 toolchain/set-load-id.sh "out/$arch/phone" \
    "$(printf 'A%.0s' $(seq 64))" "$work/long" 2>/dev/null
# `inspect` and `capf` are a workstation's tools: the host build's alone (the phone enrols in its boot).
check "the firmware leaves inspect to the host build (exit 2)" exits 2 run inspect $vectors/ITLFile.tlv 2>"$work/inspect.err"
check "... and says so" grep -q "inspect is a workstation's command" "$work/inspect.err"
check "the firmware leaves capf to the host build (exit 2)" exits 2 run capf --host 127.0.0.1:1 --device SEPA45630BBFA40 \
    --trust $vectors/ITLFile.tlv --state "$work/capf" 2>"$work/capf.err"
check "... and says so, having written nothing" grep -q "capf is a workstation's command" "$work/capf.err"
check "... nothing written" test ! -e "$work/capf"
stop_process "$server"
rm -rf "$work"
summary "firmware-$arch"
