#!/usr/bin/env bash
# The phone's private keys on a PKCS#11 token: SoftHSM2 (Debian's softhsm2), a token
# directory of its own through SOFTHSM2_CONF, the host's `phone` against the lab on
# loopback. An RSA-2048 enrolment with the key generated on the token, the `.enc.sgn`
# unwrapped on it, the second boot from it; an EC P-256 enrolment and the configuration
# over HTTPS with the token's key as the TLS client key; pkcs11-tool (OpenSC) lists the key
# sensitive and never extractable, and no private key is anywhere in the state directory; an
# orphaned LSC key is destroyed at the next boot while others stay; a CAPF delete removes the
# key; the token's faults (wrong PIN, no such token, a library that is not a module, no
# library at all, a PIN file missing, and from a fault-injecting module a locked PIN, a full
# token, one removed, a session closed, a device error, a short signature, an oversized
# attribute) each end in exit 8 with the cause named, nothing written; power cuts inside the
# writes of a token enrolment; provision-mic; and a MIC generated inside the token.
# Usage: toolchain/token-check.sh   Prints "token: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
build_host_tools || exit 1
phone=$host_phone
module=/usr/lib/softhsm/libsofthsm2.so
[ -f "$module" ] || module=$(dpkg -L libsofthsm2 | grep '/libsofthsm2\.so$' | head -1)
work=$(mktemp -d)
trap stop_labs EXIT
mkdir -p "$work/tokens"
softhsm_conf "$work/tokens" "$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
pin=73914628  # distinctive: the check below searches every output for it
softhsm2-util --init-token --free --label phone --pin "$pin" --so-pin 5678 >/dev/null || exit 1
printf '%s\n' "$pin" >"$work/pin"
mic=Tests/Vectors/interop/pki/phone-mic.pem
token=(--pkcs11 "$module" --token phone --pin-file "$work/pin")
p11() { pkcs11-tool --module "$module" --token-label phone --login --pin "$pin" "$@" 2>/dev/null; }
# privkeys: the token's private key objects as pkcs11-tool lists them; fails when it fails.
privkeys() { p11 --list-objects --type privkey; }

# boot NAME LAB STATE [option…]: `phone boot --json` against the lab; NAME.json, NAME.err.
# The MIC is $boot_mic when set, else the vector MIC with its key.
boot() {
    local name=$1 lab_dir=$2 state=$3
    shift 3
    "$phone" boot --server "127.0.0.1:$lab_http" --https-port "$lab_https" --mac A45630BBFA40 --state "$state" \
        --mic "${boot_mic:-$mic}" --backoff-ms 100 --json "$@" >"$work/$name.json" 2>"$work/$name.err"
}

# 1. RSA-2048: the key generated on the token, the .enc.sgn unwrapped there.
new_lab "$work/lab" -- --key rsa:2048
start_lab "$work/lab" "$work/lab.log"
check "token RSA-2048 enrolment ends configured" boot rsa "$work/lab" "$work/state" "${token[@]}"
check "token RSA-2048: the LSC was installed" json_has "$work/rsa.json" '.event == "capfInstallRequested" and .key == "RSA-2048"'
check "token RSA-2048: the .enc.sgn decrypted with the token's key" json_has "$work/rsa.json" '.event == "configApplied" and .encrypted == true'
objects=$(privkeys) || exit 1
check "token: pkcs11-tool lists the LSC key (label phone-lsc)" grep -q "label: *phone-lsc" <<<"$objects"
check "token: the LSC key is sensitive and never extractable" grep -q "sensitive, always sensitive, never extractable" <<<"$objects"
check "token: lsc.pem holds the certificate alone" test "$(grep -c BEGIN "$work/state/lsc.pem")" = 1
check "token: no private key in the state directory (but the MIC given as a PEM)" no_private_key_in "$work/state"
"$phone" status --state "$work/state" --json "${token[@]}" >"$work/status.json"
id=$(sed -n 's/^ *ID: *//p' <<<"$objects" | head -1)
check "token: phone status says the LSC key is on the token, with its ID" json_has "$work/status.json" \
    ".lsc.keyOn == \"token\" and .lsc.token == \"phone\" and .lsc.keyID == \"$id\" and .lsc.tokenKey == \"RSA-2048\""
