// The page's texts come from Rust, which formats them with Fluent in the
// current language. An element names its message with `data-l10n-id` (and
// its variables with `data-l10n-args`, JSON); this fills in the text and
// the message's attributes (aria-label, placeholder, title). Messages
// without variables come in one bundle per language (`l10n_bundle`);
// those with variables are formatted by Rust as they are shown
// (`l10n_format`) and kept for the next time. Nothing here knows a plural
// rule or a word of any language.

import { invoke } from "./ipc.js";

let bundle = { lang: "en", messages: {} };
const formatted = new Map(); // `${id}\n${args}` → {value, attributes}

function key(id, args) {
  return `${id}\n${args}`;
}

// Attributes for `el()`: the message and its variables.
export function loc(id, args) {
  return { "data-l10n-id": id, "data-l10n-args": args ? JSON.stringify(args) : null };
}

// Points an element at another message (or other variables).
export function setL10n(node, id, args) {
  if (args) node.setAttribute("data-l10n-args", JSON.stringify(args));
  else node.removeAttribute("data-l10n-args");
  node.setAttribute("data-l10n-id", id);
}

function apply(node, message) {
  if (!message) return;
  if (typeof message.value === "string" && node.textContent !== message.value) node.textContent = message.value;
  for (const [name, value] of Object.entries(message.attributes || {})) {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }
}

// What is known now for an element: the bundle's message, or one Rust
// formatted before with the same variables.
function known(node) {
  const id = node.getAttribute("data-l10n-id");
  const args = node.getAttribute("data-l10n-args");
  if (!args) return bundle.messages[id] ?? null;
  return formatted.get(key(id, args)) ?? null;
}

// Fills every element under `root` (itself included). Resolves once the
// texts with variables are in too.
export async function localize(root) {
  const nodes = [];
  if (root.nodeType === Node.ELEMENT_NODE && root.hasAttribute("data-l10n-id")) nodes.push(root);
  if (root.querySelectorAll) nodes.push(...root.querySelectorAll("[data-l10n-id]"));
  const missing = [];
  for (const node of nodes) {
    const message = known(node);
    if (message) apply(node, message);
    else if (node.hasAttribute("data-l10n-args")) missing.push(node);
    else console.warn("l10n: no message", node.getAttribute("data-l10n-id"));
  }
  if (missing.length === 0) return;
  const requests = [];
  const seen = new Map();
  for (const node of missing) {
    const id = node.getAttribute("data-l10n-id");
    const args = node.getAttribute("data-l10n-args");
    const k = key(id, args);
    if (seen.has(k)) continue;
    let parsed = {};
    try {
      parsed = JSON.parse(args) || {};
    } catch {
      parsed = {};
    }
    seen.set(k, requests.length);
    requests.push({ id, args: parsed });
  }
  const lang = bundle.lang;
  let answers = [];
  try {
    answers = await invoke("l10n_format", { requests });
  } catch (error) {
    console.warn("l10n: format failed", error);
    return;
  }
  if (lang !== bundle.lang) return; // the language changed meanwhile
  for (const [k, index] of seen) formatted.set(k, answers[index]);
  for (const node of missing) {
    // The element may point elsewhere by now.
    const message = known(node);
    if (message) apply(node, message);
  }
}

// The language the page speaks now ("en", "es").
export function currentLang() {
  return bundle.lang;
}

// A plain message's text, for places that need a string (document title).
export function text(id) {
  return bundle.messages[id]?.value ?? id;
}

// Keeps a text Rust already formatted (the boot command's), so showing it
// needs no round trip.
export function remember(id, args, message) {
  formatted.set(key(id, JSON.stringify(args)), message);
}

// Drops every text formatted with variables (they may hold a customer's
// name): called when the screen turns to another customer.
export function forgetFormatted() {
  formatted.clear();
}

// Takes a language's bundle (from `l10n_bundle` or `l10n_choose`) and
// shows every text on the page in it.
export async function useBundle(next) {
  bundle = next;
  formatted.clear();
  document.documentElement.lang = next.lang;
  document.documentElement.dataset.lang = next.lang;
  // Language buttons (`data-lang-option`) show which one is on.
  for (const option of document.querySelectorAll("[data-lang-option]")) {
    option.setAttribute("aria-pressed", String(option.dataset.langOption === next.lang));
  }
  await localize(document.documentElement);
}

export async function loadBundle() {
  await useBundle(await invoke("l10n_bundle"));
}

// Whatever is added to the page later, or pointed at another message, is
// filled in as it comes.
export function observe() {
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") localize(record.target);
      else for (const node of record.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) localize(node);
    }
  });
  observer.observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-l10n-id", "data-l10n-args"],
  });
}
