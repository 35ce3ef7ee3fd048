# Sourced by the setup scripts that install Debian packages (Prometheus, Dgraph's build tools,
# code-server's chromium). `pnpm test` runs them at the same time, and apt's own locks do not wait
# for each other everywhere: DPkg::Lock::Timeout covers dpkg's lock only, and a second `apt-get
# update` fails at once with "Could not get lock /var/lib/apt/lists/lock". So every install here
# takes one lock of its own first, and an update that still finds apt busy (an apt outside these
# scripts) is tried again for up to five minutes.
#
#   apt_install [apt-get install options] PKG...   # as root: apt-get update, then install -y
#   apt_install_tool PKG...   # the same with --no-install-recommends, and no service started
#   ensure_tools LABEL "PKG..." BIN...   # apt_install_tool when one of the binaries is missing

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  (
    flock -w 1800 9 || {
      echo "apt_install: another setup step held /var/lock/strata-apt.lock for 30 minutes" >&2
      exit 1
    }
    tries=0
    until apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null; do
      tries=$((tries + 1))
      [ "$tries" -lt 60 ] || exit 1
      sleep 5
    done
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
  ) 9>/var/lock/strata-apt.lock
}

# Installs packages whose binaries the tests run themselves (Prometheus, etcd): the packages'
# postinst may not start their services (policy-rc.d exit 101; their init scripts need a running
# init system anyway). One such install at a time, so that one never removes the policy file
# while another's postinst runs.
apt_install_tool() {
  (
    flock -w 1800 8 || exit 1
    policy=/usr/sbin/policy-rc.d
    made=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy"
      chmod +x "$policy"
      made=1
    fi
    rc=0
    apt_install --no-install-recommends "$@" || rc=$?
    if [ "$made" = 1 ]; then rm -f "$policy"; fi
    exit "$rc"
  ) 8>/var/lock/strata-apt-tool.lock
}

# ensure_tools LABEL "PKG..." BIN...: installs the Debian packages (apt_install_tool) when one of
# the binaries is missing; without root, says what to run instead and fails.
ensure_tools() {
  local label=$1 pkgs=$2 missing=0 b
  shift 2
  for b in "$@"; do [ -x "$b" ] || missing=1; done
  [ "$missing" = 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup/$label: missing (run: sudo apt-get install -y --no-install-recommends $pkgs)" >&2
    return 1
  fi
  echo "setup/$label: apt-get install -y --no-install-recommends $pkgs" >&2
  # shellcheck disable=SC2086 # the package list splits into words on purpose
  apt_install_tool $pkgs
}
