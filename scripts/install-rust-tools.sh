#!/usr/bin/env bash
# Checks the Rust toolchain and adds rustfmt and clippy when rustup is there.
set -euo pipefail
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found. Install Rust with rustup (https://rustup.rs), then run make again." >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null 2>&1 || { echo "error: cargo $component missing and no rustup to add it" >&2; exit 1; }
    rustup component add "$component"
  fi
done