check_equal "token: the lab stored the LSC's md5" "$("$cucm_lab" sql --dir "$work/lab" "select md5hash from device where name='SEPA45630BBFA40'" | tail -1)" \
    "$(jq -r '.lsc.md5' "$work/status.json")"
curl -sf "http://127.0.0.1:$lab_http/SEPA45630BBFA40.cnf.xml.enc.sgn" -o "$work/served.enc.sgn"
check "token: phone decrypt unwraps the served .enc.sgn with the LSC's key on the token" grep -q "<deviceSecurityMode>" \
    <("$phone" decrypt "$work/served.enc.sgn" --key "$work/state/lsc.pem" --trust "$work/state/itl.tlv" \
        --name SEPA45630BBFA40.cnf.xml.enc.sgn "${token[@]}")
# A ciphertext for another key (the vector's, encrypted to the vector MIC): the cluster's
# doing, refused as such (exit 1), not the token failing (SoftHSM2 answers
# CKR_GENERAL_ERROR for the padding that does not check).
check "token: an .enc.sgn for another key is rejected (exit 1), not a key-store failure" exits 1 "$phone" decrypt \
    Tests/Vectors/interop/SEPA45630BBFA40.cnf.xml.enc.sgn --key "$work/state/lsc.pem" --trust Tests/Vectors/interop/ITLFile.tlv \
    --name SEPA45630BBFA40.cnf.xml.enc.sgn "${token[@]}" 2>"$work/other-key.err"
check "token: ... the key unwrap is named" grep -q "rejected:.*key" "$work/other-key.err"
check "token: without the token, the certificate alone decrypts nothing (exit 2)" exits 2 "$phone" decrypt "$work/served.enc.sgn" \
    --key "$work/state/lsc.pem" --trust "$work/state/itl.tlv" --name SEPA45630BBFA40.cnf.xml.enc.sgn 2>/dev/null
check "token: the second boot ends configured" boot second "$work/lab" "$work/state" "${token[@]}"
check "token: the second boot needed no CAPF" json_lacks "$work/second.json" '.event == "capfStarting"'
check "token: status without the token says the LSC's key cannot be used" json_has <("$phone" status --state "$work/state" --json) \
    '.lsc.keyStoreFailed == true and .lsc.subject == null'
lsc_before=$(md5sum <"$work/state/lsc.pem")
check "token: a boot without the token is refused (exit 8), nothing written" exits 8 "$phone" boot --server "127.0.0.1:$lab_http" \
    --mac A45630BBFA40 --state "$work/state" --mic "$mic" 2>"$work/notoken.err"
check "token: it names the missing key store" grep -q "key store: the key is on a token: give --pkcs11" "$work/notoken.err"
check_equal "token: lsc.pem unchanged by the refused boot" "$lsc_before" "$(md5sum <"$work/state/lsc.pem")"

# 2. An orphan: an LSC key no stored certificate names (a power cut between the key's
# generation and its certificate's rename) is destroyed at the next boot; other keys stay.
p11 --keypairgen --key-type rsa:1024 --label phone-lsc --id 0102 >/dev/null
p11 --keypairgen --key-type rsa:1024 --label someone-else --id 0304 >/dev/null
check "token: the next boot ends configured" boot orphan "$work/lab" "$work/state" "${token[@]}"
check "token: it says it destroyed the orphaned key" grep -q "destroyed 1 LSC key" "$work/orphan.err"
after=$(privkeys) || exit 1
check_equal "token: one phone-lsc key left" "1" "$(grep -c "label: *phone-lsc" <<<"$after")"
check "token: the key left is the LSC's (its ID)" grep -q "ID: *$id" <<<"$after"
check "token: the key of another label is untouched" grep -q "label: *someone-else" <<<"$after"
check "token: the orphan's public half went with it" not grep -q "label: *phone-lsc" <(p11 --list-objects --type pubkey)

# 3. A CAPF delete (a CAPF session of its own, `phone capf`) removes the LSC's key from the token.
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --profile encrypted --capf-auth auto --operation delete >/dev/null
check "token: CAPF delete ran" grep -q "operation: delete" <("$phone" capf --host "127.0.0.1:$lab_capf" --device SEPA45630BBFA40 \
    --trust "$work/state/itl.tlv" --state "$work/state" "${token[@]}" 2>&1)
after_delete=$(privkeys) || exit 1
check "token: the deleted LSC's key is gone from the token" not grep -q "label: *phone-lsc" <<<"$after_delete"
stop_labs

