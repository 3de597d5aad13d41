#!/usr/bin/env bash
# Starts a local Selenium Grid 4 (jar via webdriver/install-grid.sh, run on first use) on 127.0.0.1, with
# chromedriver from PATH and no driver downloads (--selenium-manager false, detect-drivers=false,
# explicit [[node.driver-configuration]] entries in a generated TOML file), plus Firefox through
# geckodriver when both are installed. Waits until GET /status says ready (with a deadline), then
# prints WEBDRIVER_URL=http://127.0.0.1:PORT on stdout (Grid logs go to stderr or the log file).
#
# Usage: start-grid.sh [standalone|hub|node|hub-and-node] [options]
#   standalone      one process, router + node (default; port 4444)
#   hub             router/distributor/queue only (port 4444, event bus 127.0.0.1:PORT-2/PORT-1);
#                   ready as soon as it answers /status, even with no node yet
#   node            a node registering with --hub URL (node port 5555); ready when the hub lists it
#   hub-and-node    starts both (hub on --port, node on --node-port)
# Options:
#   --port N                 grid/hub port, or the node's port in `node` mode (4444 / 5555)
#   --node-port N            node port in hub-and-node mode (5555)
#   --hub URL                hub URL for `node` mode (http://127.0.0.1:4444); event bus ports are
#                            derived as hub port - 2 (publish) and - 1 (subscribe), like 4442/4443
#   --max-sessions N         concurrent sessions per node (2); above the core count
#                            override-max-sessions is turned on for you
#   --session-timeout S      kill sessions idle for S seconds: backstop for leaked sessions (120)
#   --session-request-timeout S  how long a new-session request may wait in the queue (300)
#   --reject-unsupported-caps true|false  fail at once when no slot matches (e.g. browserName
#                            "chromium") instead of queueing until the request timeout (true)
#   --firefox auto|yes|no    add a Firefox slot when geckodriver + firefox-esr exist (auto)
#   --start-timeout S        deadline for readiness (90)
#   --background             detach; write pid, log and config files to --state-dir and return
#   --state-dir DIR          $GRID_STATE_DIR or ~/.cache/pim-credentials/grid/run
# Env: CHROMEDRIVER, CHROMIUM, GECKODRIVER, FIREFOX (binaries), JAVA_OPTS, GRID_VERSION,
#      GRID_CACHE_DIR (see install-grid.sh).
# Foreground (default): the script stays the parent; Ctrl-C or TERM to it stops the Grid and kills
# any driver/browser the Grid left behind. Background: stop with webdriver/stop-grid.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

mode=standalone
case "${1:-}" in standalone|hub|node|hub-and-node) mode=$1; shift ;; esac
port="" node_port=5555 hub_url="http://127.0.0.1:4444" max_sessions=2 session_timeout=120
request_timeout=300 reject=true firefox=auto start_timeout=90 background=0
state_dir="${GRID_STATE_DIR:-$HOME/.cache/pim-credentials/grid/run}"
die() { echo "start-grid: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --node-port) node_port=$2; shift 2 ;;
    --hub) hub_url=$2; shift 2 ;;
    --max-sessions) max_sessions=$2; shift 2 ;;
    --session-timeout) session_timeout=$2; shift 2 ;;
    --session-request-timeout) request_timeout=$2; shift 2 ;;
    --reject-unsupported-caps) reject=$2; shift 2 ;;
    --firefox) firefox=$2; shift 2 ;;
    --start-timeout) start_timeout=$2; shift 2 ;;
    --background) background=1; shift ;;
    --state-dir) state_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
if [ -z "$port" ]; then
  if [ "$mode" = node ]; then port=5555; else port=4444; fi
fi
for v in "$port" "$node_port" "$max_sessions" "$session_timeout" "$request_timeout" "$start_timeout"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "not a number: $v"
done
case "$firefox" in auto|yes|no) ;; *) die "--firefox must be auto, yes or no" ;; esac
case "$reject" in true|false) ;; *) die "--reject-unsupported-caps must be true or false" ;; esac

jar=$("$here/install-grid.sh" 2>/dev/null | tail -1) || die "Grid jar not available: run webdriver/install-grid.sh"
[ -s "$jar" ] || die "Grid jar not available: run webdriver/install-grid.sh"
mkdir -p "$state_dir"

