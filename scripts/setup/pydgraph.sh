#!/usr/bin/env bash
# Installs Dgraph's official Python client, pydgraph (PyPI, Apache-2.0), once, into a virtual
# environment at ${STRATA_CACHE:-~/.cache/strata}/pydgraph-VERSION/ for e2e/tests/clients.test.ts.
# Prints that folder (its Python is bin/python).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/clean-env.sh
source "$HERE/../lib/clean-env.sh"
VERSION=25.2.0
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
DIR="$CACHE/pydgraph-$VERSION"
if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi
rm -rf "$DIR"
mkdir -p "$CACHE"
python3 -m venv "$DIR" >&2
"$DIR/bin/python" -m pip install --quiet --disable-pip-version-check "pydgraph==$VERSION" >&2
"$DIR/bin/python" -c 'import pydgraph' >&2
touch "$DIR/.complete"
echo "$DIR"
