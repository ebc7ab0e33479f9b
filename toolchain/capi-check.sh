#!/usr/bin/env bash
# The C API as a C firmware uses it: installs the library for ARCH (toolchain/install-lib.sh),
# builds the example Examples/secure-register and the refusal checks Tests/CAPI/refusals.c
# with `pkg-config --cflags --libs phonesec`, and runs them against the host's cucm-lab on
# loopback (x86_64 natively, aarch64 and armv7 under QEMU): the example boots with CAPF
# enrolment and registers over SIP-TLS; the refusals run against that phone, a copy of it
# without its LSC, and a second lab server whose SIP-TLS presents a certificate nobody trusts.
# Usage: toolchain/capi-check.sh x86_64|aarch64|armv7   Prints "capi-ARCH: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
arch=${1:?usage: toolchain/capi-check.sh x86_64|aarch64|armv7}
work=$(mktemp -d)
echo "capi-check: work in $work"
toolchain/install-lib.sh "$work/prefix" "$arch" >/dev/null || exit 1
build_host_tools || exit 1
export PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig
case "$arch" in
    x86_64) cc=(cc); run=() ;;
    aarch64) cc=(clang --target=aarch64-linux-gnu --gcc-toolchain=/usr -fuse-ld=lld -L/usr/lib/aarch64-linux-gnu)
             run=(qemu-aarch64 -L /usr/aarch64-linux-gnu) ;;
    armv7) cc=(clang --target=arm-linux-gnueabihf -march=armv7-a -mfloat-abi=hard --gcc-toolchain=/usr -fuse-ld=lld
               -L/usr/lib/arm-linux-gnueabihf)
           run=(qemu-arm -L /usr/arm-linux-gnueabihf) ;;
    *) echo "capi-check.sh: x86_64, aarch64 or armv7" >&2; exit 2 ;;
esac
# README's complete program ("Using the core from C") must build as it is printed.
python3 toolchain/readme_program.py >"$work/readme-program.c" || exit 1
for program in Examples/secure-register/secure-register.c Tests/CAPI/refusals.c "$work/readme-program.c"; do
    "${cc[@]}" -std=c99 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L "$program" $(pkg-config --cflags --libs phonesec) \
        -o "$work/$(basename "$program" .c)" || exit 1
done
trap stop_labs EXIT
"$cucm_lab" init --dir "$work/lab" >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --profile encrypted --capf-auth auto --operation install --key rsa:2048 >/dev/null
"$cucm_lab" device add SEP000000000099 --dir "$work/lab" --profile encrypted --capf-auth auto --operation install --key rsa:2048 >/dev/null
start_lab "$work/lab" "$work/lab.log"
http=$lab_http; sip=$lab_sip; lab_tvs_of_phone=$lab_tvs
openssl x509 -in "$work/lab/pki/ccm-tftp.pem" -outform DER -out "$work/ccm.der"
openssl x509 -in Tests/Vectors/interop/pki/rogue-sast.pem -outform DER -out "$work/stranger.der"

register() {
    "${run[@]}" "$work/secure-register" --server "127.0.0.1:$http" --mac A4:56:30:BB:FA:40 --state "$work/phone" \
        --mic Tests/Vectors/interop/pki/phone-mic.pem >"$work/register.out" 2>"$work/register.err"
}
check "$arch secure-register boots, enrols and registers (exit 0)" register
check "$arch secure-register prints registered" grep -qx registered "$work/register.out"
check "$arch the lab saw the REGISTER over the phone's LSC and answered 200" \
    grep -q "SIP-TLS: REGISTER for SEPA45630BBFA40 from CN=SEPA45630BBFA40.* → 200 OK" "$work/lab.log"
check "$arch the boot's events reached the C callback as data" grep -q "^event 9 state=configured" "$work/register.err"

# The same phone without its LSC (it presents the MIC), and a SIP-TLS server nobody trusts.
cp -r "$work/phone" "$work/mic-only" && rm "$work/mic-only/lsc.pem"
new_lab_ports
start_lab "$work/lab" "$work/evil.log" --attack sip-untrusted-certificate
evil_sip=$lab_sip
# refusals OUTPUT [BREAK]: the refusal program against this phone, the MIC-only copy and the
# evil server; BREAK is the PHONE_CHECK_BREAK it gets (none of the caller's ever reaches it:
# it would flip the program's check and this script's together).
refusals() {
    env -u PHONE_CHECK_BREAK ${2:+PHONE_CHECK_BREAK="$2"} "${run[@]}" "$work/refusals" --state "$work/phone" \
        --mic-only-state "$work/mic-only" --mac A4:56:30:BB:FA:40 --sip "127.0.0.1:$sip" --evil-sip "127.0.0.1:$evil_sip" \
        --tvs "127.0.0.1:$lab_tvs_of_phone" --ccm "$work/ccm.der" --stranger "$work/stranger.der" >"$1" 2>&1
}
check "$arch the C API's refusals (every check of Tests/CAPI/refusals.c)" refusals "$work/refusals.out"
grep "^FAIL" "$work/refusals.out"
echo "capi-$arch: $(grep -c '^ok' "$work/refusals.out") refusal checks held"
check "$arch the untrusted call manager's TLS handshake was abandoned" grep -q "SIP-TLS: handshake failed" "$work/evil.log"
check "$arch the untrusted call manager got no byte of a request" not grep -q "REGISTER" "$work/evil.log"
check "$arch the lab refused the REGISTER over the MIC with 403" \
    grep -q "REGISTER for SEPA45630BBFA40 from CN=CP-.*SEPA45630BBFA40.* → 403 Forbidden (the client certificate is not the LSC" "$work/lab.log"
check "$arch the lab refused a REGISTER as another device with 403" \
    grep -q "REGISTER for SEP000000000099 from CN=SEPA45630BBFA40.* → 403 Forbidden" "$work/lab.log"

# The program's own checks fail it: on x86_64, once more with one of them broken on purpose
# (its check() honours PHONE_CHECK_BREAK too), which must exit 1 naming that one alone. After
# the checks of the labs' logs, which so see the real run's traffic only.
if [ "$arch" = x86_64 ]; then
    broken_refusal="the ninth channel is refused"
    broken_status=0
    refusals "$work/refusals-broken.out" "$broken_refusal" || broken_status=$?
    check_equal "$arch a broken refusal check fails the refusal program (exit, failures, that one)" "1 1 1" \
        "$broken_status $(grep -c '^FAIL' "$work/refusals-broken.out") $(grep -c "^FAIL: $broken_refusal" "$work/refusals-broken.out")"
fi
echo "capi-$arch: libphonesec.a $(stat -c %s "$work/prefix/lib/libphonesec.a") bytes, secure-register linked with it" \
    "$(stat -c %s "$work/secure-register") bytes"
summary "capi-$arch" || exit 1
rm -rf "$work"   # kept when a check failed, for its logs
