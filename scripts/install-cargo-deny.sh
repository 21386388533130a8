#!/usr/bin/env sh
# Installs cargo-deny (an exact version, with its own Cargo.lock) into a cache
# folder outside target/, only when it is not there yet, and prints the folder
# that holds the binary: `PATH="$(scripts/install-cargo-deny.sh):$PATH" cargo deny …`.
# The first install compiles it from source (see README, "Test times").
# AEROPAY_TOOLS_CACHE moves the cache (default ~/.cache/aeropay-onboarding).
set -eu

version=0.20.2
cache="${AEROPAY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aeropay-onboarding}"
root="$cache/cargo-deny-$version"
bin="$root/bin"

if [ ! -x "$bin/cargo-deny" ]; then
    echo "installing cargo-deny $version into $root (compiles from source)" >&2
    cargo install cargo-deny --version "=$version" --locked --root "$root" >&2
fi
echo "$bin"