# ---- drivers -------------------------------------------------------------------------------
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"   # cargo-installed geckodriver
chromedriver=${CHROMEDRIVER:-$(command -v chromedriver || true)}
chromium=${CHROMIUM:-$(command -v chromium || true)}
geckodriver=${GECKODRIVER:-$(command -v geckodriver || true)}
firefox_bin=${FIREFOX:-$(command -v firefox-esr || command -v firefox || true)}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Writes the node's TOML config and prints its path. $1 = name used in the file name.
write_node_config() {
  local cfg="$state_dir/$1.toml" override=false
  [ -n "$chromedriver" ] && [ -x "$chromedriver" ] || die "chromedriver not found: run webdriver/install-chromium.sh"
  [ -n "$chromium" ] || die "chromium not found: run webdriver/install-chromium.sh"
  [ "$max_sessions" -gt "$(nproc)" ] && override=true
  {
    echo "# generated by webdriver/start-grid.sh; rewritten on every start"
    echo "[node]"
    echo "detect-drivers = false"
    echo "selenium-manager = false"
    echo "max-sessions = $max_sessions"
    echo "override-max-sessions = $override"
    echo "session-timeout = $session_timeout"
    echo
    echo "[[node.driver-configuration]]"
    echo "display-name = \"Chromium\""
    echo "webdriver-executable = \"$chromedriver\""
    echo "max-sessions = $max_sessions"
    echo "stereotype = '{\"browserName\": \"chrome\", \"goog:chromeOptions\": {\"binary\": \"$chromium\"}}'"
    if [ "$firefox" != no ]; then
      if [ -n "$geckodriver" ] && [ -x "$geckodriver" ] && [ -n "$firefox_bin" ]; then
        # Grid starts one geckodriver per session, so Firefox can use every slot as well.
        echo
        echo "[[node.driver-configuration]]"
        echo "display-name = \"Firefox ESR\""
        echo "webdriver-executable = \"$geckodriver\""
        echo "max-sessions = $max_sessions"
        echo "stereotype = '{\"browserName\": \"firefox\", \"moz:firefoxOptions\": {\"binary\": \"$firefox_bin\"}}'"
      elif [ "$firefox" = yes ]; then
        die "--firefox yes but geckodriver/firefox-esr not found: run webdriver/install-firefox.sh"
      fi
    fi
  } >"$cfg"
  echo "$cfg"
}

# Builds the java command line for one component into the array `cmd`.
# $1 = component (standalone|hub|node), $2 = its port.
build_cmd() {
  local comp=$1 p=$2 cfg hp
  # shellcheck disable=SC2206
  cmd=(java ${JAVA_OPTS:-} -jar "$jar" "$comp" --host 127.0.0.1 --bind-host true --port "$p"
       --log-level "${GRID_LOG_LEVEL:-INFO}")
  case "$comp" in
    standalone)
      cfg=$(write_node_config "grid-standalone-$p")
      cmd+=(--config "$cfg" --selenium-manager false --session-timeout "$session_timeout"
            --session-request-timeout "$request_timeout" --reject-unsupported-caps "$reject") ;;
    hub)
      cmd+=(--bind-bus true --publish-events "tcp://127.0.0.1:$((p - 2))"
            --subscribe-events "tcp://127.0.0.1:$((p - 1))" --session-request-timeout "$request_timeout"
            --reject-unsupported-caps "$reject") ;;
    node)
      hp=$(hub_port)
      cfg=$(write_node_config "grid-node-$p")
      cmd+=(--config "$cfg" --selenium-manager false --session-timeout "$session_timeout"
            --grid-url "$hub_url" --publish-events "tcp://$(hub_host):$((hp - 2))"
            --subscribe-events "tcp://$(hub_host):$((hp - 1))") ;;
  esac
}
hub_host() { local h=${hub_url#*://}; h=${h%%/*}; echo "${h%%:*}"; }
hub_port() { local h=${hub_url#*://}; h=${h%%/*}; case "$h" in *:*) echo "${h##*:}" ;; *) echo 4444 ;; esac; }

# Readiness. $1 = kind (ready|up|node), $2 = status URL, $3 = node URI (node kind), $4 = pid to watch.
check_once() {
  local body
  body=$(curl -fsS --max-time 3 "$2" 2>/dev/null) || return 1
  case "$1" in
    ready) python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["value"]["ready"] else 1)' <<<"$body" ;;
    up) return 0 ;;
    node) python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]; sys.exit(0 if any(n.get("uri")==sys.argv[1] and n.get("availability")=="UP" for n in v.get("nodes",[])) else 1)' "$3" <<<"$body" ;;
  esac
}
wait_ready() {
  local deadline=$((SECONDS + start_timeout))
  while [ $SECONDS -lt $deadline ]; do
    check_once "$1" "$2" "${3:-}" && return 0
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
      echo "start-grid: the Grid process exited during startup" >&2; return 1
    fi
    sleep 0.5
  done
  echo "start-grid: not ready after ${start_timeout}s ($2)" >&2
  return 1
}
# What to wait for, for a component: sets `kind`, `status_url`, `node_uri`, `grid_url`.
readiness_of() {
  local comp=$1 p=$2
  node_uri=""
  case "$comp" in
    standalone) kind=ready; status_url="http://127.0.0.1:$p/status"; grid_url="http://127.0.0.1:$p" ;;
    hub) kind=up; status_url="http://127.0.0.1:$p/status"; grid_url="http://127.0.0.1:$p" ;;
    node) kind=node; status_url="${hub_url%/}/status"; node_uri="http://127.0.0.1:$p"; grid_url="${hub_url%/}" ;;
  esac
}

