# shellcheck shell=bash
# Sourced by every installer script. When `pnpm test` (or any pnpm/npm script) runs an installer,
# the package manager has exported its own settings into the environment: npm_config_* (among them
# a user agent naming the Node version pnpm runs on, which code-server's postinstall reads as the
# Node version), npm_package_*, npm_lifecycle_*, and PATH entries of its own (node_modules/.bin,
# pnpm's node-gyp shim). An installer must behave the same from a shell, from pnpm and from CI, so
# it forgets all of that first. Settings a user keeps in ~/.npmrc still apply.
for __strata_var in $(compgen -e); do
  case "$__strata_var" in
    npm_* | NPM_* | pnpm_* | PNPM_* | INIT_CWD | TURBO_* | VITEST* | NODE_OPTIONS) unset "$__strata_var" ;;
  esac
done
unset __strata_var
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -E '/node_modules/\.bin$|/pnpm/dist/node-gyp-bin$|/\.pnpm/' | paste -sd: -)
export PATH
