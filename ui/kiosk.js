// Kiosk behaviour on the page: the attract screen between customers, and
// the idle watch that warns, then asks Rust to reset the session.

import { el, button } from "./dom.js";

export function attractScreen(onStart) {
  const start = el(
    "button",
    { type: "button", class: "attract", id: "attract-start", onclick: onStart },
    el("img", { src: "logo.svg", alt: "", width: "96", height: "96" }),
    el("span", { class: "attract-title", text: "Link your bank account with Aeropay" }),
    el("span", { class: "attract-cta", text: "Tap to start" }),
  );
  return el("section", { class: "attract-screen", "aria-label": "Welcome" }, start);
}

// Watches for a quiet customer. `limit()` says how many quiet seconds are
// allowed now (longer while the bank widget is open: the page cannot see
// what happens inside it). After that a warning counts down; at zero, or on
// "Start over", `reset(reason)` runs.
export function watchIdle({ timers, limit, active, reset }) {
  let lastActivity = Date.now();
  let warning = null;
  const touch = () => {
    lastActivity = Date.now();
  };
  for (const type of ["pointerdown", "keydown", "input", "touchstart", "wheel"]) {
    document.addEventListener(type, touch, { capture: true, passive: true });
  }

  function closeWarning() {
    if (!warning) return;
    clearInterval(warning.timer);
    warning.node.remove();
    warning = null;
  }

  function openWarning() {
    let left = timers.warningSeconds;
    const count = el("span", { id: "idle-countdown", text: String(left) });
    const more = button("I need more time", () => {
      closeWarning();
      touch();
    }, { id: "idle-more-time" });
    const over = button("Start over", () => {
      closeWarning();
      touch();
      reset("customer");
    }, { kind: "secondary", id: "idle-start-over" });
    const node = el(
      "div",
      { class: "idle-backdrop" },
      el(
        "div",
        { class: "idle-warning", id: "idle-warning", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "idle-title", "aria-describedby": "idle-text" },
        el("h2", { id: "idle-title", text: "Are you still there?" }),
        el("p", { id: "idle-text" }, "For your privacy this screen starts over in ", count, " seconds."),
        el("div", { class: "actions" }, more, over),
      ),
    );
    document.body.append(node);
    more.focus();
    const timer = setInterval(() => {
      left -= 1;
      count.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        closeWarning();
        touch();
        reset("idle");
      }
    }, 1000);
    warning = { node, timer };
  }

  setInterval(() => {
    if (warning || !active()) {
      if (!active()) touch();
      return;
    }
    if ((Date.now() - lastActivity) / 1000 >= limit()) openWarning();
  }, 500);

  return { closeWarning };
}