# 4. EC P-256: the token's EC key signs the TLS client handshake of the HTTPS configuration.
new_lab_ports
new_lab "$work/eclab" --ec -- --key ec:P-256
start_lab "$work/eclab" "$work/eclab.log"
check "token EC P-256 enrolment ends configured" boot ec "$work/eclab" "$work/ecstate" "${token[@]}"
check "token EC P-256: the LSC was installed" json_has "$work/ec.json" '.event == "capfInstallRequested" and .key == "EC P-256"'
check "token EC P-256: the configuration came over HTTPS with the token's key" json_has "$work/ec.json" '.event == "httpsConfigApplied"'
ec_objects=$(privkeys) || exit 1
check "token EC P-256: an EC key on the token" grep -q "Private Key Object; EC" <<<"$ec_objects"
check "token EC P-256: sensitive and never extractable" grep -q "sensitive, always sensitive, never extractable" <<<"$ec_objects"

# A token that fails in the middle of a boot (Tests/TokenFaults wraps SoftHSM2 and answers
# one call wrongly): exit 8, the cause named, the LSC on the flash as it was.
cc -shared -fPIC -o "$work/fault.so" Tests/TokenFaults/fault_module.c -ldl || exit 1
export PHONE_FAULT_MODULE=$module
faulty=(--pkcs11 "$work/fault.so" --token phone --pin-file "$work/pin")
mid_boot() {  # mid_boot NAME FAULT TEXT: the EC boot (its TLS client key on the token) with FAULT
    local name=$1 fault=$2 text=$3 before
    before=$(md5sum <"$work/ecstate/lsc.pem")
    PHONE_FAULT=$fault boot "$name" "$work/eclab" "$work/ecstate" "${faulty[@]}"
    check_equal "token fault $name: exit 8" 8 "$?"
    check "token fault $name: the cause is named" grep -q "$text" "$work/$name.err"
    check_equal "token fault $name: lsc.pem unchanged" "$before" "$(md5sum <"$work/ecstate/lsc.pem")"
}
mid_boot session-closed C_Sign:CKR_SESSION_CLOSED "the token closed the session"
check "token fault session-closed: the JSON result is keyStoreFailed, exit 8" \
    json_has "$work/session-closed.json" '.result == "failed" and .failure == "keyStoreFailed" and .exit == 8'
mid_boot device-error C_Sign:CKR_DEVICE_ERROR "the token failed (device error)"
mid_boot short-signature C_Sign:short "a result of the wrong length"
mid_boot oversized-attribute C_GetAttributeValue:oversized "an answer past its bound"
check "token: with the token whole again the EC boot ends configured" boot ec-again "$work/eclab" "$work/ecstate" "${token[@]}"
check "token EC P-256: no private key in the state directory" no_private_key_in "$work/ecstate"
stop_labs

# 5. Faults: each exit 8 with its cause named, the state directory untouched.
wrong_pin=26481937
printf '%s\n' "$wrong_pin" >"$work/wrong-pin"
fault() {  # fault NAME EXPECTED-TEXT option…
    local name=$1 text=$2
    shift 2
    "$phone" boot --server 127.0.0.1:9 --mac A45630BBFA40 --state "$work/faults" --mic "$mic" "$@" >"$work/$name.out" 2>"$work/$name.err"
    local code=$?
    check_equal "token fault $name: exit 8" 8 "$code"
    check "token fault $name: the cause is named" grep -q "$text" "$work/$name.err"
    check "token fault $name: nothing written" test ! -e "$work/faults/mic.pem"
}
fault wrong-pin "the token refused the PIN" --pkcs11 "$module" --token phone --pin-file "$work/wrong-pin"
fault no-token "no token labelled nosuch" --pkcs11 "$module" --token nosuch --pin-file "$work/pin"
fault not-a-module "not a PKCS#11 module" --pkcs11 "$(ldconfig -p | sed -n 's/.*libz\.so\.1 (libc6,x86-64) => //p' | head -1)" \
    --token phone --pin-file "$work/pin"
fault no-module "cannot be loaded" --pkcs11 "$work/nosuch.so" --token phone --pin-file "$work/pin"
fault no-pin-file "the PIN file" --pkcs11 "$module" --token phone --pin-file "$work/nosuch-pin"
PHONE_FAULT=C_Login:CKR_PIN_LOCKED fault pin-locked "the token's PIN is locked" "${faulty[@]}"

