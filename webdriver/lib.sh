# Shared helpers of the install scripts (sourced, not run). Written so that nothing here can fail
# by chance: no pipeline whose reader may close early (under `set -o pipefail` the writer's SIGPIPE,
# or a panic on EPIPE as geckodriver does, would fail the script), apt waits for its lock and
# finishes an interrupted dpkg run first, network steps are retried a few times.

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# `retry N cmd...`: runs cmd up to N times, 5 s apart; the last failure's status otherwise.
retry() {
  local n=$1 i=1 rc=0
  shift
  while :; do
    "$@" && return 0
    rc=$?
    [ "$i" -ge "$n" ] && return "$rc"
    echo "failed (exit $rc), retrying ($i/$n): $*" >&2
    i=$((i + 1))
    sleep 5
  done
}

# `pkg_installed NAME`: true when the Debian package is fully installed (no pipe into grep -q).
pkg_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [ "$status" = "install ok installed" ]
}

# `apt_install PKG...`: installs the packages with --no-install-recommends. Finishes a dpkg run that
# an earlier interrupted install left half done, waits up to 5 min for another apt/dpkg holding the
# lock, and retries the network steps.
apt_install() {
  local lock=(-o DPkg::Lock::Timeout=300)
  export DEBIAN_FRONTEND=noninteractive
  $SUDO dpkg --configure -a
  retry 3 $SUDO apt-get "${lock[@]}" update -qq
  retry 3 $SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@"
}

# `first_line CMD...`: prints the first line of CMD's standard output, or nothing when it fails.
# The output is read whole, then cut: CMD never writes into a closed pipe.
first_line() {
  local out
  out=$("$@" 2>/dev/null) || return 0
  printf '%s\n' "${out%%$'\n'*}"
}
