#!/usr/bin/env bash
# Installs Debian's etcd (the `etcd-server` package: /usr/bin/etcd; `etcd-client`: /usr/bin/etcdctl)
# for the tests of Zero's etcd-backed state (packages/server/test/zero-etcd*.test.ts and
# e2e/tests/zero-etcd*.test.ts), which start their own etcd members on free loopback ports in
# temporary folders. Debian's service is never started here (policy-rc.d refuses it; the package's
# init scripts need a running init system). Idempotent: installs only when a binary is missing.
# Prints the version.
set -euo pipefail

log() { printf 'setup/etcd: %s\n' "$*" >&2; }

if [ ! -x /usr/bin/etcd ] || [ ! -x /usr/bin/etcdctl ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "etcd is missing (run: sudo apt-get install -y --no-install-recommends etcd-server etcd-client)"
    exit 1
  fi
  log "apt-get install -y --no-install-recommends etcd-server etcd-client"
  # shellcheck source=../lib/apt.sh
  source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
  apt_install_tool etcd-server etcd-client
fi
/usr/bin/etcd --version 2>&1 | head -1
