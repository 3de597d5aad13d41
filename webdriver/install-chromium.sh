#!/usr/bin/env bash
# Installs what the tool and its tests need from Debian's packages: chromium, chromium-driver, the
# DejaVu fonts (pinned font set for reproducible screenshots) and Lato (the font of Akeneo's back
# office, which the simulator's pages use). Idempotent, safe to run again after an interrupted run
# (apt finishes the half-done dpkg run first): does nothing when everything is already there.
# Browser builds that download themselves do not work on these machines; Debian's packages do.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=webdriver/lib.sh
. "$here/lib.sh"
pkgs=(chromium chromium-driver fonts-dejavu-core fonts-lato)
missing=()
for p in "${pkgs[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium, chromium-driver and fonts already installed"
else
  echo "installing: ${missing[*]}"
  apt_install "${missing[@]}"
fi
first_line chromium --version
first_line chromedriver --version
[ -x /usr/bin/chromedriver ] || { echo "chromedriver missing after the install" >&2; exit 1; }
