// The staff PIN on the page: the PIN dialog, the kiosk's staff menu, the
// "Staff unlocked · Lock" indicator and the settings screen's PIN section.
// Rust decides everything (whether a PIN is set, the session, the wait
// after wrong PINs); this shows its answers and counts the wait down.

import { invoke, describeError } from "./ipc.js";
import { el, button, trapFocus } from "./dom.js";
import { loc, setL10n } from "./l10n.js";

const POLL_MS = 5000;
const STAFF_FIRST_LOOK_MS = 1000;
// A PIN dialog nobody types into closes by itself (a kiosk is public).
const PIN_DIALOG_IDLE_MS = 60000;
// Kiosk: the staff menu and the settings screen close, and staff are
// locked, after this long without input.
const KIOSK_STAFF_IDLE_MS = 60000;
let hooks = { kiosk: false, openSettings() {}, closeSettings() {}, settingsOpen: () => false, staffLocked() {} };
let status = null; // the last StaffStatus from Rust
let dialog = null; // the open PIN dialog or staff menu

// `options`: { kiosk, openSettings(), closeSettings(), settingsOpen(), staffLocked() }.
export function initStaff(options) {
  hooks = { ...hooks, ...options };
  // The first look waits until the first screen is drawn: it reads the PIN
  // from the keychain, which competes with the page's start for the
  // machine. Nothing opens meanwhile: a staff session ends with the app, so
  // a starting app is locked, and every staff-only door asks Rust first. (A
  // page reloaded while staff are unlocked shows the indicator a second
  // later.)
  setTimeout(refresh, STAFF_FIRST_LOOK_MS);
  setInterval(refresh, POLL_MS);
  if (hooks.kiosk) watchStaffIdle();
}

// Kiosk: staff who walk away leave nothing open. The quiet time counts from
// the last input while the staff menu or settings are on screen; then staff
// are locked, which closes both (see `follow`).
function watchStaffIdle() {
  let lastInput = Date.now();
  for (const type of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
    document.addEventListener(type, () => (lastInput = Date.now()), { capture: true, passive: true });
  }
  setInterval(() => {
    const staffOnScreen = dialog?.kind === "menu" || hooks.settingsOpen();
    if (!staffOnScreen) {
      lastInput = Date.now();
      return;
    }
    if (Date.now() - lastInput < KIOSK_STAFF_IDLE_MS) return;
    lastInput = Date.now();
    if (dialog?.kind === "menu") closeDialog();
    lock().finally(() => {
      if (hooks.settingsOpen()) hooks.closeSettings();
    });
  }, 1000);
}

// Asks Rust for the staff state and follows it on the page.
async function refresh() {
  try {
    follow(await invoke("staff_status"));
  } catch (error) {
    // The keychain may be locked: commands that need it will say so.
    console.warn("staff status", error);
  }
  return status;
}

function follow(next) {
  const wasUnlocked = status?.unlocked;
  status = next;
  showIndicator(status.unlocked);
  // The session ended (Lock, or 15 minutes without staff activity):
  // nothing staff-only stays on screen.
  if (wasUnlocked && !status.unlocked) {
    if (dialog?.kind === "menu") closeDialog();
    if (hooks.settingsOpen()) hooks.closeSettings();
    hooks.staffLocked();
  }
}

function showIndicator(unlocked) {
  let indicator = document.getElementById("staff-indicator");
  if (!unlocked) {
    indicator?.remove();
    return;
  }
  if (indicator) return;
  indicator = el(
    "p",
    { id: "staff-indicator", class: "staff-indicator", role: "status" },
    el("span", loc("ui-staff-unlocked")),
    " ",
    button("ui-staff-lock", lock, { kind: "secondary", id: "staff-lock" }),
  );
  document.querySelector(".header-end")?.prepend(indicator);
}

async function lock() {
  try {
    follow(await invoke("staff_lock"));
  } catch (error) {
    console.warn("staff lock", error);
  }
}

// Before a staff-only screen: resolves true when it may open (no PIN at a
// desk, or staff already unlocked, or the right PIN typed now).
export async function staffGate() {
  const current = await refresh();
  if (!current || !current.pinSet || current.unlocked) return true;
  return askPin();
}

