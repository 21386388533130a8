// Small DOM helpers. Text always goes in through textContent: nothing from
// Rust, the API or the widget is ever parsed as HTML. The page's own words
// are catalog messages (`loc`, see l10n.js), formatted by Rust.

import { loc } from "./l10n.js";

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

// `label`: the attributes of a catalog message (`loc(...)`).
export function spinner(label) {
  return el(
    "div",
    { class: "progress", role: "status" },
    el("span", { class: "spinner", "aria-hidden": "true" }),
    el("p", { class: "progress-label", ...label }),
  );
}
