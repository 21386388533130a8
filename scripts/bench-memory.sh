#!/usr/bin/env bash
# Memory of the app over a long session beside a bare Tauri window
# (tests/bare-window): after many enrollments at the desk and after many
# kiosk resets, in one app session each. Runs under a private Xvfb display
# with a throwaway HOME, inside a private D-Bus session with gnome-keyring
# (scripts/with-keyring.sh), driven by the end-to-end harness
# (tests/benches/memory.rs).
#   scripts/bench-memory.sh                       # 20 enrollments, 20 resets
#   ENROLLMENTS=5 RESETS=5 scripts/bench-memory.sh
#   RELEASE_TARGET_DIR=/path/to/target scripts/bench-memory.sh   # release builds kept elsewhere
# Measures the release app if $RELEASE_TARGET_DIR/release/aeropay-onboarding
# exists (default: the workspace's target/; built as the packages build it,
# the release profile with tauri's `custom-protocol` feature), else the
# debug app; the bare window always of the same profile, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
enrollments="${ENROLLMENTS:-20}"
resets="${RESETS:-20}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
release_target="${RELEASE_TARGET_DIR:-$target}"
packages=(-p aeropay-onboarding -p aeropay-onboarding-bare-window)

if [ -z "${AEROPAY_KEYRING_SESSION:-}" ]; then
  # One cargo call per profile: the app and the bare window get the same tauri.
  if [ -x "$release_target/release/aeropay-onboarding" ]; then
    cargo build --locked --release --features tauri/custom-protocol --target-dir "$release_target" "${packages[@]}"
  else
    cargo build --locked "${packages[@]}"
  fi
  # The harness itself is built unoptimized: it only drives the window.
  cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench memory --no-run
  exec scripts/with-keyring.sh "$0" "$@"
fi

if [ -x "$release_target/release/aeropay-onboarding" ]; then
  dir="$release_target/release"
  echo "Release build: $dir (release profile, tauri/custom-protocol as in the packages)"
else
  dir="$target/debug"
  echo "No release build at $release_target/release: debug builds (app and bare window)"
fi

cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench memory -- \
  --enrollments "$enrollments" --resets "$resets" \
  --bare "$dir/aeropay-onboarding-bare-window" --app "$dir/aeropay-onboarding"
echo
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, WebKitGTK $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)"
