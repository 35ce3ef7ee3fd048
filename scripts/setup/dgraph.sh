#!/usr/bin/env bash
# Builds the real Dgraph, the reference peer of the interop tests and benchmarks, from the Go
# module proxy, once per version, into ${STRATA_CACHE:-~/.cache/strata}/dgraph/VERSION/dgraph,
# and beside it tok-oracle (scripts/setup/tok-oracle: Dgraph's own index tokenizers on stdin).
#
#   scripts/setup/dgraph.sh VERSION      # v25.4.0 or v24.0.5; prints the binary's path
#
# v25 needs github.com/dgraph-io/gqlgen v1.0.0, which the proxy does not serve: it is taken from
# shared/peers/gqlgen-v1.0.0 beside the repository ($STRATA_SHARED overrides where shared/ is).
# `go install MODULE/dgraph@VERSION` cannot be used (the proxy refuses the version list it asks
# for), so the module is downloaded, copied out of the read-only module cache and built there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/clean-env.sh
source "$HERE/../lib/clean-env.sh"

VERSION="${1:?usage: dgraph.sh VERSION (v25.4.0 or v24.0.5)}"
case "$VERSION" in
  v25.*) MODULE="github.com/dgraph-io/dgraph/v25" ;;
  v24.*) MODULE="github.com/dgraph-io/dgraph/v24" ;;
  *) echo "dgraph.sh: unsupported version $VERSION (v25.x or v24.x)" >&2; exit 2 ;;
esac
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
DIR="$CACHE/dgraph/$VERSION"
BIN="$DIR/dgraph"
# The oracle is keyed by its source too, so that a cache built from an older main.go is rebuilt.
ORACLE_SRC="$HERE/tok-oracle/main.go"
ORACLE="$DIR/tok-oracle.$(sha256sum "$ORACLE_SRC" | cut -c1-12)"
ORACLE_LINK="$DIR/tok-oracle"
SHARED="${STRATA_SHARED:-$HERE/../../../shared}"
log() { echo "dgraph.sh: $*" >&2; }

link_oracle() { ln -sfn "$(basename "$ORACLE")" "$ORACLE_LINK"; }
if [ -x "$BIN" ] && [ -x "$ORACLE" ]; then link_oracle; echo "$BIN"; exit 0; fi
command -v go >/dev/null || { log "go is not installed: it is needed once to build Dgraph"; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR/.build.lock"   # one build at a time per version
flock 9
if [ -x "$BIN" ] && [ -x "$ORACLE" ]; then link_oracle; echo "$BIN"; exit 0; fi

log "preparing Dgraph $VERSION's module for $DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/strata-dgraph-build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
src="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$src" ] || { log "go mod download $MODULE@$VERSION gave no folder"; exit 1; }
cp -r "$src" "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"
if [ "$VERSION" != "${VERSION#v25.}" ]; then
  gq="$(cd "$SHARED/peers/gqlgen-v1.0.0" 2>/dev/null && pwd)" || {
    log "Dgraph $VERSION needs shared/peers/gqlgen-v1.0.0 (not found under $SHARED); set STRATA_SHARED"
    exit 1
  }
  go mod edit -replace "github.com/dgraph-io/gqlgen=$gq"
fi
if [ ! -x "$ORACLE" ]; then
  mkdir -p strata_tok_oracle
  sed "s#DGRAPH_MODULE#$MODULE#" "$ORACLE_SRC" > strata_tok_oracle/main.go
  GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -o "$work/tok-oracle" ./strata_tok_oracle >&2
  echo '{"t":"term","lang":"","v":"ok"}' | "$work/tok-oracle" | grep -q '"016f6b"' || { log "tok-oracle does not answer"; exit 1; }
  mv "$work/tok-oracle" "$ORACLE"
  link_oracle
fi
if [ ! -x "$BIN" ]; then
  log "building Dgraph $VERSION (once; a few minutes)"
  # The version stamp Dgraph's own release builds set, so that `dgraph version` names it.
  GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
    -ldflags "-X $MODULE/x.dgraphVersion=$VERSION" -o "$work/dgraph" ./dgraph >&2
  "$work/dgraph" version 2>/dev/null | grep -q "$VERSION" || { log "the built binary does not run or names another version"; exit 1; }
  mv "$work/dgraph" "$BIN"
fi
echo "$BIN"
