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
#   (app.aeropay-onboarding.desktop); the Tauri bundler names it after the
#   product name, which has a space, so both packages are repacked: the .deb
#   with dpkg-deb, the .rpm with rpmbuild from the bundler's files and metadata.
# - DIST_PROFILE=dist-test builds with the workspace's `dist-test` profile
#   (what `make test` installs and updates; see Cargo.toml) instead of
#   `release`; everything after the compiler is the same.
# - DIST_VERSION=x.y.z builds the same tree with the workspace version set to
#   x.y.z, from a copy under target/ (the checkout is not touched); the update
#   test makes its second version this way. Only the workspace's own crates
#   recompile.
# - DIST_OUT=dir writes the packages there instead of target/dist/.
# - With TAURI_SIGNING_PRIVATE_KEY (and TAURI_SIGNING_PRIVATE_KEY_PASSWORD)
#   set, the .deb is signed for the updater (`tauri signer sign`, bound to
#   its version) into <package>.deb.sig.
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
for tool in rpmbuild rpm2cpio cpio; do
  command -v $tool >/dev/null || { echo "error: $tool missing: install the Debian packages rpm cpio (make dist does)" >&2; exit 1; }
done

echo "== Tauri CLI (packaging/package-lock.json) =="
npm ci --prefix packaging --no-audit --no-fund --loglevel=error
tauri=$root/packaging/node_modules/.bin/tauri
"$tauri" --version

cargo_home=${CARGO_HOME:-$HOME/.cargo}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
target=${CARGO_TARGET_DIR:-$root/target}
profile=${DIST_PROFILE:-release}
profile_args=()
[ "$profile" = release ] || profile_args=(-- --profile "$profile")
# The copy a DIST_VERSION build compiles from. Both remaps are always given:
# the flags are part of every crate's fingerprint, so identical flags let the
# second version reuse every compiled dependency.
copy=$target/dist-version-src
# Later prefixes win when several match, so the most specific comes last.
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$rustup_home=/rustup --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$root=/build/$package --remap-path-prefix=$copy=/build/$package"
# The same for C code built by build scripts (SQLite): its
# assertions and error macros name __FILE__.
prefix_maps="-ffile-prefix-map=$rustup_home=/rustup -ffile-prefix-map=$cargo_home=/cargo -ffile-prefix-map=$root=/build/$package -ffile-prefix-map=$copy=/build/$package"
export CFLAGS="${CFLAGS:-} $prefix_maps" CXXFLAGS="${CXXFLAGS:-} $prefix_maps"
export CARGO_TARGET_DIR=$target