// The kiosk's discreet way in, for the attract screen's corner.
export function staffCornerButton() {
  return el("button", { type: "button", class: "staff-corner", id: "staff-open", onclick: openStaffMenu, ...loc("ui-staff-corner") });
}

async function openStaffMenu() {
  const current = await refresh();
  if (current?.unlocked || (await askPin())) showMenu();
}

// Settings were closed on a kiosk: staff go back to their menu.
export function staffSettingsClosed() {
  if (hooks.kiosk && status?.unlocked) showMenu();
}

// A modal dialog: focus moves in, Tab stays in, Escape cancels, focus goes
// back where it was (one trap for every dialog: `trapFocus`).
function openDialog(kind, node, onCancel) {
  closeDialog();
  const backdrop = el("div", { class: "staff-backdrop" }, node);
  document.body.append(backdrop);
  const trap = trapFocus(node, { onEscape: onCancel, fallback: () => document.getElementById("staff-open") });
  dialog = { kind, backdrop, trap, timer: null, idle: null };
  return dialog;
}

function closeDialog() {
  if (!dialog) return;
  clearInterval(dialog.timer);
  clearInterval(dialog.idle);
  dialog.backdrop.remove();
  const { trap } = dialog;
  dialog = null;
  trap.release();
}

// The hint beside the PIN fields; it says how long a PIN is here (Rust
// checks it; this only says it).
function pinHint(node, pinSet) {
  setL10n(node, pinSet ? "ui-pin-hint-set" : "ui-pin-hint-unset", { kiosk: hooks.kiosk ? "yes" : "no" });
}

// A masked field for 4 to 12 digits, with the number pad on touch screens.
function pinInput(id, autocomplete) {
  return el("input", { id, class: "staff-pin-input", type: "password", inputmode: "numeric", pattern: "[0-9]*", maxlength: "12", autocomplete });
}

// The PIN dialog. Resolves true once the right PIN unlocked staff, false
// on Cancel or Escape.
function askPin() {
  return new Promise((resolve) => {
    let lastActivity = Date.now();
    const input = pinInput("staff-pin", "off");
    input.setAttribute("aria-describedby", "staff-pin-error staff-pin-wait");
    const error = el("p", { class: "field-error", id: "staff-pin-error", role: "alert" });
    const wait = el("p", { class: "staff-wait", id: "staff-pin-wait", "aria-live": "polite" });
    const unlock = el("button", { type: "submit", class: "button primary", id: "staff-pin-unlock", ...loc("ui-staff-unlock") });
    const cancel = button("ui-cancel", () => finish(false), { kind: "quiet", id: "staff-pin-cancel" });
    const form = el(
      "form",
      { class: "form", id: "staff-pin-form", novalidate: true },
      el("div", { class: "field" }, el("label", { for: "staff-pin", ...loc("ui-staff-pin") }), input, error, wait),
      el("div", { class: "actions" }, unlock, cancel),
    );
    const node = el(
      "div",
      { class: "staff-dialog", id: "staff-pin-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "staff-pin-title" },
      el("h2", { id: "staff-pin-title", ...loc("ui-staff-only") }),
      form,
    );
    const open = openDialog("pin", node, () => finish(false));

    function finish(ok) {
      if (dialog === open) closeDialog();
      resolve(ok);
    }

    // Counts Rust's wait down; Unlock is off until it is over.
    function countDown(seconds) {
      clearInterval(open.timer);
      const until = Date.now() + seconds * 1000;
      wait.dataset.wait = String(seconds);
      const tick = () => {
        const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
        wait.dataset.waiting = String(left > 0);
        unlock.disabled = left > 0;
        if (left > 0) {
          setL10n(wait, "ui-staff-wait", { seconds: left });
        } else {
          clearInterval(open.timer);
          lastActivity = Date.now();
          setL10n(wait, "ui-staff-try-now");
          input.focus();
        }
      };
      tick();
      open.timer = setInterval(tick, 250);
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (unlock.disabled) return;
      unlock.disabled = true;
      try {
        follow(await invoke("staff_unlock", { pin: input.value }));
        finish(true);
      } catch (failure) {
        input.value = "";
        setL10n(error, ...describeError(failure));
        input.setAttribute("aria-invalid", "true");
        unlock.disabled = false;
        const current = await refresh();
        if (current?.lockedOut) lockedOut(describeError(failure));
        else if (current?.waitSeconds > 0) countDown(current.waitSeconds);
        else input.focus();
      }
    });

    // Closes after a quiet minute, unless a wait is being counted down.
    for (const type of ["keydown", "pointerdown", "input"]) {
      node.addEventListener(type, () => (lastActivity = Date.now()));
    }
    open.idle = setInterval(() => {
      const quiet = Date.now() - lastActivity >= PIN_DIALOG_IDLE_MS;
      if (quiet && (!unlock.disabled || status?.lockedOut)) finish(false);
    }, 1000);

    input.focus();
    if (status?.lockedOut) lockedOut();
    else if (status?.waitSeconds > 0) countDown(status.waitSeconds);

    // Kiosk, too many wrong PINs: only a PIN set from a terminal opens it.
    function lockedOut(message) {
      clearInterval(open.timer);
      unlock.disabled = true;
      input.disabled = true;
      wait.removeAttribute("data-l10n-id");
      wait.textContent = "";
      if (message) setL10n(error, ...message);
      else setL10n(error, "ui-staff-locked-out");
      cancel.focus();
    }
  });
}

