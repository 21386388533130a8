#!/usr/bin/env sh
# Installs the Prism mock server into target/tools/prism, used by the contract
# tests against Aeropay's archived v2 OpenAPI description. The version and
# every package under it are pinned by scripts/prism/package.json and
# scripts/prism/package-lock.json, installed with `npm ci` (integrity hashes
# checked, nothing resolved anew).
# Idempotent: does nothing when prism is installed there from the same lock.
set -eu

repo_root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
pinned="$repo_root/scripts/prism"
prefix="$repo_root/target/tools/prism"
prism="$prefix/node_modules/.bin/prism"

if [ -x "$prism" ] && cmp -s "$pinned/package-lock.json" "$prefix/package-lock.json"; then
    echo "prism already installed: $prism ($("$prism" --version 2>/dev/null || echo unknown version))"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "npm is required to install prism (Node.js 18 or later)" >&2
    exit 1
fi

# A folder of its own keeps npm from walking up to any parent project.
mkdir -p "$prefix"
cp "$pinned/package.json" "$pinned/package-lock.json" "$prefix/"
npm ci --prefix "$prefix" --no-audit --no-fund --loglevel=error
echo "prism installed: $prism ($("$prism" --version))"
