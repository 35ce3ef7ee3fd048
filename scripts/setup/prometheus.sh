#!/usr/bin/env bash
# Installs Debian's Prometheus (the `prometheus` package: /usr/bin/prometheus and /usr/bin/promtool)
# for e2e/tests/monitoring.test.ts, which starts its own Prometheus on a free loopback port against
# deploy/prometheus/. Debian's service is never started here (the package's init scripts need a
# running init system; the tests run their own process). Idempotent: installs only when a binary is
# missing. Prints the version.
set -euo pipefail

log() { printf 'setup/prometheus: %s\n' "$*" >&2; }

if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "Prometheus is missing (run: sudo apt-get install -y --no-install-recommends prometheus)"
    exit 1
  fi
  log "apt-get install -y --no-install-recommends prometheus"
  # policy-rc.d exit 101: the package's postinst may not start its service.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  # shellcheck source=../lib/apt.sh
  source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
  apt_install --no-install-recommends prometheus
fi
/usr/bin/prometheus --version 2>&1 | head -1
/usr/bin/promtool --version 2>&1 | head -1
