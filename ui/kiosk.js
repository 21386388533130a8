// Kiosk behaviour on the page: the attract screen between customers, the
// idle watch that warns, then asks Rust to reset the session, and the
// lockdown of the page (no context menu, selection, zoom or dragging out).

import { el, button, logo, trapFocus } from "./dom.js";
import { invoke } from "./ipc.js";
import { onPageEvent } from "./page-events.js";
import { loc, currentLang, setL10n } from "./l10n.js";

// The welcome screen between customers. `onLanguage(lang)`: the customer
// picked a language (Rust keeps it until the next reset).
export function attractScreen(onStart, onLanguage) {
  const start = el(
    "button",
    { type: "button", class: "attract", id: "attract-start", onclick: onStart },
    logo(96),
    el("span", { class: "attract-title", ...loc("ui-attract-title") }),
    el("span", { class: "attract-cta", ...loc("ui-attract-cta") }),
  );
  // Each language's name in that language, whatever the screen speaks.
  const choice = (lang, id) =>
    el("button", {
      type: "button",
      class: "language-option",
      id: `language-${lang}`,
      lang,
      "data-lang-option": lang,
      "aria-pressed": String(currentLang() === lang),
      onclick: () => onLanguage(lang),
      ...loc(id),
    });
  const languages = el(
    "div",
    { class: "language-choice", role: "group", ...loc("ui-language-choice") },
    choice("en", "ui-language-en"),
    choice("es", "ui-language-es"),
  );
  // For the reset timings (README, Performance): the frame that shows it.
  requestAnimationFrame(() => performance.mark(MARK.attractShown));
  return el("section", { class: "attract-screen", ...loc("ui-attract") }, start, languages);
}

// Performance marks of the last reset: when it was asked for, when the attract
// screen was drawn, and when Rust had finished (kiosk_reset returned).
export const MARK = {
  trigger: "kiosk-reset-trigger",
  attractShown: "kiosk-attract-shown",
  resetDone: "kiosk-reset-done",
};

// A kiosk page is not a document to work with: no context menu, no text
// selection outside the fields, no zoom (keys, ctrl+wheel, pinch), nothing
// dragged out of it or dropped into it. Covers the app page; the widget's
// frame is the widget's own.
export function lockDown() {
  const stop = (event) => event.preventDefault();
  const editable = (target) => target instanceof Element && target.closest("input, textarea, select, [contenteditable='true']");
  document.addEventListener("contextmenu", stop);
  document.addEventListener("selectstart", (event) => {
    if (!editable(event.target)) event.preventDefault();
  });
  const zoomKeys = new Set(["+", "=", "-", "_", "0"]);
  const zoomCodes = new Set(["NumpadAdd", "NumpadSubtract", "Numpad0", "Equal", "Minus", "Digit0"]);
  document.addEventListener(
    "keydown",
    (event) => {
      if ((event.ctrlKey || event.metaKey) && (zoomKeys.has(event.key) || zoomCodes.has(event.code))) event.preventDefault();
    },
    { capture: true },
  );
  document.addEventListener(
    "wheel",
    (event) => {
      if (event.ctrlKey || event.metaKey) event.preventDefault();
    },
    { capture: true, passive: false },
  );
  for (const type of ["gesturestart", "gesturechange", "gestureend"]) {
    document.addEventListener(type, stop, { capture: true, passive: false });
  }
  document.addEventListener(
    "touchmove",
    (event) => {
      if (event.touches.length > 1) event.preventDefault();
    },
    { capture: true, passive: false },
  );
  for (const type of ["dragstart", "dragover", "drop"]) {
    document.addEventListener(type, stop, { capture: true });
  }
}

// The idle rule is Rust's (it keeps the clock, so a hung or reloaded page
// cannot keep a customer's session on screen). The page reports input
// while a customer is there (`active()`), shows the warning Rust asks for
// ("kiosk-idle" events with the seconds left, or null when it closes), and
// follows Rust's reset at the end of the countdown ("kiosk-reset":
// `resetShown()`). "I need more time" asks Rust for more; "Start over"
// runs `reset("customer")`.
export function followIdle({ active, reset: resetSession, resetShown, screenFocus }) {
  const reset = async (reason) => {
    for (const name of Object.values(MARK)) performance.clearMarks(name);
    performance.mark(MARK.trigger);
    await resetSession(reason);
    performance.mark(MARK.resetDone);
  };
  let lastReport = 0;
  const report = (force = false) => {
    if (!force && !active()) return;
    const now = Date.now();
    if (now - lastReport < 1000) return;
    lastReport = now;
    invoke("kiosk_activity").catch((error) => console.warn("kiosk activity", error));
  };
  for (const type of ["pointerdown", "keydown", "input", "touchstart", "wheel"]) {
    document.addEventListener(type, () => report(), { capture: true, passive: true });
  }
  let warning = null;
  let moreTimeAsked = false;

  // Focus goes back where it was; if that is gone, to the screen's heading.
  function closeWarning() {
    if (!warning) return;
    warning.node.remove();
    const { trap } = warning;
    warning = null;
    trap.release();
  }

  // Screen readers hear the time left when the warning opens (it is an
  // alert dialog) and then at a few marks, not every second.
  const ANNOUNCE_AT = new Set([30, 20, 10, 5]);

  function showWarning(left) {
    if (warning) {
      warning.text.dataset.seconds = String(left);
      warning.text.setAttribute("data-l10n-args", JSON.stringify({ seconds: left }));
      if (ANNOUNCE_AT.has(left) && left !== warning.announced) {
        warning.announced = left;
        setL10n(warning.announce, "ui-idle-left", { seconds: left });
      }
      return;
    }
    const text = el("p", { id: "idle-text", "data-seconds": String(left), ...loc("ui-idle-text", { seconds: left }) });
    const announce = el("p", { id: "idle-announce", class: "visually-hidden", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    const moreTime = () => {
      closeWarning();
      // A countdown Rust sent before it heard of this must not bring the
      // warning back while the answer is on its way.
      moreTimeAsked = true;
      invoke("kiosk_more_time")
        .catch((error) => console.warn("kiosk more time", error))
        .finally(() => {
          moreTimeAsked = false;
        });
    };
    const more = button("ui-idle-more-time", moreTime, { id: "idle-more-time" });
    const over = button("ui-start-over", () => {
      closeWarning();
      reset("customer");
    }, { kind: "secondary", id: "idle-start-over" });
    const dialog = el(
      "div",
      { class: "idle-warning", id: "idle-warning", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "idle-title", "aria-describedby": "idle-text" },
      el("h2", { id: "idle-title", ...loc("ui-idle-title") }),
      text,
      announce,
      el("div", { class: "actions" }, more, over),
    );
    const node = el("div", { class: "idle-backdrop" }, dialog);
    document.body.append(node);
    // Escape is "I need more time": the gentler of the two.
    const trap = trapFocus(dialog, { onEscape: moreTime, fallback: screenFocus });
    more.focus();
    warning = { node, text, announce, trap, announced: left };
  }

  onPageEvent("kiosk-idle", (payload) => {
    const left = payload?.secondsLeft;
    if (typeof left === "number") {
      if (!moreTimeAsked) showWarning(left);
    } else closeWarning();
  });
  onPageEvent("kiosk-reset", () => {
    closeWarning();
    resetShown();
  });
  // A customer tapping the attract screen is there from now on.
  return {
    customerArrived: () => {
      lastReport = 0;
      report(true);
    },
  };
}
