// The page as the app serves it: ui/main.js and every module it imports in
// one file, beside ui/'s other files (HTML, CSS, images). One request
// instead of one per module: each goes through the app's custom protocol,
// which its main thread serves while the window starts.
//   node tools/page/bundle.mjs <ui dir> <out dir>
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const [ui, out] = process.argv.slice(2);
if (!ui || !out) {
  console.error("usage: node tools/page/bundle.mjs <ui dir> <out dir>");
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(ui, { withFileTypes: true })) {
  if (entry.isFile() && !entry.name.endsWith(".js")) copyFileSync(join(ui, entry.name), join(out, entry.name));
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
