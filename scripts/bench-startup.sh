#!/usr/bin/env bash
# Start-up to interactive and memory of the real app window, and the size of
# the app binaries. Each launch runs under a private Xvfb display with a
# throwaway HOME, inside a private D-Bus session with gnome-keyring
# (scripts/with-keyring.sh), driven by the end-to-end harness
# (tests/benches/startup.rs).
#   scripts/bench-startup.sh              # 1 warm-up + 5 measured launches per binary
#   RUNS=10 scripts/bench-startup.sh
# Measures target/debug/aeropay-onboarding and, if a release build exists
# (`cargo build --release -p aeropay-onboarding`), target/release/aeropay-onboarding;
# both are brought up to date with the source first. With both, the launches
# alternate between them so they share the machine's noise.
# Installer bundles need tauri-cli (`cargo tauri build`) and are not measured.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
target="${CARGO_TARGET_DIR:-$PWD/target}"

if [ -z "${AEROPAY_KEYRING_SESSION:-}" ]; then
  cargo build --locked -p aeropay-onboarding
  if [ -x "$target/release/aeropay-onboarding" ]; then
    cargo build --locked --release -p aeropay-onboarding
  fi
  # The harness itself is built unoptimized: it only waits on the window.
  cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench startup --no-run
  exec scripts/with-keyring.sh "$0" "$@"
fi

binaries=("$target/debug/aeropay-onboarding")
[ -x "$target/release/aeropay-onboarding" ] && binaries+=("$target/release/aeropay-onboarding")

echo "== Binary size =="
scratch=$(mktemp -d -t aeropay-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
for bin in "${binaries[@]}"; do
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

app_args=()
for bin in "${binaries[@]}"; do app_args+=(--app "$bin"); done
echo "== Start-up and memory =="
cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench startup -- --runs "$runs" "${app_args[@]}"
echo
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%Y-%m-%d)"
