#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, idempotent and safe to run again after
# an interrupted run: Chromium + chromedriver + fonts, the Selenium Grid 4 jar (npm) and Firefox
# ESR + geckodriver (cargo install). Each script is run on its own; the first failure stops here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/install-chromium.sh"
# The Grid jar needs java and npm, which a fresh Debian machine may lack.
# shellcheck source=webdriver/lib.sh
. "$here/lib.sh"
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
jar=$(bash "$here/install-grid.sh")
echo "Grid jar: ${jar##*$'\n'}"
bash "$here/install-firefox.sh"
