#!/usr/bin/env bash
# The Wireshark view of the phone's TLS, checked with tshark and the project's dissector
# (Tools/wireshark/capf_tvs.lua):
# - a whole boot with CAPF enrolment against the lab on loopback, captured with dumpcap,
#   the key log on (the phone's and the lab's must agree): every CAPF message of the
#   session, in order, with its elements decoded; then a live TVS question (`phone trust`)
#   in the same capture, its request and answer decoded;
# - the CAPF and TVS transcripts of Tests/Vectors turned into captures with text2pcap:
#   every documented element decoded;
# - hostile bytes: flagged as malformed (expert info), never a Lua error;
# - the configuration over HTTPS (formats.md §5) of an EC lab, captured and decrypted with
#   the key log: Wireshark's own HTTP dissector shows the GET, the 200 and both certificates.
# Prints "wireshark: N passed, N failed". Capturing on lo needs root (as CI runs).
set -uo pipefail
cd "$(dirname "$0")/.."
. toolchain/lib.sh
install_packages tshark
build_host_tools || exit 1
dissector=Tools/wireshark/capf_tvs.lua
work=$(mktemp -d)
dump=
cleanup() {
    [ -n "$dump" ] && stop_process "$dump"
    stop_labs
    rm -rf "$work"
}
trap cleanup EXIT
shark() { tshark -X lua_script:"$dissector" "$@" 2>"$work/tshark.err"; }
# shows_nothing TSHARK-ARGUMENT…: tshark ran (exit 0) and its filter selected nothing.
shows_nothing() {
    local shown
    shown=$(shark "$@") || { echo "  tshark failed: $(cat "$work/tshark.err")"; return 1; }
    [ -z "$shown" ] || { printf '%s\n' "$shown" | head -5; return 1; }
}

# 1. A live enrolment.
"$cucm_lab" init --dir "$work/lab" >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --operation install --key rsa:2048 >/dev/null
start_lab "$work/lab" "$work/lab.log" --keylog "$work/lab.keys"
http=$lab_http; capf=$lab_capf; tvs=$lab_tvs
dumpcap -q -i lo -f "tcp port $capf or tcp port $tvs" -w "$work/boot.pcapng" >"$work/dumpcap.log" 2>&1 &
dump=$!
for _ in $(seq 50); do [ -s "$work/boot.pcapng" ] && break; sleep 0.1; done
enrolling_boot() {
    "$host_phone" boot --server "127.0.0.1:$http" --mac A4:56:30:BB:FA:40 --state "$work/phone" \
        --mic Tests/Vectors/interop/pki/phone-mic.pem --keylog "$work/phone.keys" --backoff-ms 20 >/dev/null 2>"$work/boot.err"
}
check "the boot with enrolment ends configured" enrolling_boot
# A second session in the same capture: an EC P-256 enrolment with `phone capf`.
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/lab" --operation install --key ec:P-256 >/dev/null
ec_enrolment() {
    "$host_phone" capf --host "127.0.0.1:$capf" --device SEPA45630BBFA40 --trust "$work/lab/ITLFile.tlv" \
        --state "$work/phone" --keylog "$work/phone.keys" >/dev/null 2>>"$work/boot.err"
}
check "the EC enrolment completes" ec_enrolment
# A third: a TVS question with `phone trust` (the TVS server of the boot's configuration).
tvs_question() {
    "$host_phone" trust "$work/lab/pki/ccm-tftp.pem" --purpose itl-signer --state "$work/phone" --keylog "$work/phone.keys" \
        >/dev/null 2>>"$work/boot.err"
}
check "TVS vouches for the CallManager as an ITL signer" tvs_question
sleep 0.5
stop_process "$dump"; dump=
stop_labs
check_equal "the key log is owner-only" 600 "$(stat -c %a "$work/phone.keys")"
check_equal "the phone's and the lab's key logs agree" "$(cat "$work/lab.keys")" "$(cat "$work/phone.keys")"
check_equal "three sessions in the key log (CAPF, CAPF, TVS)" 3 "$(wc -l <"$work/phone.keys")"
check_equal "no secret on the console" 0 "$(grep -c -F -f <(cut -d' ' -f3 "$work/phone.keys") "$work/boot.err")"
live=(-r "$work/boot.pcapng" -o "capf.port:$capf" -o "tvs.port:$tvs" -o "tls.keylog_file:$work/phone.keys" -d "tcp.port==$capf,tls"
      -d "tcp.port==$tvs,tls")
check_equal "every CAPF message of the boot's session, in order" \
    "AuthRequest AuthResponse KeyGenerateRequest RequestInProgress KeyGenerateResponse StoreCertificateRequest StoreCertificateResponse EndSession" \
    "$(shark "${live[@]}" -Y "capf && tcp.stream == 0" -T fields -e capf.command -E occurrence=a 2>/dev/null | \
        python3 toolchain/wireshark_helpers.py names)"
