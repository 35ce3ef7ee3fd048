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
  # shellcheck source=../lib/apt.sh
  source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
  apt_install_tool prometheus
fi
/usr/bin/prometheus --version 2>&1 | head -1
/usr/bin/promtool --version 2>&1 | head -1
