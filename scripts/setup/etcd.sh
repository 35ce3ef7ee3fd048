#!/usr/bin/env bash
# Installs Debian's etcd (the `etcd-server` package: /usr/bin/etcd; `etcd-client`: /usr/bin/etcdctl)
# for the tests of Zero's etcd-backed state (packages/server/test/zero-etcd.test.ts,
# e2e/tests/zero-etcd-failover.test.ts, e2e/bench/scale.ts), which start their own etcd members on
# free loopback ports in temporary folders; Debian's service is never started. Idempotent:
# installs only when a binary is missing. Prints the version.
set -euo pipefail
# shellcheck source=../lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
ensure_tools etcd "etcd-server etcd-client" /usr/bin/etcd /usr/bin/etcdctl
/usr/bin/etcd --version 2>&1 | head -1
