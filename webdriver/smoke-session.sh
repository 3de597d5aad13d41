#!/usr/bin/env bash
# Smoke test for any WebDriver endpoint (chromedriver, geckodriver, Selenium Grid), with curl only:
# creates a W3C session, navigates to PAGE_URL, reads the title, deletes the session, and prints
# one line: `ok browser=… title=… create_ms=… nav_ms=… session=…` (exit 0) or the error (exit 1).
# Usage: smoke-session.sh WEBDRIVER_URL [chrome|firefox] PAGE_URL [--keep]
#   --keep  do not delete the session (to test Grid's --session-timeout backstop)
# The capabilities are the ones the tool should send (root, headless, no network noise):
#   chrome:  browserName "chrome", goog:chromeOptions {binary: $CHROMIUM or /usr/bin/chromium,
#            args: headless=new no-sandbox disable-dev-shm-usage disable-gpu …}
#   firefox: browserName "firefox", moz:firefoxOptions {args: ["-headless"]}
# Grid 4.48 rejects a body sent as plain `application/json` ("Content-Type header does not
# indicate utf-8 encoded json"): send `application/json; charset=utf-8` (fantoccini does).
# Env: SMOKE_NO_BINARY=1 leaves goog:chromeOptions.binary out (to check what Grid/driver do).
set -euo pipefail
url=${1:?usage: smoke-session.sh WEBDRIVER_URL [chrome|firefox] PAGE_URL [--keep]}
browser=${2:-chrome}
page=${3:?page url missing}
keep=${4:-}
url=${url%/}
ms() { date +%s%3N; }

case "$browser" in
  chrome)
    bin=""
    [ "${SMOKE_NO_BINARY:-0}" = 1 ] || bin="\"binary\":\"${CHROMIUM:-/usr/bin/chromium}\","
    caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{'"$bin"'"args":["--headless=new","--no-sandbox","--disable-dev-shm-usage","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run","--disable-quic","--window-size=1280,800"]}}}}' ;;
  firefox)
    caps='{"capabilities":{"alwaysMatch":{"browserName":"firefox","moz:firefoxOptions":{"args":["-headless"]}}}}' ;;
  *) echo "browser must be chrome or firefox" >&2; exit 2 ;;
esac

json() { python3 -c "import json,sys; d=json.load(sys.stdin); exec(sys.argv[1])" "$1"; }

t=$(ms)
resp=$(curl -sS --max-time 120 -H 'Content-Type: application/json; charset=utf-8' -d "$caps" "$url/session")
create_ms=$(( $(ms) - t ))
sid=$(json 'print(d["value"].get("sessionId",""))' <<<"$resp" 2>/dev/null || true)
if [ -z "$sid" ]; then
  echo "FAILED to create session after ${create_ms}ms: $(head -c 600 <<<"$resp")" >&2
  exit 1
fi
t=$(ms)
curl -sS --max-time 60 -H 'Content-Type: application/json; charset=utf-8' -d "{\"url\":\"$page\"}" "$url/session/$sid/url" >/dev/null
nav_ms=$(( $(ms) - t ))
title=$(curl -sS --max-time 30 "$url/session/$sid/title" | json 'print(d["value"])')
ver=$(json 'c=d["value"]["capabilities"]; print(c.get("browserName"), c.get("browserVersion"))' <<<"$resp")
if [ "$keep" != --keep ]; then
  t=$(ms)
  curl -sS --max-time 30 -X DELETE "$url/session/$sid" >/dev/null
  del_ms=$(( $(ms) - t ))
else
  del_ms=kept
fi
echo "ok browser=\"$ver\" title=\"$title\" create_ms=$create_ms nav_ms=$nav_ms delete_ms=$del_ms session=$sid"
