#!/usr/bin/env bash
# Builds the Linux packages of the app: a .deb and an .rpm for x86_64, into
# target/dist/. Run through `make dist`, which installs the build packages and
# Node.js first.
#
# - The Tauri CLI is the one pinned in packaging/package-lock.json, installed
#   with `npm ci` (no global install, no cargo install).
# - Release profile from the workspace Cargo.toml (LTO, stripped).
# - Paths of the build machine are remapped out of the binary (panic messages
#   and file!() keep crate-relative paths), then checked with `strings`.
# - The desktop entry is named after the app identifier
#   (app.aeropay-onboarding.desktop) in the .deb; the Tauri bundler names it
#   after the product name, which has a space.
# AppImage is not built here: the bundler downloads linuxdeploy from GitHub
# for it, which this build does not do.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
identifier=app.aeropay-onboarding.desktop
product="Aeropay Onboarding"
package=aeropay-onboarding

command -v npm >/dev/null || { echo "error: npm missing: install the Debian packages nodejs npm (make dist does)" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "error: dpkg-deb missing (Debian package dpkg)" >&2; exit 1; }

echo "== Tauri CLI (packaging/package-lock.json) =="
npm ci --prefix packaging --no-audit --no-fund --loglevel=error
tauri=$root/packaging/node_modules/.bin/tauri
"$tauri" --version

cargo_home=${CARGO_HOME:-$HOME/.cargo}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
target=${CARGO_TARGET_DIR:-$root/target}
# Later prefixes win when several match, so the most specific comes last.
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$rustup_home=/rustup --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$root=/build/$package"

echo "== Release build and bundles =="
(cd src-tauri && "$tauri" build --ci --bundles deb,rpm)

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
bundle=$target/release/bundle
deb_in="$bundle/deb/${product}_${version}_amd64.deb"
rpm_in=$(ls "$bundle/rpm/${product}-${version}"-*.x86_64.rpm)
out=$target/dist
rm -rf "$out" && mkdir -p "$out"

echo "== Desktop entry named after the identifier =="
stage=$(mktemp -d -t aeropay-dist-XXXXXX)
trap 'rm -rf "$stage"' EXIT
dpkg-deb -R "$deb_in" "$stage/root"
mv "$stage/root/usr/share/applications/$product.desktop" "$stage/root/usr/share/applications/$identifier"
(cd "$stage/root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/root/DEBIAN/md5sums"
deb="$out/${package}_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage/root" "$deb" >/dev/null
cp "$rpm_in" "$out/${package}-${version}-1.x86_64.rpm"
rpm="$out/${package}-${version}-1.x86_64.rpm"

echo "== Nothing of the build machine in the binary =="
bin=$stage/root/usr/bin/$package
leaks=$(strings -a "$bin" | grep -E -e "$root" -e "$cargo_home" -e "$rustup_home" -e '/work/' -e '/root/' | sort -u || true)
if [ -n "$leaks" ]; then
  echo "error: the binary names paths of this machine:" >&2
  echo "$leaks" | head -20 >&2
  exit 1
fi
echo "ok: no $root, $cargo_home, $rustup_home, /work/ or /root/ in $package"

echo "== Packages =="
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{print $6}'
ls -l "$deb" "$rpm"
echo "binary: $(stat -c %s "$bin") bytes"
