#!/usr/bin/env sh
# Installs axe-core into target/tools/axe, for the accessibility audit of the
# end-to-end tests (tests/tests/a11y_*.rs inject it into the app's page). The
# version is pinned by tests/axe/package.json and tests/axe/package-lock.json,
# installed with `npm ci` (integrity hash checked, nothing resolved anew).
# Idempotent: does nothing when axe-core is installed there from the same lock.
set -eu

repo_root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
pinned="$repo_root/tests/axe"
prefix="$repo_root/target/tools/axe"
axe="$prefix/node_modules/axe-core/axe.min.js"

if [ -f "$axe" ] && cmp -s "$pinned/package-lock.json" "$prefix/package-lock.json"; then
    echo "axe-core already installed: $axe"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "npm is required to install axe-core (Node.js 18 or later)" >&2
    exit 1
fi

mkdir -p "$prefix"
cp "$pinned/package.json" "$pinned/package-lock.json" "$prefix/"
npm ci --prefix "$prefix" --no-audit --no-fund --loglevel=error
echo "axe-core installed: $axe"
