#!/usr/bin/env bash
# Installs Firefox support: Debian's firefox-esr (apt, --no-install-recommends) and geckodriver,
# which Debian does not package, built from crates.io with `cargo install geckodriver --locked`
# (~3 min on 2 cores; binary goes to ~/.cargo/bin). Idempotent: each part is skipped when already
# present. Env: GECKODRIVER_VERSION (default 0.37.1). Prints the versions at the end.
set -euo pipefail
gecko_version="${GECKODRIVER_VERSION:-0.37.1}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if dpkg-query -W -f='${Status}' firefox-esr 2>/dev/null | grep -q "install ok installed"; then
  echo "firefox-esr already installed"
else
  echo "installing firefox-esr (apt, --no-install-recommends)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends firefox-esr
fi

# cargo installs into ~/.cargo/bin, which is often not on PATH for non-login shells.
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if command -v geckodriver >/dev/null 2>&1; then
  echo "geckodriver already installed: $(command -v geckodriver)"
else
  command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 2; }
  echo "building geckodriver ${gecko_version} with cargo install (takes a few minutes)"
  cargo install geckodriver --version "${gecko_version}" --locked
fi

firefox-esr --version 2>/dev/null || true
geckodriver --version | head -1
echo "GECKODRIVER=$(command -v geckodriver)"
