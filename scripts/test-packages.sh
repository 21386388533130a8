#!/usr/bin/env bash
# The packages part of `make test`: builds the .deb and .rpm once with the
# `dist-test` profile (scripts/dist.sh, the same packaging path as `make
# dist`), builds the next patch version signed with a throwaway release key,
# then installs, runs, updates and removes the package
# (scripts/test-install.sh). Prints what each stage cost.
#   scripts/test-packages.sh      # as root, or with sudo for the install
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
now() { date +%s; }
declare -a costs=()
stage() { costs+=("$(printf '%-44s %4d s' "$1" "$2")"); }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
IFS=. read -r major minor patch <<<"$version"
next="$major.$minor.$((patch + 1))"
dist=$target/packages-test
next_dist=$target/packages-test-next
keys=$(mktemp -d -t aeropay-release-key-XXXXXX)
trap 'rm -rf "$keys"' EXIT

t=$(now)
DIST_PROFILE=dist-test DIST_OUT=$dist scripts/dist.sh
stage "build + package $version (dist-test profile)" $(($(now) - t))

# A throwaway release key, made the way a release's is (README, "Updates").
tauri=$root/packaging/node_modules/.bin/tauri
"$tauri" signer generate --ci -p '' -w "$keys/release.key" >/dev/null
t=$(now)
TAURI_SIGNING_PRIVATE_KEY=$(cat "$keys/release.key") TAURI_SIGNING_PRIVATE_KEY_PASSWORD='' \
  DIST_PROFILE=dist-test DIST_VERSION=$next DIST_OUT=$next_dist scripts/dist.sh
stage "build + package + sign $next (app crate only)" $(($(now) - t))

TEST_DIST=$dist \
  TEST_UPDATE_DEB="$next_dist/aeropay-onboarding_${next}_amd64.deb" \
  TEST_UPDATE_PUBKEY="$keys/release.key.pub" \
  TEST_UPDATE_VERSION=$next \
  scripts/test-install.sh
while read -r line; do costs+=("$line"); done < <(grep '^cost: ' "$dist/costs.txt" | sed 's/^cost: //')

rm -rf "$next_dist"
echo
echo "== What each stage cost =="
printf '%s\n' "${costs[@]}"