# Starts one component detached (own session/process group), writes pid+log, waits for readiness.
start_background() {
  local comp=$1 p=$2 name="grid-$1-$2" pid
  local pidf="$state_dir/$name.pid" logf="$state_dir/$name.log"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    die "$name already running (pid $(cat "$pidf")); stop it with webdriver/stop-grid.sh"
  fi
  port_in_use "$p" && die "port $p on 127.0.0.1 is already in use"
  build_cmd "$comp" "$p"
  setsid nohup "${cmd[@]}" >"$logf" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidf"
  echo "start-grid: $comp pid $pid, log $logf" >&2
  readiness_of "$comp" "$p"
  if ! wait_ready "$kind" "$status_url" "$node_uri" "$pid"; then
    tail -n 20 "$logf" >&2 || true
    kill -TERM -- -"$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- -"$pid" 2>/dev/null || true
    rm -f "$pidf"
    exit 1
  fi
}

t0=$SECONDS
if [ "$background" = 1 ]; then
  case "$mode" in
    hub-and-node)
      hub_url="http://127.0.0.1:$port"
      start_background hub "$port"
      start_background node "$node_port" ;;
    *) start_background "$mode" "$port" ;;
  esac
  [ "$mode" = node ] && grid=$hub_url || grid="http://127.0.0.1:$port"
  echo "start-grid: ready after $((SECONDS - t0))s" >&2
  echo "WEBDRIVER_URL=${grid%/}"
  exit 0
fi

# ---- foreground -------------------------------------------------------------------------------
# Not `exec java`: on TERM the Grid does not reliably end its sessions (checked: a geckodriver +
# Firefox, and in hub-and-node a chromedriver + Chromium, outlived the JVM). So each java runs in
# its own process group, and on Ctrl-C/TERM/exit the script stops java, then kills what is left
# in that group (drivers, browsers): nothing the Grid started survives the script.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
pids=()
stop_all() {
  trap - INT TERM EXIT
  local i p left
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 40); do alive "$p" || break; sleep 0.25; done
  done
  for p in "${pids[@]}"; do
    left=$(pgrep -g "$p" 2>/dev/null | wc -l || true)
    if [ "${left:-0}" -gt 0 ]; then
      echo "start-grid: killing $left process(es) left in group $p (drivers/browsers)" >&2
      kill -TERM -- -"$p" 2>/dev/null || true; sleep 1; kill -KILL -- -"$p" 2>/dev/null || true
    fi
  done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# $1 = component, $2 = port: start it in a new process group, wait for readiness.
start_foreground() {
  port_in_use "$2" && die "port $2 on 127.0.0.1 is already in use"
  build_cmd "$1" "$2"
  # Selenium logs to stdout: send it to stderr so stdout carries only the WEBDRIVER_URL line.
  setsid "${cmd[@]}" >&2 </dev/null &
  pids+=($!)
  readiness_of "$1" "$2"
  wait_ready "$kind" "$status_url" "$node_uri" "$!" || exit 1
}
if [ "$mode" = hub-and-node ]; then
  hub_url="http://127.0.0.1:$port"
  start_foreground hub "$port"
  start_foreground node "$node_port"
  grid_url="http://127.0.0.1:$port"
else
  start_foreground "$mode" "$port"
fi
echo "start-grid: ready after $((SECONDS - t0))s (Ctrl-C stops it)" >&2
echo "WEBDRIVER_URL=${grid_url%/}"
wait -n "${pids[@]}" || true   # returns on a signal (trap) or when a java process dies
echo "start-grid: a Grid process exited; stopping" >&2
exit 1
