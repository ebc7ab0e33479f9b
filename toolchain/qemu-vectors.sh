#!/usr/bin/env bash
# The ARM build against the interop vectors under QEMU: what each vector's README
# line says the phone must do. Prints "qemu: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
vectors=../shared/vectors/interop
passed=0
failed=0

expect() {  # expect STATUS DESCRIPTION -- phone arguments…
    local want=$1 what=$2
    shift 3
    local got
    toolchain/run-qemu.sh "$@" >/tmp/qemu-vectors.out 2>/tmp/qemu-vectors.err
    got=$?
    if [ "$got" -eq "$want" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $what (exit $got, wanted $want): $(cat /tmp/qemu-vectors.err)"; fi
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

if toolchain/run-qemu.sh decrypt $vectors/SEPA45630BBFA40.cnf.xml.enc.sgn --key $vectors/pki/phone-mic.pem \
        --trust $vectors/ITLFile.tlv | cmp -s - $vectors/plain-SEPA45630BBFA40.cnf.xml; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: decrypted config differs from the plain file"
fi
echo "qemu: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
