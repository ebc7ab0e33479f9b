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
vectors=../shared/vectors/interop
passed=0
failed=0

expect() {  # expect STATUS DESCRIPTION -- phone arguments…
    local want=$1 what=$2
    shift 3
    local got
    run "$@" >"$work/vector.out" 2>"$work/vector.err"
    got=$?
    if [ "$got" -eq "$want" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $what (exit $got, wanted $want): $(cat "$work/vector.err")"; fi
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

if run decrypt $vectors/SEPA45630BBFA40.cnf.xml.enc.sgn --key $vectors/pki/phone-mic.pem \
        --trust $vectors/ITLFile.tlv | cmp -s - $vectors/plain-SEPA45630BBFA40.cnf.xml; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: decrypted config differs from the plain file"
fi
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
summary=$(run boot --server "127.0.0.1:$port" --mac A4:56:30:BB:FA:40 --state "$state/phone" \
        --mic $vectors/pki/phone-mic.pem 2>"$work/boot.err")
if [[ "$summary" == *"call manager 1: cucm-sub1.example.test"* ]]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: boot over HTTP: $(tail -3 "$work/boot.err")"
fi
status=$(run status --state "$state/phone")
if [[ "$status" == *"md5:     $(cat $vectors/phone-mic.md5)"* ]]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: status does not show the MIC hash"
fi
stop_process "$server"
rm -rf "$work"
echo "firmware-$arch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
