#!/usr/bin/env bash
# Fetches the word lists the tokenizer tests feed to Strata and to Dgraph's own tokenizers: the
# "small" frequency lists of the wordfreq package (PyPI, MIT; 3,000+ common words in each of 40+
# languages), once, into ${STRATA_CACHE:-~/.cache/strata}/wordfreq/VERSION/. Prints that folder.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/clean-env.sh
source "$HERE/../lib/clean-env.sh"
VERSION=3.1.1
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
DIR="$CACHE/wordfreq/$VERSION"
if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi
mkdir -p "$DIR"
work="$(mktemp -d "${TMPDIR:-/tmp}/strata-wordfreq.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work" "wordfreq==$VERSION" >&2
python3 - "$work" "$DIR" <<'PY'
import glob, os, sys, zipfile
work, out = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(work, "wordfreq-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.startswith("wordfreq/data/small_") and base.endswith(".msgpack.gz"):
            with open(os.path.join(out, base), "wb") as f:
                f.write(z.read(name))
PY
ls "$DIR"/small_en.msgpack.gz >/dev/null
touch "$DIR/.complete"
echo "$DIR"