elements() {  # elements FILTER FIELD…: the fields of the messages FILTER selects, one line each
    local filter=$1
    shift
    local fields=()
    for field in "$@"; do fields+=(-e "$field"); done
    shark "${live[@]}" -Y "$filter" -T fields -E separator=";" "${fields[@]}"
}
check_equal "AuthRequest: version and auth type" "3;0" "$(elements "tcp.stream == 0 && capf.command == 1" capf.version capf.auth_type)"
check_equal "AuthResponse: reason, version, device name" "1;3;SEPA45630BBFA40" \
    "$(elements "tcp.stream == 0 && capf.command == 2" capf.reason capf.version capf.device_name)"
check_equal "KeyGenerateRequest: key size and type" "2048;0" "$(elements "tcp.stream == 0 && capf.command == 3" capf.key_size capf.key_type)"
check_equal "EC session: KeyGenerateRequest key type EC, curve P-256" "1;0" \
    "$(elements "tcp.stream == 1 && capf.command == 3" capf.key_type capf.curve)"
check_equal "KeyGenerateResponse: the public keys as SubjectPublicKeyInfo" "RSA-2048 EC P-256" \
    "$(elements "capf.command == 4" capf.public_key.algorithm | paste -sd' ')"
check_equal "StoreCertificateRequest: certificate type LSC" "1,1" "$(elements "tcp.stream == 0 && capf.command == 9" capf.certificate_type)"
check_equal "StoreCertificateRequest: the LSC through the X.509 dissector, subject CN=SEPA45630BBFA40" 1 \
    "$(elements "tcp.stream == 0 && capf.command == 9" x509sat.uTF8String | tr , '\n' | grep -cx SEPA45630BBFA40)"
check_equal "StoreCertificateResponse and EndSession: reasons" "1
1" "$(elements "tcp.stream == 0 && (capf.command == 10 || capf.command == 15)" capf.reason)"
check_equal "the live TVS session: the request and its answer" "1 2" "$(elements "tvs" tvs.command | paste -sd' ')"
check_equal "TVS request: the device name from the MIC" "CP-7942-SEPA45630BBFA40" "$(elements "tvs.command == 1" tvs.device_name)"
check_equal "TVS answer: valid, role CCM+TFTP, TTL 3600" "0;2;3600" "$(elements "tvs.command == 2" tvs.status tvs.role tvs.ttl)"
check "no expert warning in a clean session" shows_nothing "${live[@]}" -Y "_ws.expert.severity >= warning && (capf || tvs)"

# 2. The transcripts as captures.
transcript_capture() {  # transcript_capture FILE PORT OUT: "O" toward the server, "I" from it
    python3 toolchain/wireshark_helpers.py transcript "$1" >"$work/transcript.txt"
    text2pcap -q -D -4 127.0.0.2,127.0.0.1 -T 50000,"$2" "$work/transcript.txt" "$3" >/dev/null 2>&1
}
for file in install-rsa2048-no-password install-ec-p256-password-123456 unknown-device real-cucm-style-server-messages; do
    transcript_capture "Tests/Vectors/capf/$file.txt" 3804 "$work/$file.pcapng"
    lines=$(grep -cvE '^#|^$' "Tests/Vectors/capf/$file.txt")
    check_equal "capf/$file: one message per line" "$lines" \
        "$(shark -r "$work/$file.pcapng" -d tcp.port==3804,capf -Y capf -T fields -e capf.command | wc -l)"
    check "capf/$file: nothing malformed" shows_nothing -r "$work/$file.pcapng" -d tcp.port==3804,capf -Y _ws.expert.group==0x07000000
done
capture=(-r "$work/install-ec-p256-password-123456.pcapng" -d tcp.port==3804,capf)
field() {  # field FILTER FIELD: its values in the messages FILTER selects
    shark "${capture[@]}" -Y "$1" -T fields -e "$2" | paste -sd' '
}
check_equal "EC transcript: AuthResponse authentication string and device name" "123456 SEP00000000EC01" \
    "$(field "capf.command == 2" capf.authentication_string) $(field "capf.command == 2" capf.device_name)"
check_equal "EC transcript: KeyGenerateRequest key type EC, curve P-256" "1 0" \
    "$(field "capf.command == 3" capf.key_type) $(field "capf.command == 3" capf.curve)"
capture=(-r "$work/install-rsa2048-no-password.pcapng" -d tcp.port==3804,capf)
check_equal "RSA transcript: the public key" "RSA-2048" "$(field "capf.command == 4" capf.public_key.algorithm)"
check_equal "unknown device: EndSession reason 9" "9" \
    "$(shark -r "$work/unknown-device.pcapng" -d tcp.port==3804,capf -Y "capf.command == 15" -T fields -e capf.reason)"
