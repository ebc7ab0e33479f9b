#!/usr/bin/env bash
# The phone's keys in a TPM 2.0, through the same PKCS#11 interface as SoftHSM2: swtpm (a
# software TPM, on a Unix socket in this check's directory), tpm2-abrmd (the resource
# manager: without one the TPM's three transient-object slots are full after one
# tpm2-tools command, "out of memory for object contexts") on a D-Bus session bus of this
# check's own, and tpm2-pkcs11's token made with tpm2_ptool. The phone loads
# libtpm2_pkcs11.so as it loads any module. An RSA-2048 enrolment with the key generated
# in the TPM and the `.enc.sgn` unwrapped there; an EC P-256 enrolment and the configuration
# over HTTPS with the TPM's key as the TLS client key; no private key on the flash.
# Usage: toolchain/tpm-check.sh   Prints "tpm: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
build_host_tools || exit 1
phone=$host_phone
module=$(dpkg -L libtpm2-pkcs11-1 | grep '/pkcs11/libtpm2_pkcs11\.so$' | head -1)
[ -n "$module" ] || { echo "tpm-check: libtpm2-pkcs11-1 is not installed (toolchain/install-deps.sh)"; exit 1; }
work=$(mktemp -d)
tpm_pids=()
cleanup() {
    stop_labs
    local pid
    for pid in "${tpm_pids[@]}"; do stop_process "$pid"; done
}
trap cleanup EXIT

# The TPM: swtpm's state and sockets in $work; its control socket must be the data
# socket's path with ".ctrl" (tss2's swtpm TCTI connects there).
mkdir -p "$work/tpm" "$work/store"
swtpm socket --tpm2 --tpmstate "dir=$work/tpm" --server "type=unixio,path=$work/tpm.sock" \
    --ctrl "type=unixio,path=$work/tpm.sock.ctrl" --flags not-need-init,startup-clear >"$work/swtpm.log" 2>&1 &
tpm_pids+=("$!")
dbus-daemon --session --nofork --address="unix:path=$work/bus" --print-address=1 >"$work/bus.address" 2>"$work/dbus.log" &
tpm_pids+=("$!")
for _ in $(seq 100); do [ -S "$work/tpm.sock" ] && [ -s "$work/bus.address" ] && break; sleep 0.05; done
export DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus"
tpm2-abrmd --session --allow-root --tcti="swtpm:path=$work/tpm.sock" >"$work/abrmd.log" 2>&1 &
tpm_pids+=("$!")
export TPM2TOOLS_TCTI=tabrmd:bus_type=session TPM2_PKCS11_TCTI=tabrmd:bus_type=session TPM2_PKCS11_STORE=$work/store
# tpm2_ptool reaches the resource manager once it has claimed its bus name.
for _ in $(seq 100); do tpm2_ptool init --path "$work/store" >"$work/ptool.log" 2>&1 && break; sleep 0.1; done
pin=48261937  # distinctive: the check below searches every output for it
# "phone" for the phone; "other" for a second phone's boot, which must not touch the first's keys.
for label in phone other; do
    tpm2_ptool addtoken --pid=1 --label="$label" --userpin="$pin" --sopin=5678 --path "$work/store" >>"$work/ptool.log" 2>&1 \
        || { cat "$work/ptool.log" "$work/abrmd.log"; exit 1; }
done
printf '%s\n' "$pin" >"$work/pin"
mic=Tests/Vectors/interop/pki/phone-mic.pem
token=(--pkcs11 "$module" --token phone --pin-file "$work/pin")
privkeys() { pkcs11-tool --module "$module" --token-label phone --login --pin "$pin" --list-objects --type privkey 2>/dev/null; }
boot() {  # boot NAME STATE [TOKEN]: `phone boot --json` against the lab, the key on the TPM's token TOKEN
    # (default: phone); NAME.json, NAME.err
    "$phone" boot --server "127.0.0.1:$lab_http" --https-port "$lab_https" --mac A45630BBFA40 --state "$2" --mic "$mic" \
        --backoff-ms 100 --json --pkcs11 "$module" --token "${3:-phone}" --pin-file "$work/pin" >"$work/$1.json" 2>"$work/$1.err"
}

# 1. RSA-2048: the key generated in the TPM, the .enc.sgn unwrapped there.
new_lab "$work/lab" -- --key rsa:2048
start_lab "$work/lab" "$work/lab.log"
check "tpm RSA-2048 enrolment ends configured" boot rsa "$work/state"
check "tpm RSA-2048: the LSC was installed" json_has "$work/rsa.json" '.event == "capfInstallRequested" and .key == "RSA-2048"'
check "tpm RSA-2048: the .enc.sgn decrypted with the TPM's key" json_has "$work/rsa.json" '.event == "configApplied" and .encrypted == true'
objects=$(privkeys) || exit 1
check "tpm: pkcs11-tool lists the LSC key (label phone-lsc)" grep -q "label: *phone-lsc" <<<"$objects"
check "tpm: the LSC key is sensitive and never extractable" grep -q "sensitive, always sensitive, never extractable" <<<"$objects"
check "tpm: no private key in the state directory (but the MIC given as a PEM)" no_private_key_in "$work/state"
check "tpm: phone status says the LSC key is on the token" json_has <("$phone" status --state "$work/state" --json "${token[@]}") \
    '.lsc.keyOn == "token" and .lsc.token == "phone" and (.lsc.keyID | test("^[0-9a-f]+$")) and .lsc.tokenKey == "RSA-2048"'
check "tpm: the second boot ends configured" boot second "$work/state"
check "tpm: the second boot needed no CAPF" json_lacks "$work/second.json" '.event == "capfStarting"'
# tpm2-pkcs11 generates RSA-1024 and 2048 only: a cluster asking for 4096 meets the token's refusal.
schedule_install "$work/lab" --key rsa:4096
boot rsa4096 "$work/state4096" other
check_equal "tpm: an RSA-4096 install is refused by the token (exit 8)" 8 "$?"
check "tpm: ... the token's answer is named" grep -q "key store: the token answered" "$work/rsa4096.err"
check "tpm: the first phone's LSC key is still in its token" grep -q "label: *phone-lsc" <<<"$(privkeys)"
stop_labs

# 2. EC P-256: the TPM's EC key signs the TLS client handshake of the HTTPS configuration.
new_lab_ports
new_lab "$work/eclab" --ec -- --key ec:P-256
start_lab "$work/eclab" "$work/eclab.log"
check "tpm EC P-256 enrolment ends configured" boot ec "$work/ecstate"
check "tpm EC P-256: the LSC was installed" json_has "$work/ec.json" '.event == "capfInstallRequested" and .key == "EC P-256"'
check "tpm EC P-256: the configuration came over HTTPS with the TPM's key" json_has "$work/ec.json" '.event == "httpsConfigApplied"'
check "tpm EC P-256: an EC key in the TPM" grep -q "Private Key Object; EC" <<<"$(privkeys)"
check "tpm EC P-256: no private key in the state directory" no_private_key_in "$work/ecstate"
stop_labs
check "tpm: the PIN is never printed" not grep -rq "$pin" "$work"/*.err "$work"/*.json
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
summary tpm
