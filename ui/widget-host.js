// Hosts the Aerosync widget in an iframe and relays its messages to Rust.
// Only messages whose source is this iframe and whose origin is the widget's
// origin are relayed; Rust checks the origin again, bounds the size and
// parses. The iframe never gets IPC: Tauri injects it into the app page only.

import { el } from "./dom.js";
import { loc } from "./l10n.js";

let active = null; // { frame, origin, onMessage }

export function widgetHost(view, actions) {
  stopWidget();
  const frame = el("iframe", {
    id: "widget-frame",
    class: "widget-frame",
    ...loc("ui-widget-frame"),
    src: view.widgetUrl,
    // Scripts, its own origin's storage and forms for the bank sign-in,
    // popups for OAuth banks; no navigation of the app page. A bank's
    // window keeps these limits too (no allow-popups-to-escape-sandbox):
    // it cannot navigate the app page either.
    sandbox: "allow-scripts allow-same-origin allow-forms allow-popups",
    allow: "publickey-credentials-get *; publickey-credentials-create *",
    referrerpolicy: "no-referrer",
  });
  const origin = view.widgetOrigin;
  const onMessage = (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data ?? null);
    actions.widgetMessage(event.origin, data);
  };
  window.addEventListener("message", onMessage);
  active = { frame, origin, onMessage };
  return el("div", { class: "widget-host" }, frame);
}

// Removes the listener; the iframe goes with the screen that held it.
export function stopWidget() {
  if (!active) return;
  window.removeEventListener("message", active.onMessage);
  active = null;
}