src=$root
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
if [ -n "${DIST_VERSION:-}" ] && [ "$DIST_VERSION" != "$version" ]; then
  [[ "$DIST_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "error: DIST_VERSION must look like 1.2.3, not '$DIST_VERSION'" >&2; exit 1; }
  echo "== Copy of the tree with version $DIST_VERSION =="
  rm -rf "$copy" && mkdir -p "$copy"
  tar -C "$root" -cf - --exclude=./target --exclude=./.git --exclude=./packaging/node_modules . | tar -C "$copy" -xf -
  # The workspace version and the lock entries of the workspace's own crates.
  python3 - "$copy" "$version" "$DIST_VERSION" <<'PY'
import re, sys
copy, old, new = sys.argv[1:]
toml = open(f"{copy}/Cargo.toml").read()
toml = toml.replace(f'[workspace.package]\nversion = "{old}"', f'[workspace.package]\nversion = "{new}"', 1)
open(f"{copy}/Cargo.toml", "w").write(toml)
lock = open(f"{copy}/Cargo.lock").read()
# The workspace's own crates: the lock's packages without a `source` (every
# other one comes from a registry).
def bump(package):
    if "\nsource = " in package:
        return package
    return package.replace(f'\nversion = "{old}"\n', f'\nversion = "{new}"\n', 1)
lock = "[[package]]".join(bump(package) for package in lock.split("[[package]]"))
open(f"{copy}/Cargo.lock", "w").write(lock)
PY
  grep -q "^version = \"$DIST_VERSION\"" "$copy/Cargo.toml" || { echo "error: could not set the version in the copy" >&2; exit 1; }
  src=$copy
  version=$DIST_VERSION
fi

echo "== Build ($profile profile) and bundles =="
# The page the app embeds (frontendDist): the build script writes it too,
# but the Tauri CLI checks it is there before it starts cargo.
node "$src/tools/page/bundle.mjs" "$src/ui" "$src/target/page"
# The build (cargo, build scripts, npm) never sees the release key: only
# `tauri signer sign` below gets it.
(cd "$src/src-tauri" && env -u TAURI_SIGNING_PRIVATE_KEY -u TAURI_SIGNING_PRIVATE_KEY_PASSWORD \
  "$tauri" build --ci --bundles deb,rpm "${profile_args[@]}")

bundle=$target/$profile/bundle
deb_in="$bundle/deb/${product}_${version}_amd64.deb"
rpm_in=$(ls "$bundle/rpm/${product}-${version}"-*.x86_64.rpm)
out=${DIST_OUT:-$target/dist}
rm -rf "$out" && mkdir -p "$out"

echo "== Desktop entry named after the identifier =="
stage=$(mktemp -d -t aeropay-dist-XXXXXX)
trap 'rm -rf "$stage"' EXIT
dpkg-deb -R "$deb_in" "$stage/root"
mv "$stage/root/usr/share/applications/$product.desktop" "$stage/root/usr/share/applications/$identifier"
(cd "$stage/root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/root/DEBIAN/md5sums"
deb="$out/${package}_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage/root" "$deb" >/dev/null
# The .rpm: the bundler's files and metadata, rebuilt with rpmbuild (Debian
# package rpm) under the same name, version, release and dependencies.
rpm="$out/${package}-${version}-1.x86_64.rpm"
mkdir -p "$stage/rpmroot" "$stage/rpmbuild"
# Debian's rpm2cpio exits 1 on the bundler's rpm although it writes the whole
# archive: check the files against the rpm's own list instead.
(cd "$stage/rpmroot" && { rpm2cpio "$rpm_in" || true; } | cpio -idm --quiet)
rpm -qlp "$rpm_in" 2>/dev/null | while read -r file; do
  [ -f "$stage/rpmroot$file" ] || { echo "error: $file missing from the unpacked .rpm" >&2; exit 1; }
done
mv "$stage/rpmroot/usr/share/applications/$product.desktop" "$stage/rpmroot/usr/share/applications/$identifier"
q() { rpm -qp --qf "$1" "$rpm_in" 2>/dev/null; }
{
  echo "Name: $(q '%{NAME}')"
  echo "Version: $(q '%{VERSION}')"
  echo "Release: $(q '%{RELEASE}')"
  echo "Summary: $(q '%{SUMMARY}')"
  echo "License: $(q '%{LICENSE}')"
  echo "URL: $(q '%{URL}')"
  echo "AutoReqProv: no"
  q '[Requires: %{REQUIRENAME}\n]' | grep -v '^Requires: rpmlib('
  q '[Recommends: %{RECOMMENDNAME}\n]'
  echo "%define debug_package %{nil}"
  echo "%define __os_install_post %{nil}"
  echo "%define _build_id_links none"
  echo "%description"
  q '%{DESCRIPTION}'
  echo
  echo "%install"
  echo "cp -a '$stage/rpmroot/.' %{buildroot}/"
  echo "%files"
  (cd "$stage/rpmroot" && find . -type f -printf '/%P\n' | sort)
} > "$stage/$package.spec"
rpmbuild -bb --quiet --define "_topdir $stage/rpmbuild" --define "_buildhost localhost" --define "_rpmdir $stage/rpms" \
  --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' "$stage/$package.spec"
cp "$stage/rpms/${package}-${version}-1.x86_64.rpm" "$rpm"

if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  echo "== Signature for the updater (bound to version $version) =="
  "$tauri" signer sign --app-version "$version" "$deb" >/dev/null
  [ -s "$deb.sig" ] || { echo "error: no $deb.sig written" >&2; exit 1; }
  echo "signed: $(basename "$deb").sig"
fi

echo "== Nothing of the build machine in the binary =="
bin=$stage/root/usr/bin/$package
leaks=$(strings -a "$bin" | grep -E -e "$root" -e "$cargo_home" -e "$rustup_home" -e '/work/' -e '/root/' | sort -u || true)
if [ -n "$leaks" ]; then
  echo "error: the binary names paths of this machine:" >&2
  echo "$leaks" | head -20 >&2
  exit 1
fi
[ "$src" = "$root" ] || rm -rf "$copy"
echo "ok: no $root, $cargo_home, $rustup_home, /work/ or /root/ in $package"

echo "== Packages =="
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{print $6}'
ls -l "$deb" "$rpm" ${TAURI_SIGNING_PRIVATE_KEY:+"$deb.sig"}
echo "binary: $(stat -c %s "$bin") bytes"
