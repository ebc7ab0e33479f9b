#!/usr/bin/env bash
# The main job. Until the lab cluster and the boot machine land (issues 3–6), it walks
# the phone's file steps of a boot over the interop vectors with the host `phone`:
# trust the ITL, verify the partial config, compare certHash with the MIC, verify and
# decrypt the encrypted config.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
swift build --product phone >/dev/null
phone=.build/debug/phone
v=../shared/vectors/interop
mac=SEPA45630BBFA40

step() { printf '\n== %s\n' "$*"; }
step "ITLFile.tlv: install on first use"
$phone verify $v/ITLFile.tlv
step "$mac.cnf.xml.sgn: verify against the ITL"
$phone verify $v/partial-$mac.cnf.xml.sgn --trust $v/ITLFile.tlv --name $mac.cnf.xml.sgn
step "partial config: certHash against the MD5 of the MIC"
echo "certHash in config: $(grep -ao '<certHash>[^<]*' $v/partial-$mac.cnf.xml.sgn | cut -d'>' -f2)"
echo "MD5 of the MIC:     $(cat $v/phone-mic.md5)"
step "$mac.cnf.xml.enc.sgn: verify, unwrap with the MIC key, decrypt, check the digest"
$phone verify $v/$mac.cnf.xml.enc.sgn --trust $v/ITLFile.tlv
# The decrypted config holds secrets (passwords): show only what the boot needs next.
$phone decrypt $v/$mac.cnf.xml.enc.sgn --key $v/pki/phone-mic.pem --trust $v/ITLFile.tlv \
    | grep -E '<(fullConfig|loadInformation|processNodeName|deviceSecurityMode|transportLayerProtocol)>' | sed 's/^ */  /'
step "a rogue ITL after the good one is refused (exit 1), the installed list stays"
$phone verify $v/rogue-ITLFile.tlv --trust $v/ITLFile.tlv || echo "exit $?"
