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
#   KIOSK_DISPLAY=cage scripts/bench-memory.sh    # the kiosk (and its bare window) in cage
# KIOSK_DISPLAY=cage shows the kiosk series and the bare window it is
# compared with on a headless output of cage, the Wayland compositor of the
# shipped kiosk session, instead of Xvfb (the desk stays on Xvfb). cage
# refuses to run as root, so as root the bench itself runs as `nobody`: the
# checkout must be readable by it.
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
kiosk_display="${KIOSK_DISPLAY:-xvfb}"
case "$kiosk_display" in
  xvfb|cage) ;;
  *) echo "error: KIOSK_DISPLAY is xvfb or cage, not '$kiosk_display'" >&2; exit 2 ;;
esac

# The bench's executable (built unoptimized: it only drives the window), run
# directly rather than through cargo, which may run as another user.
build_bench() {
  cargo bench --locked --profile dev -p aeropay-onboarding-e2e --bench memory --no-run \
    --message-format=json | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1
}
describe_commit() {
  echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
}

if [ -z "${AEROPAY_KEYRING_SESSION:-}" ]; then
  # One cargo call per profile: the app and the bare window get the same tauri.
  if [ -x "$release_target/release/aeropay-onboarding" ]; then
    cargo build --locked --release --features tauri/custom-protocol --target-dir "$release_target" "${packages[@]}"
  else
    cargo build --locked "${packages[@]}"
  fi
  MEMORY_BENCH="$(build_bench)"
  [ -x "$MEMORY_BENCH" ] || { echo "error: the memory bench was not built" >&2; exit 1; }
  MEMORY_BENCH_COMMIT="$(describe_commit)"
  export MEMORY_BENCH MEMORY_BENCH_COMMIT
  if [ "$kiosk_display" = cage ]; then
    scripts/install-deps.sh cage xwayland
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u nobody -- test -x "$MEMORY_BENCH" \
        || { echo "error: user nobody cannot run $MEMORY_BENCH (cage refuses root): make the checkout readable" >&2; exit 1; }
      # Where the harness saves a screenshot when a step stalls.
      mkdir -p "$target/e2e/main" && chown nobody "$target/e2e/main"
      exec runuser -u nobody -- env PATH="$PATH" MEMORY_BENCH="$MEMORY_BENCH" \
        MEMORY_BENCH_COMMIT="$MEMORY_BENCH_COMMIT" KIOSK_DISPLAY=cage ENROLLMENTS="$enrollments" RESETS="$resets" \
        RELEASE_TARGET_DIR="$release_target" CARGO_TARGET_DIR="$target" scripts/with-keyring.sh "$0" "$@"
    fi
  fi
  exec scripts/with-keyring.sh "$0" "$@"
fi

# Already inside a keyring session (scripts/with-keyring.sh scripts/bench-memory.sh):
# the bench is found here.
MEMORY_BENCH="${MEMORY_BENCH:-$(build_bench)}"
MEMORY_BENCH_COMMIT="${MEMORY_BENCH_COMMIT:-$(describe_commit)}"

if [ -x "$release_target/release/aeropay-onboarding" ]; then
  dir="$release_target/release"
  echo "Release build: $dir (release profile, tauri/custom-protocol as in the packages)"
else
  dir="$target/debug"
  echo "No release build at $release_target/release: debug builds (app and bare window)"
fi

"$MEMORY_BENCH" --enrollments "$enrollments" --resets "$resets" --kiosk-display "$kiosk_display" \
  --bare "$dir/aeropay-onboarding-bare-window" --app "$dir/aeropay-onboarding"
echo
echo "commit $MEMORY_BENCH_COMMIT"
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, WebKitGTK $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)"
