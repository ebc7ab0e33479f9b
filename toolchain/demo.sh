#!/usr/bin/env bash
# The main job: the whole boot of the troubleshooting note against the built-in lab
# cluster (`cucm-lab demo`): ITL, partial config with an empty certHash, CAPF over TLS,
# LSC issued and its md5hash stored, reset, the config again (hash matches), the
# .enc.sgn decrypted, configured; then the cluster's md5hash next to the phone's own.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain/install-deps.sh
swift build --product phone >/dev/null
swift build --product cucm-lab >/dev/null
exec .build/debug/cucm-lab demo
