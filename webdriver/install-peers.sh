#!/usr/bin/env bash
# Installs the two peer reference clients of the 3.x tutorial for `cargo bench --bench provision`,
# idempotent: a private COPY of shared/peers (never written to), a Python venv with Selenium and
# `npm ci` (playwright-core, driving the system Chromium: no browser download).
#
#   bash webdriver/install-peers.sh            # prints the install folder on its last line
#
# PIM_PEERS_SRC: where the peers are (default: shared/peers beside the repository);
# PIM_PEERS_DIR: where to install them (default: target/peers in the repository).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
src="${PIM_PEERS_SRC:-$(cd "$repo/.." && pwd)/shared/peers}"
dest="${PIM_PEERS_DIR:-$repo/target/peers}"

for f in ref_selenium.py ref_playwright.mjs package.json package-lock.json; do
  if [ ! -f "$src/$f" ]; then
    echo "install-peers: $src/$f is missing; set PIM_PEERS_SRC to the peers folder" >&2
    exit 2
  fi
done
for tool in python3 node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-peers: $tool not found (apt-get install python3-venv nodejs npm)" >&2
    exit 2
  fi
done

mkdir -p "$dest"
# A private, writable copy: npm writes node_modules next to package.json.
for f in ref_selenium.py ref_playwright.mjs package.json package-lock.json; do
  if ! cmp -s "$src/$f" "$dest/$f"; then
    cp "$src/$f" "$dest/$f"
    chmod u+w "$dest/$f"
  fi
done

# Selenium in a venv of its own.
if [ ! -x "$dest/venv/bin/python" ]; then
  python3 -m venv "$dest/venv"
fi
if ! "$dest/venv/bin/python" -c 'import selenium' >/dev/null 2>&1; then
  "$dest/venv/bin/pip" install --quiet --disable-pip-version-check selenium
fi

# playwright-core from the lock file; again only when the lock changed.
stamp="$dest/node_modules/.lock-installed"
if [ ! -f "$stamp" ] || ! cmp -s "$dest/package-lock.json" "$stamp"; then
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$dest/package-lock.json" "$stamp"
fi

"$dest/venv/bin/python" -c 'import selenium' >/dev/null
node -e "require('$dest/node_modules/playwright-core/package.json')" >/dev/null
echo "$dest"
