#!/usr/bin/env sh
# The crates under crates/ are plain Rust: the Aeropay client, the widget
# protocol, the simulator, the core and the broker's store build without
# tauri and without a webview, on every platform, so a headless server can
# reuse them and their
# tests link no WebKit. Fails, naming the crates and who pulls them in, when
# one of them reaches tauri, wry, tao, WebKitGTK, WebView2 or GTK through its
# normal (not dev or build) dependencies.
set -eu
cd "$(dirname "$0")/.."

# Every package under crates/ (its Cargo.toml's first `name`).
plain=$(for manifest in crates/*/Cargo.toml; do sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -1; done | tr '\n' ' ')
window='^(tauri|tauri-[a-z0-9-]+|wry|tao|webkit2gtk|webkit2gtk-sys|javascriptcore-rs|webview2-com|gtk|gtk-sys|gdk|gdk-sys) '

status=0
for crate in $plain; do
    # A failing cargo tree stops the script (set -e), never reads as clean.
    tree=$(cargo tree --locked -p "$crate" -e normal --target all --prefix none)
    found=$(printf '%s\n' "$tree" | sed 's/ (\*)$//' | sort -u | grep -E "$window" || true)
    if [ -n "$found" ]; then
        echo "error: $crate depends on window code:" >&2
        echo "$found" | sed 's/^/  /' >&2
        # Who pulls in the first of them.
        first=$(echo "$found" | head -1 | cut -d' ' -f1)
        cargo tree --locked -p "$crate" -e normal --target all -i "$first" >&2 || true
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "ok: ${plain% } link no tauri and no webview"
exit "$status"
