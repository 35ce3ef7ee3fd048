#!/usr/bin/env bash
# Builds the real Dgraph, the reference peer of the interop tests and benchmarks, from the Go
# module proxy, once per version, into ${STRATA_CACHE:-~/.cache/strata}/dgraph/VERSION/dgraph,
# and beside it tok-oracle (scripts/setup/tok-oracle: Dgraph's own index tokenizers on stdin).
#
#   scripts/setup/dgraph.sh VERSION            # v25.4.0 or v24.0.5; prints the binary's path
#   scripts/setup/dgraph.sh VERSION jemalloc   # the same with jemalloc, as Dgraph's release builds,
#                                              # into .../dgraph/VERSION-jemalloc/dgraph (no oracle)
#
# v25 needs github.com/dgraph-io/gqlgen v1.0.0, which the proxy does not serve: it is taken from
# shared/peers/gqlgen-v1.0.0 beside the repository ($STRATA_SHARED overrides where shared/ is).
# `go install MODULE/dgraph@VERSION` cannot be used (the proxy refuses the version list it asks
# for), so the module is downloaded, copied out of the read-only module cache and built there.
#
# jemalloc: Dgraph's release builds use `-tags jemalloc`, with which ristretto's z package (Dgraph's
# manually managed buffers) allocates through cgo from jemalloc built with the `je_` prefix: it
# includes <jemalloc/jemalloc.h> and links /usr/local/lib/libjemalloc.a, a path fixed in its source.
# Dgraph's Makefile downloads jemalloc 5.3.1 from GitHub, which these machines do not reach, and
# Debian's libjemalloc-dev has no prefix. So Debian's source package jemalloc 5.3.0-1 (`apt-get
# source`, from a deb-src list of this script's own: the machine's apt sources stay as they are) is
# built once with the options of Dgraph's Makefile (`--with-jemalloc-prefix=je_
# --with-malloc-conf=background_thread:true,metadata_thp:auto`) into
# $STRATA_CACHE/jemalloc/5.3.0-1-je; the header is given to cgo from there and only the static
# library is copied to /usr/local/lib (no .so there, which ld.so would take for Debian's
# libjemalloc.so.2). Needs root once, for apt-get and /usr/local/lib.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/clean-env.sh
source "$HERE/../lib/clean-env.sh"
# shellcheck source=../lib/apt.sh
source "$HERE/../lib/apt.sh"

VERSION="${1:?usage: dgraph.sh VERSION [jemalloc] (VERSION: v25.4.0 or v24.0.5)}"
VARIANT="${2:-}"
case "$VERSION" in
  v25.*) MODULE="github.com/dgraph-io/dgraph/v25" ;;
  v24.*) MODULE="github.com/dgraph-io/dgraph/v24" ;;
  *) echo "dgraph.sh: unsupported version $VERSION (v25.x or v24.x)" >&2; exit 2 ;;
esac
case "$VARIANT" in
  "" | jemalloc) ;;
  *) echo "dgraph.sh: unknown variant $VARIANT (only jemalloc)" >&2; exit 2 ;;
esac
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
DIR="$CACHE/dgraph/$VERSION${VARIANT:+-$VARIANT}"
BIN="$DIR/dgraph"
# The oracle is keyed by its source too, so that a cache built from an older main.go is rebuilt.
ORACLE_SRC="$HERE/tok-oracle/main.go"
ORACLE="$DIR/tok-oracle.$(sha256sum "$ORACLE_SRC" | cut -c1-12)"
ORACLE_LINK="$DIR/tok-oracle"
SHARED="${STRATA_SHARED:-$HERE/../../../shared}"
log() { echo "dgraph.sh: $*" >&2; }

link_oracle() { ln -sfn "$(basename "$ORACLE")" "$ORACLE_LINK"; }
# The oracle does not depend on the allocator: only the plain build has one.
ready() { [ -x "$BIN" ] && { [ -n "$VARIANT" ] || [ -x "$ORACLE" ]; }; }
finish() { [ -n "$VARIANT" ] || link_oracle; echo "$BIN"; exit 0; }
if ready; then finish; fi
command -v go >/dev/null || { log "go is not installed: it is needed once to build Dgraph"; exit 1; }
mkdir -p "$DIR"
exec 9>"$DIR/.build.lock"   # one build at a time per version
flock 9
if ready; then finish; fi

# jemalloc (see the top): Debian's source package, built with the je_ prefix once into $JE_DIR;
# its static library goes where ristretto links it from (the binary does not need it to run).
JE_DEB=5.3.0-1
JE_DIR="$CACHE/jemalloc/$JE_DEB-je"
JE_LIB=/usr/local/lib/libjemalloc.a

