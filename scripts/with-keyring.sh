#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring
# (a real Secret Service) and a throwaway HOME, so tests never touch the
# keyring or settings of the person running them.
#   scripts/with-keyring.sh cargo test --workspace
set -euo pipefail

if [ -z "${AEROPAY_KEYRING_SESSION:-}" ]; then
  command -v dbus-run-session >/dev/null || { echo "error: dbus-run-session missing: install the Debian package dbus-daemon" >&2; exit 1; }
  command -v gnome-keyring-daemon >/dev/null || { echo "error: gnome-keyring-daemon missing: install the Debian package gnome-keyring" >&2; exit 1; }
  export AEROPAY_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

# Keep the developer's toolchains while HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"

scratch=$(mktemp -d -t aeropay-keyring-XXXXXX)
keyring_pid=""
cleanup() {
  [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

export HOME="$scratch/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# Services the session bus starts on demand (the AT-SPI bus of the
# accessibility tests) get the throwaway HOME and runtime directory too:
# otherwise the AT-SPI bus socket is ~/.cache/at-spi/bus of the real HOME,
# shared with every other session of the same user.
dbus-update-activation-environment HOME XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME

# --unlock reads the password from stdin and creates the login keyring.
eval "$(printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets)"
keyring_pid="${GNOME_KEYRING_PID:-}"
export GNOME_KEYRING_CONTROL

"$@"
