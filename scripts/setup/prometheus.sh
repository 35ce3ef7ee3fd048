#!/usr/bin/env bash
# Installs Debian's Prometheus (the `prometheus` package: /usr/bin/prometheus and /usr/bin/promtool)
# for e2e/tests/monitoring.test.ts, which starts its own Prometheus on a free loopback port against
# deploy/prometheus/. Debian's service is never started here (the package's init scripts need a
# running init system; the tests run their own process). Idempotent: installs only when a binary is
# missing. Prints the version.
set -euo pipefail
# shellcheck source=../lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
ensure_tools prometheus prometheus /usr/bin/prometheus /usr/bin/promtool
/usr/bin/prometheus --version 2>&1 | head -1
/usr/bin/promtool --version 2>&1 | head -1