# Debian packages, only when missing (CI runs as root).
apt_need() {
  local need=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  [ "${#need[@]}" -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || { log "missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})"; exit 1; }
  log "apt-get install -y ${need[*]}"
  apt_install "${need[@]}"
}

# Builds jemalloc into $JE_DIR once, in the folder $1, and puts its static library at $JE_LIB.
jemalloc() {
  local jw="$1" apt src
  mkdir -p "$CACHE/jemalloc"
  exec 8>"$CACHE/jemalloc/.build.lock"   # shared by the versions
  flock 8
  if [ ! -f "$JE_DIR/.complete" ]; then
    apt_need dpkg-dev g++ make bzip2 xz-utils
    log "building jemalloc $JE_DEB (Debian's source) with the je_ prefix into $JE_DIR (once; a minute or two)"
    mkdir -p "$jw/sources" "$jw/lists/partial"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
      "$(. /etc/os-release && echo "${VERSION_CODENAME:?}")" /usr/share/keyrings/debian-archive-keyring.gpg \
      > "$jw/sources/debian-src.sources"
    # A source list and index of its own and no binary caches: the machine's apt state stays as it is.
    apt=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$jw/sources"
      -o "Dir::State::Lists=$jw/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
      -o "APT::Sandbox::User=root")
    apt-get "${apt[@]}" update -qq >/dev/null
    (cd "$jw" && apt-get "${apt[@]}" source -qq "jemalloc=$JE_DEB" >/dev/null)
    src="$(find "$jw" -mindepth 1 -maxdepth 1 -type d -name 'jemalloc-*')"
    [ -f "$src/configure" ] || { log "apt-get source jemalloc=$JE_DEB gave no source"; exit 1; }
    # The options of Dgraph's Makefile.
    (cd "$src" \
      && ./configure --with-jemalloc-prefix=je_ --with-malloc-conf=background_thread:true,metadata_thp:auto \
      && make -j"$(nproc)" lib/libjemalloc.a) >/dev/null
    nm -g --defined-only "$src/lib/libjemalloc.a" | grep ' T je_calloc$' >/dev/null \
      || { log "the jemalloc build has no je_calloc"; exit 1; }
    rm -rf "$JE_DIR"
    mkdir -p "$JE_DIR/lib" "$JE_DIR/include/jemalloc"
    cp "$src/lib/libjemalloc.a" "$JE_DIR/lib/"
    cp "$src/include/jemalloc/jemalloc.h" "$JE_DIR/include/jemalloc/"
    touch "$JE_DIR/.complete"
  fi
  # Only the static library: a libjemalloc.so in /usr/local/lib would stand in for Debian's
  # (unprefixed) libjemalloc.so.2 of other programs.
  if ! cmp -s "$JE_DIR/lib/libjemalloc.a" "$JE_LIB"; then
    if [ -e "$JE_LIB" ]; then
      log "$JE_LIB is another jemalloc than $JE_DIR's: remove it, or build with that one by hand"
      exit 1
    fi
    [ "$(id -u)" -eq 0 ] || { log "needs root once: sudo install -D -m 644 $JE_DIR/lib/libjemalloc.a $JE_LIB"; exit 1; }
    install -D -m 644 "$JE_DIR/lib/libjemalloc.a" "$JE_LIB"
  fi
  flock -u 8
}

log "preparing Dgraph $VERSION's module for $DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/strata-dgraph-build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
[ -z "$VARIANT" ] || jemalloc "$work/jemalloc"
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
if [ -z "$VARIANT" ] && [ ! -x "$ORACLE" ]; then
  mkdir -p strata_tok_oracle
  sed "s#DGRAPH_MODULE#$MODULE#" "$ORACLE_SRC" > strata_tok_oracle/main.go
  GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -o "$work/tok-oracle" ./strata_tok_oracle >&2
  echo '{"t":"term","lang":"","v":"ok"}' | "$work/tok-oracle" | grep -q '"016f6b"' || { log "tok-oracle does not answer"; exit 1; }
  mv "$work/tok-oracle" "$ORACLE"
  link_oracle
fi
if [ ! -x "$BIN" ]; then
  log "building Dgraph $VERSION${VARIANT:+ with $VARIANT} (once; a few minutes)"
  # With jemalloc: the build tag of Dgraph's release builds, and cgo finds the header in $JE_DIR
  # (ristretto links $JE_LIB itself).
  cgo=() tags=()
  [ -z "$VARIANT" ] || { cgo=(CGO_ENABLED=1 "CGO_CPPFLAGS=-I$JE_DIR/include"); tags=(-tags jemalloc); }
  # The version stamp Dgraph's own release builds set, so that `dgraph version` names it.
  GOFLAGS="-mod=mod -buildvcs=false" env "${cgo[@]}" go build -trimpath "${tags[@]}" \
    -ldflags "-X $MODULE/x.dgraphVersion=$VERSION" -o "$work/dgraph" ./dgraph >&2
  "$work/dgraph" version 2>/dev/null | grep -q "$VERSION" || { log "the built binary does not run or names another version"; exit 1; }
  if [ -n "$VARIANT" ]; then
    "$work/dgraph" version 2>/dev/null | grep '^jemalloc enabled *: true' >/dev/null \
      && go tool nm "$work/dgraph" | grep ' T je_malloc_stats_print$' >/dev/null \
      || { log "the built binary does not use jemalloc"; exit 1; }
  fi
  mv "$work/dgraph" "$BIN"
fi
echo "$BIN"
