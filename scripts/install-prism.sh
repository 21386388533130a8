#!/usr/bin/env sh
# Installs the Prism mock server (@stoplight/prism-cli 5.x) into target/tools/prism,
# used by the contract tests against Aeropay's archived v2 OpenAPI description.
# Idempotent: does nothing when prism is already installed there.
set -eu

repo_root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
prefix="$repo_root/target/tools/prism"
prism="$prefix/node_modules/.bin/prism"

if [ -x "$prism" ]; then
    echo "prism already installed: $prism ($("$prism" --version 2>/dev/null || echo unknown version))"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "npm is required to install prism (Node.js 18 or later)" >&2
    exit 1
fi

mkdir -p "$prefix"
# A private package.json keeps npm from walking up to any parent project.
[ -f "$prefix/package.json" ] || echo '{"name":"prism-tools","private":true}' > "$prefix/package.json"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error '@stoplight/prism-cli@5'
echo "prism installed: $prism ($("$prism" --version))"
