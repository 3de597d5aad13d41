#!/usr/bin/env bash
# Starts one geckodriver on 127.0.0.1 (default port 4445) for `--webdriver URL --browser firefox`,
# waits until its /status answers, and prints WEBDRIVER_URL=http://127.0.0.1:PORT. geckodriver
# serves ONE session per process ("Session is already started" for a second one): start one per
# concurrent session on different ports, or use webdriver/start-grid.sh, which starts a geckodriver
# per session itself. Runs in the foreground (exec; Ctrl-C stops it).
# Install Firefox ESR + geckodriver with webdriver/install-firefox.sh.
# Usage: start-geckodriver.sh [PORT]      Env: GECKODRIVER_LOG (default warn)
# Client capabilities: {"browserName":"firefox","moz:firefoxOptions":{"args":["-headless"]}}
# (binary defaults to /usr/bin/firefox, Debian's wrapper for firefox-esr).
set -euo pipefail
port="${1:-4445}"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
command -v geckodriver >/dev/null || { echo "geckodriver not found: run webdriver/install-firefox.sh" >&2; exit 2; }
command -v firefox-esr >/dev/null || command -v firefox >/dev/null \
  || { echo "firefox-esr not found: run webdriver/install-firefox.sh" >&2; exit 2; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port on 127.0.0.1 is already in use" >&2; exit 2
fi
# geckodriver's defaults already allow only loopback Host headers and reject any Origin header;
# Marionette gets a system-allocated port, so several geckodrivers can run side by side.
(
  for _ in $(seq 1 100); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/status" >/dev/null 2>&1; then
      echo "WEBDRIVER_URL=http://127.0.0.1:$port"; exit 0
    fi
    sleep 0.1
  done
  echo "geckodriver did not answer on port $port within 10s" >&2
) &
exec geckodriver --host 127.0.0.1 --port "$port" --log "${GECKODRIVER_LOG:-warn}"
