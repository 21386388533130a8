// Small DOM helpers. Text always goes in through textContent: nothing from
// Rust, the API or the widget is ever parsed as HTML. The page's own words
// are catalog messages (`loc`, see l10n.js), formatted by Rust.

import { loc, setL10n } from "./l10n.js";

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A button whose label is the catalog message `l10nId`.
export function button(l10nId, onclick, { kind = "primary", id, args } = {}) {
  return el("button", { type: "button", class: `button ${kind}`, id, onclick, ...loc(l10nId, args) });
}

// A banner for an error: what happened, what to do, the code for support.
export function errorBanner(error) {
  if (!error) return null;
  return el(
    "div",
    { class: "banner error", role: "alert" },
    el("p", { class: "banner-message", text: error.message }),
    el("p", { class: "banner-code" }, el("span", loc("ui-code-for-support")), " ", el("code", { text: error.code })),
  );
}

// Says a catalog message once to screen readers, through the page's one
// polite live region (a new screen's heading gets the focus and is read
// that way; this is for changes of state within a screen). Rust formats
// it, as every text (l10n.js).
export function announce(id, args) {
  const region = document.getElementById("announcer");
  if (!region) return;
  clearAnnouncements();
  // A fresh text in a later frame is announced even when the same message
  // comes twice.
  requestAnimationFrame(() => setL10n(region, id, args));
}

// Empties the live region, so nothing said to one customer is left in the
// page for the next.
export function clearAnnouncements() {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.removeAttribute("data-l10n-id");
  region.removeAttribute("data-l10n-args");
  region.textContent = "";
}

// A spinner with its label, the catalog message `id`; the label is
// announced once (`announce`).
export function spinner(id) {
  announce(id);
  return el(
    "div",
    { class: "progress" },
    el("span", { class: "spinner", "aria-hidden": "true" }),
    el("p", { class: "progress-label", ...loc(id) }),
  );
}

// The product's mark as the header draws it (inline SVG in index.html: an
// SVG <img> costs WebKit a document of its own), `size` px square.
export function logo(size) {
  const mark = document.querySelector(".brand-mark").cloneNode(true);
  mark.removeAttribute("class");
  mark.setAttribute("width", String(size));
  mark.setAttribute("height", String(size));
  return mark;
}

// What Tab can reach inside `container`, in order.
const FOCUSABLE = "button, input, select, textarea, a[href], iframe, [tabindex]";
export function focusables(container) {
  return [...container.querySelectorAll(FOCUSABLE)].filter(
    (node) => !node.disabled && node.getAttribute("tabindex") !== "-1" && node.getClientRects().length > 0,
  );
}

// Open modal dialogs, the newest last: only the newest keeps the keyboard.
const traps = [];

function onTrapKey(event) {
  const trap = traps[traps.length - 1];
  if (!trap) return;
  if (event.key === "Escape" && trap.onEscape) {
    event.preventDefault();
    event.stopPropagation();
    trap.onEscape();
    return;
  }
  // Shift+Tab may come as key "Unidentified" with code "Tab" (GTK's
  // ISO_Left_Tab, as WebKitGTK's automation sends it).
  if (event.key !== "Tab" && event.code !== "Tab") return;
  const inside = focusables(trap.container);
  if (inside.length === 0) {
    event.preventDefault();
    return;
  }
  const first = inside[0];
  const last = inside[inside.length - 1];
  const active = document.activeElement;
  if (!trap.container.contains(active)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  } else if (event.shiftKey && active === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}

// Focus that leaves the newest dialog (a click behind it, a script) comes back in.
function onTrapFocus(event) {
  const trap = traps[traps.length - 1];
  if (!trap || trap.container.contains(event.target)) return;
  const inside = focusables(trap.container);
  if (inside.length > 0) inside[0].focus();
}

// A modal dialog's keyboard: Tab and Shift+Tab stay inside `container`,
// Escape calls `onEscape`. `release()` ends the trap and puts focus back
// where it was when the trap began (or on `fallback()` when that is gone).
// Everything else on the page is `inert` meanwhile: out of reach of the
// pointer, Tab and assistive technology, as `aria-modal` promises.
export function trapFocus(container, { onEscape, fallback } = {}) {
  const behind = [...document.body.children].filter((node) => !node.contains(container) && !node.inert);
  for (const node of behind) node.inert = true;
  const trap = { container, onEscape, returnFocus: document.activeElement };
  if (traps.length === 0) {
    document.addEventListener("keydown", onTrapKey, { capture: true });
    document.addEventListener("focusin", onTrapFocus, { capture: true });
  }
  traps.push(trap);
  return {
    release() {
      const index = traps.indexOf(trap);
      if (index === -1) return;
      traps.splice(index, 1);
      for (const node of behind) node.inert = false;
      if (traps.length === 0) {
        document.removeEventListener("keydown", onTrapKey, { capture: true });
        document.removeEventListener("focusin", onTrapFocus, { capture: true });
      }
      const back = trap.returnFocus;
      if (back && back !== document.body && document.contains(back)) back.focus();
      else fallback?.()?.focus();
    },
  };
}