// The kiosk's staff menu: Settings, Leave kiosk mode, Back (locks again).
function showMenu() {
  const error = el("p", { class: "field-error", id: "staff-menu-error", role: "alert" });
  const back = async () => {
    closeDialog();
    await lock();
  };
  const node = el(
    "div",
    { class: "staff-dialog", id: "staff-menu", role: "dialog", "aria-modal": "true", "aria-labelledby": "staff-menu-title" },
    el("h2", { id: "staff-menu-title", ...loc("ui-staff-menu-title") }),
    el(
      "div",
      { class: "staff-menu-actions" },
      button("ui-staff-menu-settings", () => {
        closeDialog();
        hooks.openSettings();
      }, { id: "staff-menu-settings" }),
      button("ui-staff-menu-exit", async () => {
        error.removeAttribute("data-l10n-id");
        error.textContent = "";
        try {
          await invoke("kiosk_exit");
        } catch (failure) {
          setL10n(error, ...describeError(failure));
        }
      }, { kind: "secondary", id: "staff-menu-exit" }),
      button("ui-back", back, { kind: "quiet", id: "staff-menu-back" }),
    ),
    error,
  );
  openDialog("menu", node, back);
  node.querySelector("#staff-menu-settings").focus();
}

// The settings screen's "Staff PIN" section: set the first PIN or change it.
export function staffPinSection(pinSet) {
  const newPin = pinInput("staff-new-pin", "new-password");
  const confirm = pinInput("staff-confirm-pin", "new-password");
  const error = el("p", { class: "field-error", id: "staff-set-pin-error", role: "alert" });
  const done = el("p", { class: "staff-pin-done", id: "staff-set-pin-done", role: "status" });
  const hint = el("p", { class: "hint", id: "staff-pin-hint" });
  pinHint(hint, pinSet);
  const submit = el("button", { type: "submit", class: "button secondary", id: "staff-set-pin", ...loc(pinSet ? "ui-pin-change" : "ui-pin-set") });
  const form = el(
    "form",
    { class: "form", id: "staff-pin-settings", novalidate: true },
    el("div", { class: "field" }, el("label", { for: "staff-new-pin", ...loc("ui-pin-new") }), newPin),
    el("div", { class: "field" }, el("label", { for: "staff-confirm-pin", ...loc("ui-pin-again") }), confirm),
    error,
    done,
    el("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const node of [error, done]) {
      node.removeAttribute("data-l10n-id");
      node.textContent = "";
    }
    try {
      follow(await invoke("staff_set_pin", { newPin: newPin.value, confirmPin: confirm.value }));
      setL10n(done, "ui-pin-saved");
      pinHint(hint, true);
      setL10n(submit, "ui-pin-change");
    } catch (failure) {
      setL10n(error, ...describeError(failure));
    } finally {
      newPin.value = "";
      confirm.value = "";
    }
  });
  return el(
    "section",
    { class: "staff-pin-section", "aria-labelledby": "staff-pin-heading" },
    el("h3", { id: "staff-pin-heading", ...loc("ui-staff-pin") }),
    hint,
    form,
  );
}