transcript_capture Tests/Vectors/tvs/verify-transcripts.txt 2445 "$work/tvs.pcapng"
tvs=(-r "$work/tvs.pcapng" -d tcp.port==2445,tvs)
check_equal "TVS: three requests and three answers" "1 2 1 2 1 2" "$(shark "${tvs[@]}" -Y tvs -T fields -e tvs.command | paste -sd' ')"
check_equal "TVS requests: device name and certificate" "CP-8841-SEPA45630BBFA40;cucm-A45630BBFA40" \
    "$(shark "${tvs[@]}" -Y "tvs.command == 1" -T fields -E separator=";" -e tvs.device_name -e x509sat.uTF8String | head -1 | cut -d, -f1)"
check_equal "TVS answers: status, roles, TTL" "0;2;3600 0;3,7;86400 1;;" \
    "$(shark "${tvs[@]}" -Y "tvs.command == 2" -T fields -E separator=";" -e tvs.status -e tvs.role -e tvs.ttl | paste -sd' ')"
check "TVS: nothing malformed" shows_nothing "${tvs[@]}" -Y _ws.expert.group==0x07000000

# 3. Hostile bytes: flagged, never a Lua error.
printf 'O\n000000 17 01 00 00 00 01 00 00\n\nI\n000000 55 0f 00 00 00 01 ff ff\n\nO\n000000 55 01 00 00 00 01 00 06 07 00 05 03 00 00\n\n' >"$work/hostile.txt"
text2pcap -q -D -4 127.0.0.2,127.0.0.1 -T 50000,3804 "$work/hostile.txt" "$work/hostile.pcapng" >/dev/null 2>&1
hostile=$(shark -r "$work/hostile.pcapng" -d tcp.port==3804,capf -V)
check_equal "hostile CAPF bytes: wrong protocol, length over the cap, an element past the end, each flagged" \
    "not a CAPF message (protocol byte 0x17)|payload length 65535 over the 16384-byte cap|element 7 crosses the end of the message at offset 8" \
    "$(grep -oE "Expert Info \(Error/Malformed\): [^]]*" <<<"$hostile" | sed 's/^[^:]*: //' | paste -sd'|')"
check_equal "hostile CAPF bytes: no Lua error" 0 "$(grep -ci "lua error" <<<"$hostile$(cat "$work/tshark.err")")"

# 4. The configuration over HTTPS: an EC lab, a phone enrolled with an EC LSC, then a
#    boot whose configuration comes over 6971, captured.
"$cucm_lab" init --dir "$work/eclab" --ec >/dev/null
"$cucm_lab" device add SEPA45630BBFA40 --dir "$work/eclab" --operation install --key ec:P-256 >/dev/null
new_lab_ports
start_lab "$work/eclab" "$work/eclab.log"
http=$lab_http; https=$lab_https
ecboot() {
    "$host_phone" boot --server "127.0.0.1:$http" --https-port "$https" --mac A4:56:30:BB:FA:40 --state "$work/ecphone" \
        --mic Tests/Vectors/interop/pki/phone-mic.pem --keylog "$work/https.keys" --backoff-ms 20 >/dev/null 2>>"$work/https.err"
}
check "the EC boot ends configured" ecboot
: >"$work/https.keys"
dumpcap -q -i lo -f "tcp port $https" -w "$work/https.pcapng" >"$work/dumpcap.log" 2>&1 &
dump=$!
for _ in $(seq 50); do [ -s "$work/https.pcapng" ] && break; sleep 0.1; done
check "the boot over HTTPS ends configured" ecboot
sleep 0.5
stop_process "$dump"; dump=
stop_labs
https_view=(-r "$work/https.pcapng" -o "tls.keylog_file:$work/https.keys" -d "tcp.port==$https,tls")
check_equal "HTTPS: the GET for the configuration, decrypted" "/SEPA45630BBFA40.cnf.xml.sgn" \
    "$(tshark "${https_view[@]}" -Y http.request -T fields -e http.request.uri 2>/dev/null)"
check_equal "HTTPS: the answer 200 with the XML" "200;text/xml" \
    "$(tshark "${https_view[@]}" -Y http.response -T fields -E separator=";" -e http.response.code -e http.content_type 2>/dev/null)"
check_equal "HTTPS: the phone's and the server's certificates in the handshake" "SEPA45630BBFA40,cucm-lab-ec" \
    "$(tshark "${https_view[@]}" -Y tls.handshake.certificate -T fields -e x509sat.uTF8String -e x509sat.printableString \
        -E occurrence=a -E separator=, 2>/dev/null | grep -oE "cucm-lab-ec|SEPA45630BBFA40" | sort -u | paste -sd,)"
# Not vacuous: the key log the console is searched for holds the session's secret.
check_equal "HTTPS: one session in the key log" 1 "$(wc -l <"$work/https.keys")"
check_equal "HTTPS: no secret on the console" 0 "$(grep -c -F -f <(cut -d' ' -f3 "$work/https.keys") "$work/https.err")"

summary wireshark
