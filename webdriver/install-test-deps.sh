#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, idempotent: Chromium + chromedriver +
# fonts, the Selenium Grid 4 jar (npm) and Firefox ESR + geckodriver (cargo install).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/install-chromium.sh"
bash "$here/install-grid.sh" >/dev/null
bash "$here/install-firefox.sh"
