#!/usr/bin/env bash
# Starts chromedriver on 127.0.0.1 (default port 9515) for use with `--webdriver URL`, and prints
# that URL. The tool does this by itself when no --webdriver is given; this script is for people
# who keep one driver running across many runs. Stop it with Ctrl-C.
set -euo pipefail
port="${1:-9515}"
command -v chromedriver >/dev/null || { echo "chromedriver not found: run webdriver/install-chromium.sh" >&2; exit 2; }
echo "WEBDRIVER_URL=http://127.0.0.1:${port}"
exec chromedriver --port="${port}" --allowed-ips=127.0.0.1 --log-level=WARNING
