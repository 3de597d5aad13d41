#!/usr/bin/env bash
# Installs Firefox support: Debian's firefox-esr (apt, --no-install-recommends) and geckodriver,
# which Debian does not package, built from crates.io with `cargo install geckodriver --locked`
# (~3 min on 2 cores; binary goes to ~/.cargo/bin). Idempotent: each part is skipped when already
# there and working; safe after an interrupted run (dpkg is finished first; a geckodriver that does
# not run is built again with --force). Env: GECKODRIVER_VERSION (default 0.37.1). Prints the
# versions at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=webdriver/lib.sh
. "$here/lib.sh"
gecko_version="${GECKODRIVER_VERSION:-0.37.1}"

if pkg_installed firefox-esr; then
  echo "firefox-esr already installed"
else
  echo "installing firefox-esr (apt, --no-install-recommends)"
  apt_install firefox-esr
fi

# cargo installs into ~/.cargo/bin, which is often not on PATH for non-login shells.
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if command -v geckodriver >/dev/null 2>&1 && geckodriver --version >/dev/null 2>&1; then
  echo "geckodriver already installed: $(command -v geckodriver)"
else
  command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 2; }
  echo "building geckodriver ${gecko_version} with cargo install (takes a few minutes)"
  # --force: replaces a binary left broken by an interrupted run.
  retry 2 cargo install geckodriver --version "${gecko_version}" --locked --force
fi

first_line firefox-esr --version
# Not piping the version into `head -1`: head closes the pipe early and geckodriver panics on the
# broken pipe (exit 101), which fails the script under pipefail.
gecko=$(first_line geckodriver --version)
[ -n "$gecko" ] || { echo "geckodriver does not run after the install" >&2; exit 1; }
echo "$gecko"
echo "GECKODRIVER=$(command -v geckodriver)"
