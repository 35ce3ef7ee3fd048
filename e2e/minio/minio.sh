#!/usr/bin/env bash
# A real MinIO server for Strata's end-to-end tests.
#
#   e2e/minio/minio.sh start   build MinIO once (pinned), start it on free loopback ports, create the
#                              buckets, write $RUN/env.json; prints the env file's path
#   e2e/minio/minio.sh stop    stop the server started from $RUN and delete its data
#   e2e/minio/minio.sh build   only build (or find) the binary; prints its path
#
# $STRATA_CACHE (default ~/.cache/strata) holds the binary: $STRATA_CACHE/minio/<version>/minio.
# $STRATA_MINIO_RUN (default $STRATA_CACHE/minio-run) holds env.json, minio.pid, minio.log and the data.
# Buckets: strata-private (private) and strata-public (anonymous read/write policy).
# $STRATA_MINIO_DRIVES (default 1): with N > 1, one server over N drive folders ($data/d1..dN),
# erasure coded across them as a distributed MinIO's erasure set is (the scale bench uses 4).
set -euo pipefail
# shellcheck source=../../scripts/lib/clean-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/clean-env.sh"

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"   # MinIO has no semver tags: newest the Go proxy serves
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
BIN_DIR="$CACHE/minio/$MINIO_VERSION"
BIN="$BIN_DIR/minio"
RUN="${STRATA_MINIO_RUN:-$CACHE/minio-run}"

log() { echo "minio.sh: $*" >&2; }

build() {
  if [ -x "$BIN" ]; then echo "$BIN"; return; fi
  mkdir -p "$BIN_DIR"
  # One build at a time, even when several test runs start together.
  exec 9>"$BIN_DIR/.build.lock"
  flock 9
  if [ ! -x "$BIN" ]; then
    command -v go >/dev/null || { log "go is not installed: it is needed once to build MinIO"; exit 1; }
    log "building MinIO $MINIO_VERSION into $BIN_DIR (once; a few minutes)"
    GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/minio/minio@$MINIO_VERSION" >&2
  fi
  flock -u 9
  exec 9>&-
  echo "$BIN"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

alive() { [ -f "$RUN/minio.pid" ] && kill -0 "$(cat "$RUN/minio.pid")" 2>/dev/null; }

start() {
  build >/dev/null
  mkdir -p "$RUN"
  if alive && [ -f "$RUN/env.json" ]; then
    log "already running (pid $(cat "$RUN/minio.pid"))"
    echo "$RUN/env.json"
    return
  fi
  rm -f "$RUN/env.json"
  local data port console user password pid
  data="$(mktemp -d "${TMPDIR:-/tmp}/strata-minio-data.XXXXXX")"
  echo "$data" >"$RUN/data-dir"
  local drives="${STRATA_MINIO_DRIVES:-1}" target
  case "$drives" in '' | *[!0-9]*) log "STRATA_MINIO_DRIVES must be a number, got '$drives'"; exit 2 ;; esac
  target="$data"
  # MinIO's own ellipsis notation: {1...N} (three dots) names N drives; MinIO expands it. The
  # drives are folders of one filesystem, which MinIO's erasure mode refuses as "root drives"
  # (it waits forever) unless MINIO_CI_CD is set.
  local ci=""
  if [ "$drives" -gt 1 ]; then target="$data/d{1...$drives}"; ci=1; fi
  port="$(free_port)"
  console="$(free_port)"
  while [ "$console" = "$port" ]; do console="$(free_port)"; done
  user="strata-root"
  password="strata-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  MINIO_CI_CD="$ci" MINIO_ROOT_USER="$user" MINIO_ROOT_PASSWORD="$password" MINIO_UPDATE=off MINIO_BROWSER=off \
    nohup "$BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$console" "$target" \
    >"$RUN/minio.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RUN/minio.pid"
  # Health, buckets and policy through the S3 API (no `mc`), then env.json.
  if ! MINIO_PID="$pid" MINIO_ENDPOINT="http://127.0.0.1:$port" MINIO_ROOT_USER="$user" MINIO_ROOT_PASSWORD="$password" \
    MINIO_ENV_FILE="$RUN/env.json" node "$HERE/setup-buckets.mjs" >&2; then
    log "MinIO did not come up; its log:"
    tail -n 30 "$RUN/minio.log" >&2 || true
    stop
    exit 1
  fi
  log "MinIO listening on 127.0.0.1:$port (pid $pid)"
  echo "$RUN/env.json"
}

stop() {
  if [ -f "$RUN/minio.pid" ]; then
    local pid
    pid="$(cat "$RUN/minio.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/minio.pid"
  fi
  if [ -f "$RUN/data-dir" ]; then
    rm -rf "$(cat "$RUN/data-dir")"
    rm -f "$RUN/data-dir"
  fi
  rm -f "$RUN/env.json"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  build) build ;;
  *) echo "usage: $0 start|stop|build" >&2; exit 2 ;;
esac