# 6. RSA enrolment on a token that is full, then on one removed before the unwrap: exit 8
# each time, the old identity whole; then the token as it should be.
new_lab_ports
new_lab "$work/lab3" -- --key rsa:2048
start_lab "$work/lab3" "$work/lab3.log"
PHONE_FAULT=C_GenerateKeyPair:CKR_DEVICE_MEMORY boot full "$work/lab3" "$work/state3" "${faulty[@]}"
check_equal "token fault full: exit 8" 8 "$?"
check "token fault full: the cause is named" grep -q "key store: the token is full" "$work/full.err"
check "token fault full: no LSC stored" test ! -e "$work/state3/lsc.pem"
check "token fault full: CAPF was not tried again" test "$(grep -c '"event":"capfTLSEstablished"' "$work/full.json")" -eq 1
check "token fault full: the JSON result is keyStoreFailed" json_has "$work/full.json" '.result == "failed" and .failure == "keyStoreFailed"'
PHONE_FAULT=C_Decrypt:CKR_DEVICE_REMOVED boot removed "$work/lab3" "$work/state3" "${faulty[@]}"
check_equal "token fault removed: exit 8" 8 "$?"
check "token fault removed: the cause is named" grep -q "key store: the token was removed" "$work/removed.err"
check "token fault removed: the LSC enrolled before it stays" test -s "$work/state3/lsc.pem"
check "token: with the token back the boot ends configured, no CAPF" boot back "$work/lab3" "$work/state3" "${token[@]}"
check "token: ... and needed no CAPF" json_lacks "$work/back.json" '.event == "capfStarting"'

# 6b. Power cuts: the phone killed inside each atomic write of an enrolment with the key on
# the token (before the rename, and after it), then a boot: it ends configured, and the
# token holds one phone-lsc key, the stored LSC's, and no public half (a generated pair's is
# destroyed once read; one the cut left goes with the orphans).
softhsm2-util --init-token --free --label cuts --pin "$pin" --so-pin 5678 >/dev/null || exit 1
cuts=(--pkcs11 "$module" --token cuts --pin-file "$work/pin")
cuts_objects() { pkcs11-tool --module "$module" --token-label cuts --login --pin "$pin" --list-objects --type "$1" 2>/dev/null; }
for variable in PHONE_TEST_CRASH_AT_WRITE PHONE_TEST_CRASH_AFTER_RENAME; do
    for write in 1 2 3 4; do
        rm -rf "$work/cutstate"
        schedule_install "$work/lab3" --key rsa:2048
        # In a subshell of its own, whose stderr takes bash's "Killed".
        (env "$variable=$write" "$phone" boot --server "127.0.0.1:$lab_http" --mac A45630BBFA40 --state "$work/cutstate" \
            --mic "$mic" --backoff-ms 100 --json "${cuts[@]}" >"$work/cut.json" 2>"$work/cut.err"; exit $?) 2>/dev/null
        check_equal "token cut $variable=$write: the phone was killed (SIGKILL)" 137 "$?"
        schedule_install "$work/lab3" --key rsa:2048
        check "token cut $variable=$write: the next boot ends configured" boot "cut-$write" "$work/lab3" "$work/cutstate" "${cuts[@]}"
        keys=$(cuts_objects privkey) || exit 1
        check_equal "token cut $variable=$write: one phone-lsc key on the token" 1 "$(grep -c "label: *phone-lsc" <<<"$keys")"
        check "token cut $variable=$write: ... the stored LSC's" grep -q "ID: *$(openssl x509 -in "$work/cutstate/lsc.pem" -noout \
            -pubkey | openssl rsa -pubin -RSAPublicKey_out -outform DER 2>/dev/null | sha1sum | cut -c1-40)" <<<"$keys"
        check_equal "token cut $variable=$write: no public half left" 0 "$(cuts_objects pubkey | grep -c "label: *phone-lsc")"
    done
done
stop_labs

