#!/usr/bin/env bash
# Stops what `webdriver/start-grid.sh --background` started: every grid-*.pid in the state dir, or
# only those for one port (`stop-grid.sh 4444`). Sends TERM to the Grid's java process first (the
# node ends its sessions), then after a grace period TERM/KILL to the whole process group it was
# started in (leftover chromedriver/chromium/geckodriver/firefox). Removes the pid files; keeps the
# logs. Only pids whose command line is a Selenium server are signalled (a stale pid file is just removed).
# Usage: stop-grid.sh [PORT] [--state-dir DIR]   (default $GRID_STATE_DIR or ~/.cache/pim-credentials/grid/run)
set -euo pipefail
state_dir="${GRID_STATE_DIR:-$HOME/.cache/pim-credentials/grid/run}"
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) only=$1; shift ;;
  esac
done
shopt -s nullglob
# Nodes before hubs, so a node can deregister while its hub is still up.
files=("$state_dir"/grid-node-*.pid "$state_dir"/grid-standalone-*.pid "$state_dir"/grid-hub-*.pid)
[ -n "$only" ] && files=("$state_dir"/grid-*-"$only".pid)
[ ${#files[@]} -gt 0 ] || { echo "stop-grid: nothing to stop in $state_dir" >&2; exit 0; }

for f in "${files[@]}"; do
  pid=$(cat "$f" 2>/dev/null || true)
  name=$(basename "$f" .pid)
  # The command line is read whole (not piped into `grep -q`, whose early exit could fail the
  # pipeline under pipefail and make a running Grid look stale).
  cmdline=""
  [ -n "$pid" ] && cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || true
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || [[ $cmdline != *selenium-server* ]]; then
    echo "stop-grid: $name not running (stale pid file removed)" >&2
    rm -f "$f"; continue
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  # The group id is the pid (setsid); clean up whatever the Grid left behind in it.
  if left=$(pgrep -g "$pid" 2>/dev/null | wc -l) && [ "$left" -gt 0 ]; then
    echo "stop-grid: $name left $left process(es) behind; killing its process group" >&2
    kill -TERM -- -"$pid" 2>/dev/null || true
    sleep 1
    kill -KILL -- -"$pid" 2>/dev/null || true
  fi
  rm -f "$f"
  echo "stop-grid: stopped $name (pid $pid)" >&2
done
