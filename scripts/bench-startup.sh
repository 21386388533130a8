#!/usr/bin/env bash
# Start-up to interactive and memory of the real app window beside a bare
# Tauri window (tests/bare-window: the same tauri, one static page), and the
# size of the binaries. Each launch runs under a private Xvfb display with a
# throwaway HOME, inside a private D-Bus session with gnome-keyring
# (scripts/with-keyring.sh), driven by the end-to-end harness
# (tests/benches/startup.rs).
#   scripts/bench-startup.sh              # 1 warm-up + 5 measured launches per binary
#   RUNS=10 scripts/bench-startup.sh
#   RELEASE_TARGET_DIR=/path/to/target scripts/bench-startup.sh   # release builds kept elsewhere
# Measures, interleaved so they share the machine's noise:
# - the bare window (release if a release build of the app exists, else debug):
#   the yardstick of the ratios;
# - target/debug/aeropay-onboarding;
# - if $RELEASE_TARGET_DIR/release/aeropay-onboarding exists (default: the
#   workspace's target/), that release binary, built as the packages build it:
#   the workspace's release profile and tauri's `custom-protocol` feature,
#   which the Tauri CLI of `make dist` turns on (without make dist's path
#   remapping, which changes no code).
# Everything is brought up to date with the source first; the debug and the
# release builds each build the app and the bare window in one cargo call,
# so both get the same tauri with the same features.
# Installer bundles need the Tauri CLI (`make dist`) and are not measured.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
release_target="${RELEASE_TARGET_DIR:-$target}"
packages=(-p aeropay-onboarding -p aeropay-onboarding-bare-window)

if [ -z "${AEROPAY_KEYRING_SESSION:-}" ]; then
  cargo build --locked "${packages[@]}"
  if [ -x "$release_target/release/aeropay-onboarding" ]; then
    cargo build --locked --release --features tauri/custom-protocol --target-dir "$release_target" "${packages[@]}"
  fi
  # The harness itself is built unoptimized: it only waits on the window.
  cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench startup --no-run
  exec scripts/with-keyring.sh "$0" "$@"
fi

if [ -x "$release_target/release/aeropay-onboarding" ]; then
  bare="$release_target/release/aeropay-onboarding-bare-window"
  binaries=("$target/debug/aeropay-onboarding" "$release_target/release/aeropay-onboarding")
  echo "Release binary: $release_target/release/aeropay-onboarding (release profile, tauri/custom-protocol as in the packages)"
else
  bare="$target/debug/aeropay-onboarding-bare-window"
  binaries=("$target/debug/aeropay-onboarding")
  echo "No release build at $release_target/release: debug builds only (the bare window is a debug build too)"
fi

echo "== Binary size =="
scratch=$(mktemp -d -t aeropay-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
for bin in "$bare" "${binaries[@]}"; do
  size=$(stat -c %s "$bin")
  line="$bin: $size bytes ($((size / 1048576)) MiB)"
  if command -v strip >/dev/null; then
    strip -o "$scratch/stripped" "$bin"
    stripped=$(stat -c %s "$scratch/stripped")
    line="$line; stripped: $stripped bytes ($((stripped / 1048576)) MiB)"
  fi
  echo "$line"
done
echo

app_args=(--bare "$bare")
for bin in "${binaries[@]}"; do app_args+=(--app "$bin"); done
echo "== Start-up and memory =="
cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench startup -- --runs "$runs" "${app_args[@]}"
echo
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%d)"