# 7. The factory step: the MIC's key imported onto the token, then a factory-fresh phone
# given the MIC's certificate alone enrols (CAPF authenticated by the MIC's signature,
# made on the token) with nothing private on its flash.
openssl x509 -in "$mic" -out "$work/mic-cert.pem"
"$phone" provision-mic --key "$mic" --cert "$work/mic-cert.pem" "${token[@]}" >"$work/provision.out" 2>&1
check "token: provision-mic imports the MIC's key" grep -q "MIC key of .* imported: token phone (id [0-9a-f]*, RSA-2048)" "$work/provision.out"
mic_objects=$(privkeys) || exit 1
mic_key=$(grep -A8 "label: *phone-mic" <<<"$mic_objects")
check "token: the MIC's key is on the token, labelled phone-mic, sensitive" grep -q "sensitive" <<<"$mic_key"
check "token: provision-mic twice is refused (exit 2)" exits 2 "$phone" provision-mic --key "$mic" --cert "$work/mic-cert.pem" \
    "${token[@]}" 2>"$work/provision-twice.err"
new_lab_ports
new_lab "$work/lab4" -- --key rsa:2048
start_lab "$work/lab4" "$work/lab4.log"
boot_mic=$work/mic-cert.pem
check "token: a phone with the MIC's certificate alone enrols" boot micboot "$work/lab4" "$work/state4" "${token[@]}"
unset boot_mic
check "token: ... CAPF installed its LSC" json_has "$work/micboot.json" '.event == "capfEnded" and .result == "installed"'
check "token: ... and no private key is in its state directory at all (mic.pem included)" no_private_key_in "$work/state4" all
check "token: without the token the MIC's certificate alone is refused (exit 8)" exits 8 "$phone" boot \
    --server "127.0.0.1:$lab_http" --mac A45630BBFA40 --state "$work/state5" --mic "$work/mic-cert.pem" 2>"$work/mic-alone.err"

# 8. A MIC generated inside the token by its vendor (pkcs11-tool, not the phone), labelled
# and identified by the phone's rule (CKA_ID: SHA-1 of the RSAPublicKey), its certificate
# issued by a manufacturing key of this test: the phone given that certificate alone
# enrols with the MIC's signature made on the token.
softhsm2-util --init-token --free --label vendor --pin "$pin" --so-pin 5678 >/dev/null || exit 1
vendor() { pkcs11-tool --module "$module" --token-label vendor --login --pin "$pin" "$@" >/dev/null 2>&1; }
vendor --keypairgen --key-type rsa:2048 --label phone-mic --id 01 --usage-sign --sensitive --private || exit 1
vendor --read-object --type pubkey --id 01 -o "$work/vendor-mic.pub.der" || exit 1
openssl pkey -pubin -inform DER -in "$work/vendor-mic.pub.der" -out "$work/vendor-mic.pub.pem" || exit 1
vendor_id=$(openssl rsa -pubin -in "$work/vendor-mic.pub.pem" -RSAPublicKey_out -outform DER 2>/dev/null | sha1sum | cut -c1-40)
vendor --set-id "$vendor_id" --id 01 --type privkey && vendor --set-id "$vendor_id" --id 01 --type pubkey || exit 1
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/manufacturing-ca.key" 2>/dev/null || exit 1
openssl x509 -new -subj "/CN=CP-8841-SEPA45630BBFA40/O=Lab/OU=Manufacturing" -days 3650 \
    -force_pubkey "$work/vendor-mic.pub.pem" -key "$work/manufacturing-ca.key" -out "$work/vendor-mic.pem" || exit 1
new_lab_ports
new_lab "$work/lab6" -- --key rsa:2048
start_lab "$work/lab6" "$work/lab6.log"
boot_mic=$work/vendor-mic.pem
check "token: a MIC generated inside the token: the phone enrols with its certificate alone" boot vendormic "$work/lab6" \
    "$work/state6" --pkcs11 "$module" --token vendor --pin-file "$work/pin"
unset boot_mic
check "token: ... CAPF installed its LSC" json_has "$work/vendormic.json" '.event == "capfEnded" and .result == "installed"'
check "token: ... the LSC's key generated beside the vendor's MIC key" grep -q "label: *phone-lsc" \
    <(pkcs11-tool --module "$module" --token-label vendor --login --pin "$pin" --list-objects --type privkey 2>/dev/null)
check "token: ... no private key in its state directory at all" no_private_key_in "$work/state6" all
stop_labs
check "token: no PIN, right or wrong, is ever printed" not grep -rqE "$pin|$wrong_pin" "$work"/*.err "$work"/*.out "$work"/*.json
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
summary token
