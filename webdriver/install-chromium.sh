#!/usr/bin/env bash
# Installs what the tool and its tests need from Debian's packages: chromium, chromium-driver and
# the DejaVu fonts (pinned font set for reproducible screenshots). Idempotent: does nothing when
# everything is already there. Browser builds that download themselves do not work on these
# machines; Debian's packages do.
set -euo pipefail
pkgs=(chromium chromium-driver fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium, chromium-driver and fonts already installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
chromium --version 2>/dev/null | grep -v "unexpected operator" || true
chromedriver --version
