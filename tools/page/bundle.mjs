// The page as the app serves it: ui/main.js and every module it imports in
// one file, beside ui/'s other files (HTML, CSS, images). One request
// instead of one per module: each goes through the app's custom protocol,
// which its main thread serves while the window starts.
//   node tools/page/bundle.mjs <ui dir> <out dir> [<target os>]
// <target os> is Rust's (`linux`, `windows`, `macos`, …; default: this
// machine's, as Node names it).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [ui, out, targetOs = process.platform] = process.argv.slice(2);
if (!ui || !out) {
  console.error("usage: node tools/page/bundle.mjs <ui dir> <out dir> [<target os>]");
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(ui, { withFileTypes: true })) {
  if (entry.isFile() && !entry.name.endsWith(".js")) copyFileSync(join(ui, entry.name), join(out, entry.name));
}

// The text's font. WebView2 and WKWebView map `system-ui` to the system's
// UI font (Segoe UI, San Francisco). WebKitGTK asks fontconfig for a family
// literally named "system-ui", which most distributions do not define
// (Debian 12 does not): every text size the page uses then costs the web
// process a failed lookup before `sans-serif`, while the page starts. On
// Linux the page asks for `sans-serif`, the same font without the lookup.
const UI_FONT = "font-family: system-ui, sans-serif;";
if (targetOs === "linux") {
  const styles = join(out, "styles.css");
  const css = readFileSync(styles, "utf8");
  if (css.split(UI_FONT).length !== 2) {
    console.error(`tools/page/bundle.mjs: ui/styles.css must declare \`${UI_FONT}\` exactly once`);
    process.exit(1);
  }
  writeFileSync(styles, css.replace(UI_FONT, "font-family: sans-serif;"));
}
await build({
  entryPoints: [join(ui, "main.js")],
  bundle: true,
  format: "esm",
  // WebKitGTK 2.40 or later (Debian 12, Ubuntu 22.04), WKWebView, WebView2.
  target: ["safari16", "chrome109"],
  outfile: join(out, "main.js"),
  // Names and line numbers stay readable in the web inspector.
  minify: false,
  legalComments: "none",
  logLevel: "warning",
});

// Every file index.html names (in an attribute, or in its loader's
// `import()`) must be in the page as served: the app's protocol answers a
// missing one with index.html itself (the single-page fallback), so a
// reference to a module the bundle folded into main.js would cost a request
// at start-up and fail only in the web inspector.
const html = readFileSync(join(out, "index.html"), "utf8");
const served = new Set(readdirSync(out));
const missing = [...html.matchAll(/\b(?:src|href)="([^"#:?]+)"|\bimport\("\.\/([^"#:?]+)"\)/g)]
  .map((match) => match[1] ?? match[2])
  .filter((name) => !served.has(name));
if (missing.length > 0) {
  console.error(`tools/page/bundle.mjs: ui/index.html names files the page does not have: ${missing.join(", ")}`);
  process.exit(1);
}
