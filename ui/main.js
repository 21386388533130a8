// The page is a view of state owned by Rust: it asks commands for actions and
// renders the enrollment state they return (or that Rust sends as page events while a long
// action runs). Nothing here decides anything about the enrollment.

import { invoke, describeError } from "./ipc.js";
import { followPageEvents, onPageEvent } from "./page-events.js";
import { clearAnnouncements, el } from "./dom.js";
import { screenFor, STAGE } from "./screens.js";
import { stopWidget } from "./widget-host.js";
import { settingsScreen } from "./settings.js";
import { attractScreen, followIdle, lockDown } from "./kiosk.js";
import { listScreen, defaultFilter, rangeOf } from "./desk.js";
import { emptyFleet, fleetScreen, learn, scopeSwitch } from "./fleet.js";
import { initStaff, staffCornerButton, staffGate, staffSettingsClosed } from "./staff.js";
import { forgetFormatted, loadBundle, loc, localize, observe, remember, setL10n, useBundle } from "./l10n.js";

const screen = document.getElementById("screen");
const environmentBadge = document.getElementById("environment");
const appStatus = document.getElementById("app-status");
const version = document.getElementById("version");
const notice = document.getElementById("notice");
const stepper = document.querySelector(".stepper");

let shown = null; // JSON of the view on screen
// The newest view's number seen (Rust numbers every view it makes): a
// command's answer and an event can arrive in either order, and an older
// view must not replace a newer one (it would draw the screen before, then
// this one again: a widget loaded twice).
let newestRevision = 0;
let busy = false;

// What was typed, read from the inputs themselves: FormData leaves out
// inputs that are disabled while a command runs.
function formValues() {
  const form = document.getElementById("details-form");
  if (!form) return null;
  return Object.fromEntries([...form.querySelectorAll("input[name]")].map((input) => [input.name, input.value]));
}

let settingsOpen = false;
let kiosk = false;
let attractShown = false; // kiosk: the welcome screen between customers
let currentStep = null;
const dropped = new Set(); // kiosk: enrollments ended by a reset, never shown again

// Kiosk: a fresh session (no enrollment yet) waits behind the attract screen.
function showAttract() {
  attractShown = true;
  setLargerText(false);
  // Nothing of the last customer stays in the page: texts formatted with
  // their name, what the live region said.
  forgetFormatted();
  clearAnnouncements();
  shown = null;
  currentStep = "attract";
  stopWidget();
  stepper.hidden = true;
  screen.dataset.step = "attract";
  ++drawn;
  screen.replaceChildren(
    attractScreen(
      async () => {
        idle?.customerArrived();
        let view = await invoke("enrollment_state");
        // A reset that failed left a customer behind: never show it to the next one.
        if (view.id !== null) view = await invoke("kiosk_reset", { reason: "customer" });
        attractShown = false;
        await render(view);
      },
      // The customer's language, kept by Rust until the next reset.
      async (lang) => {
        try {
          await useBundle(await invoke("l10n_choose", { lang }));
          await showInfo();
        } catch (error) {
          showNotice(error);
        }
      },
    ),
    staffCornerButton(),
  );
  // Keyboard users start where a tap would: on the start control.
  document.getElementById("attract-start").focus();
}

// Screens are drawn in turn; a screen whose texts are still being
// formatted is dropped when another one is drawn meanwhile.
let drawn = 0;
let drawnId; // the enrollment the screen was last drawn for (undefined: none yet)

async function render(view) {
  if (view.revision < newestRevision) return;
  newestRevision = view.revision;
  // A reset waits for a link call under way; its outcome is recorded, not shown.
  if (kiosk && view.id !== null && (attractShown || dropped.has(view.id))) return;
  if (kiosk && view.id === null && view.step === "details" && (attractShown || currentStep === null)) {
    if (!attractShown) showAttract();
    return;
  }
  // The state without its number: the same state viewed twice is drawn once.
  const { revision: _revision, ...state } = view;
  const json = JSON.stringify(state);
  // The command answer and the event carry the same state; settings and the
  // desk list sit over the enrollment, which is drawn again when they close.
  if (json === shown || settingsOpen || listOpen) return;
  currentStep = view.step;
  const previousStep = shown ? JSON.parse(shown).step : null;
  const keep = view.step === "details" && previousStep === "details" ? formValues() : null;
  shown = json;
  // Another customer, or a blank form: texts formatted with the last one's
  // name are not kept for the rest of the session (a kiosk also drops them
  // at its attract screen).
  if (drawnId !== undefined && view.id !== drawnId) forgetFormatted();
  drawnId = view.id;
  if (view.step !== "linking") stopWidget();
  if (largerText) largerText.hidden = false;
  // The screen goes up with its words in: those with variables are
  // formatted by Rust first.
  const node = screenFor(view, actions, keep);
  const turn = ++drawn;
  await localize(node);
  if (turn !== drawn) return;
  screen.replaceChildren(node);
  const stage = STAGE[view.step];
  for (const item of stepper.children) {
    const order = ["customer", "code", "bank"];
    const index = order.indexOf(item.dataset.stage);
    const current = stage === "done" ? order.length : order.indexOf(stage);
    item.classList.toggle("current", index === current);
    item.classList.toggle("complete", current > index);
    if (index === current) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  stepper.hidden = stage === null;
  screen.dataset.step = view.step;
  focusScreen(view);
}

// Focus the first thing to do, so keyboard users and screen readers follow.
function focusScreen(view) {
  const invalid = screen.querySelector("[aria-invalid='true']");
  const target =
    invalid ||
    (view.step === "details" || view.step === "code" ? screen.querySelector("input") : null) ||
    screen.querySelector("h2");
  if (target) {
    if (target.tagName === "H2") target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: false });
  }
}

function showNotice(error) {
  setL10n(notice, ...describeError(error));
  notice.hidden = false;
}

function clearNotice() {
  notice.hidden = true;
  notice.removeAttribute("data-l10n-id");
  notice.removeAttribute("data-l10n-args");
  notice.textContent = "";
}

function setBusy(value) {
  busy = value;
  document.body.classList.toggle("busy", value);
  for (const control of screen.querySelectorAll("button, input")) {
    if (value) control.setAttribute("disabled", "");
    else control.removeAttribute("disabled");
  }
}

async function run(command, args = {}) {
  if (busy) return;
  clearNotice();
  setBusy(true);
  try {
    await render(await invoke(command, args));
  } catch (error) {
    showNotice(error);
  } finally {
    setBusy(false);
  }
}

const actions = {
  submitDetails: (details) => run("enrollment_submit_details", { details }),
  submitCode: (code) => run("enrollment_submit_code", { code }),
  resendCode: () => run("enrollment_resend_code"),
  confirmId: (idChecked) => run("enrollment_confirm_id", { idChecked }),
  sendCode: () => run("enrollment_send_code"),
  useAccount: (bankAccountId) => run("enrollment_use_account", { bankAccountId }),
  openWidget: () => run("enrollment_open_widget"),
  cancel: () => run("enrollment_cancel"),
  startOver: () => (kiosk ? resetSession("customer") : run("enrollment_start_over")),
  // Widget messages arrive while the customer works in the iframe: they do
  // not lock the page, and a refused one is reported without losing the step.
  // They go to Rust one at a time, in the order the widget posted them (old
  // widgets post pageSuccess and widgetClose back to back).
  widgetMessage: (origin, data) => {
    widgetQueue = widgetQueue.then(async () => {
      try {
        render(await invoke("enrollment_widget_message", { origin, data }));
      } catch (error) {
        showNotice(error);
      }
    });
    return widgetQueue;
  },
};

let widgetQueue = Promise.resolve();

// Kiosk: the customer's screen goes, for a reset asked for here or decided
// by Rust (the idle countdown's end): nothing of them is shown again.
function dropCustomerScreen() {
  clearNotice();
  const last = shown ? JSON.parse(shown).id : null;
  if (last) dropped.add(last);
  showAttract();
}

// Kiosk: drop everything of the customer (Rust clears the session, tokens,
// bank windows and webview data) and show the attract screen.
async function resetSession(reason) {
  // The customer's screen goes first.
  dropCustomerScreen();
  try {
    await invoke("kiosk_reset", { reason });
  } catch (error) {
    showNotice(error);
  }
}

let idle = null; // kiosk: reports input to Rust's idle clock

// Kiosk: "Larger text" doubles the text size (the kiosk refuses the
// webview's zoom). The customer's choice: hidden on the attract screen and
// forgotten at every reset.
let largerText = null;

function setLargerText(on) {
  document.documentElement.classList.toggle("larger-text", on);
  if (!largerText) return;
  largerText.setAttribute("aria-pressed", String(on));
  largerText.hidden = true;
}

function startKiosk() {
  kiosk = true;
  document.body.dataset.mode = "kiosk";
  lockDown();
  document.getElementById("open-settings").hidden = true;
  largerText = el("button", { type: "button", class: "button secondary text-size", id: "larger-text", "aria-pressed": "false", hidden: true, ...loc("ui-larger-text") });
  largerText.addEventListener("click", () => {
    const on = largerText.getAttribute("aria-pressed") !== "true";
    document.documentElement.classList.toggle("larger-text", on);
    largerText.setAttribute("aria-pressed", String(on));
  });
  document.querySelector(".header-end").append(largerText);
  idle = followIdle({
    active: () => !attractShown && currentStep !== null,
    reset: resetSession,
    resetShown: dropCustomerScreen,
    screenFocus: () => screen.querySelector("[aria-invalid='true'], input, h2"),
  });
}

// Desk: the list of enrollments beside the enrollment itself.
let listOpen = false;
const desk = { filter: defaultFilter(), rows: null, error: null, exported: null, exportError: null };
// Desk of a fleet: which list is shown ("desk" or "fleet"), and the fleet's.
let fleetDesk = false;
let scope = "desk";
let fleet = emptyFleet();
let fleetTurn = 0; // an answer for an earlier choice is dropped
const deskNav = document.getElementById("desk-nav");

function setNav(current) {
  for (const tab of deskNav.querySelectorAll("[data-view]")) {
    if (tab.dataset.view === current) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

// Redraws the list, keeping the focused control (and the caret while
// typing a search) where it was.
function drawList() {
  if (!listOpen) return;
  const active = document.activeElement;
  const focusId = active && screen.contains(active) ? active.id : null;
  const caret = focusId && active.selectionStart !== undefined ? active.selectionStart : null;
  ++drawn;
  const choice = fleetDesk ? scopeSwitch(scope, chooseScope) : null;
  screen.replaceChildren(scope === "fleet" ? fleetScreen(fleet, fleetActions, choice) : listScreen(desk, deskActions, choice));
  const again = focusId ? document.getElementById(focusId) : null;
  if (again) {
    again.focus();
    if (caret !== null && again.setSelectionRange && again.type === "search") again.setSelectionRange(caret, caret);
  }
}

async function loadList() {
  try {
    desk.rows = await invoke("desk_enrollments", { filter: { ...rangeOf(desk.filter), status: desk.filter.status, text: desk.filter.text } });
    desk.error = null;
  } catch (error) {
    desk.rows = [];
    desk.error = error;
  }
  drawList();
}

async function openList() {
  settingsOpen = false;
  leaveFleet();
  listOpen = true;
  setNav("list");
  stopWidget();
  stepper.hidden = true;
  screen.dataset.step = "list";
  desk.exported = null;
  desk.exportError = null;
  drawList();
  await loadList();
  screen.querySelector("h2")?.setAttribute("tabindex", "-1");
  screen.querySelector("h2")?.focus();
}

// The fleet's list goes from the page: nothing of it stays on screen or
// in memory.
function forgetFleet() {
  fleet = emptyFleet();
}

async function loadFleet() {
  const turn = ++fleetTurn;
  fleet.loading = true;
  fleet.error = null;
  fleet.listing = null;
  drawList();
  try {
    const { store, device } = fleet.filter;
    const listing = await invoke("desk_fleet_enrollments", { filter: { store: store || null, device: device || null, utcOffsetMinutes: -new Date().getTimezoneOffset() } });
    if (turn !== fleetTurn) return;
    learn(fleet, listing);
    fleet.listing = listing;
  } catch (error) {
    if (turn !== fleetTurn) return;
    fleet.error = error;
  }
  fleet.loading = false;
  drawList();
}

async function chooseScope(next) {
  if (next === scope) return;
  if (next === "fleet") {
    // Staff only: with a PIN set, the PIN dialog first.
    if (!(await staffGate())) return;
    scope = "fleet";
    forgetFleet();
    loadFleet();
  } else {
    leaveFleet();
    drawList();
    loadList();
  }
  document.getElementById(next === "fleet" ? "scope-fleet" : "scope-desk")?.focus();
}

const fleetActions = {
  filter: (filter) => {
    fleet.filter = filter;
    loadFleet();
  },
  refresh: async () => {
    if (await staffGate()) loadFleet();
  },
};

// Staff locked (Lock, or their session ran out): the fleet's list goes,
// and Rust's refusal says why.
function staffLocked() {
  if (scope !== "fleet") return;
  forgetFleet();
  if (listOpen) loadFleet();
}

// Back to this desk's list, the fleet's forgotten.
function leaveFleet() {
  scope = "desk";
  forgetFleet();
  ++fleetTurn;
}

async function closeList() {
  listOpen = false;
  leaveFleet();
  setNav("enroll");
  shown = null;
  render(await invoke("enrollment_state"));
}

// Resume or link another: the enrollment screen takes over (Rust sends its
// progress); if Rust refuses, the list comes back with the reason.
async function continueEnrollment(command, id) {
  if (busy) return;
  clearNotice();
  setBusy(true);
  listOpen = false;
  setNav("enroll");
  shown = null;
  try {
    render(await invoke(command, { id }));
  } catch (error) {
    listOpen = true;
    setNav("list");
    drawList();
    showNotice(error);
  } finally {
    setBusy(false);
  }
}

const deskActions = {
  filter: (filter) => {
    desk.filter = filter;
    loadList();
  },
  resume: (id) => continueEnrollment("enrollment_resume", id),
  linkAnother: (id) => continueEnrollment("enrollment_link_another", id),
  exportCsv: async (filter) => {
    desk.filter = filter;
    try {
      desk.exported = await invoke("desk_export", { range: rangeOf(filter) });
      desk.exportError = null;
    } catch (error) {
      desk.exported = null;
      desk.exportError = error;
    }
    drawList();
  },
  showExport: () => invoke("desk_show_export").catch(showNotice),
};

// Desk: a verified update waits until staff choose to install it.
const updateAvailable = document.getElementById("update-available");
function showUpdate(version) {
  if (!version) return;
  setL10n(document.getElementById("update-version"), "ui-update-available", { version });
  updateAvailable.hidden = false;
}
document.getElementById("update-install").addEventListener("click", async () => {
  if (!(await staffGate())) return;
  try {
    const version = await invoke("update_install");
    setL10n(document.getElementById("update-version"), "ui-update-installing", { version });
    document.getElementById("update-install").hidden = true;
  } catch (error) {
    showNotice(error);
  }
});

function startDesk(update) {
  // A waiting update came with the boot answer; one found later comes as an event.
  onPageEvent("update-available", showUpdate);
  showUpdate(update);
  document.body.dataset.mode = "desk";
  // The root's `data-mode` (the text size) is set by Rust before the page
  // starts (app.rs, `mode_script`), so the first layout is the right one.
  deskNav.hidden = false;
  deskNav.querySelector("[data-view='enroll']").addEventListener("click", () => closeList());
  deskNav.querySelector("[data-view='list']").addEventListener("click", () => openList());
}

// Settings sit outside the enrollment: the enrollment resumes where it was.
async function openSettings(result) {
  try {
    const view = await invoke("settings_get");
    listOpen = false;
    leaveFleet();
    setNav(null);
    settingsOpen = true;
    stopWidget();
    stepper.hidden = true;
    screen.dataset.step = "settings";
    ++drawn;
    screen.replaceChildren(
      settingsScreen(view, { save: saveSettings, close: closeSettings, restart: () => invoke("app_restart") }, result),
    );
    screen.querySelector("h2").setAttribute("tabindex", "-1");
    screen.querySelector(result?.fieldErrors && Object.keys(result.fieldErrors).length ? "[aria-invalid='true']" : "h2").focus();
  } catch (error) {
    showNotice(error);
  }
}

async function saveSettings(form) {
  try {
    const result = await invoke("settings_save", { form });
    // A desk speaks a newly chosen language at once.
    if (result.saved) {
      await loadBundle();
      await showInfo();
    }
    await openSettings(result);
  } catch (error) {
    await openSettings({ error });
  }
}

async function closeSettings() {
  settingsOpen = false;
  setNav("enroll");
  shown = null;
  if (kiosk) {
    showAttract();
    staffSettingsClosed();
    return;
  }
  render(await invoke("enrollment_state"));
}

// Staff only: with a staff PIN set, the PIN dialog comes first.
document.getElementById("open-settings").addEventListener("click", async () => {
  if (await staffGate()) openSettings();
});

// The environment badge and the status line, in the current language
// (Rust names the environment).
async function showInfo() {
  const info = await invoke("app_info");
  showInfoOf(info);
  return info;
}

function showInfoOf(info) {
  environmentBadge.removeAttribute("data-l10n-id");
  environmentBadge.textContent = info.environment.label;
  environmentBadge.dataset.environment = info.environment.id;
  environmentBadge.dataset.simulated = String(info.environment.simulated);
  document.body.dataset.simulated = String(info.environment.simulated);
  setL10n(version, "ui-version", { product: info.product, version: info.version });
  setL10n(appStatus, "ui-ready", { environment: info.environment.label });
  appStatus.dataset.state = "ready";
}

// For the start-up bench (README, Performance): when the page sent its
// first command, and when "Ready." was written.
const BOOT_MARK = "app-boot";
const BOOT_ANSWERED_MARK = "app-boot-answered"; // the answer is in the page
const BUNDLE_USED_MARK = "app-bundle-used"; // its texts are in the page
const READY_MARK = "app-ready";
const SCREEN_BUILT_MARK = "app-screen-built"; // the first state's screen is in the page
const SCREEN_MARK = "app-screen"; // the first state's screen is drawn

async function boot() {
  // The header's badge and Settings, the steps and the footer: hidden by
  // index.html until this script runs (their texts say "Starting…" or
  // "Connecting…" until Rust answers).
  document.documentElement.removeAttribute("data-starting");
  observe();
  // One round trip once Rust's backend has started: the texts, the app's
  // info, the status line and version already formatted, the first state.
  let booted;
  performance.mark(BOOT_MARK);
  try {
    booted = await invoke("app_boot");
    performance.mark(BOOT_ANSWERED_MARK);
  } catch (error) {
    // The backend could not start: say why, in the language's words.
    try {
      await loadBundle();
    } catch (bundleError) {
      console.warn("texts not loaded", bundleError);
    }
    setL10n(environmentBadge, "ui-not-connected");
    setL10n(appStatus, ...describeError(error));
    appStatus.dataset.state = "error";
    return;
  }
  const { info } = booted;
  await useBundle(booted.bundle);
  performance.mark(BUNDLE_USED_MARK);
  remember("ui-version", { product: info.product, version: info.version }, booted.version);
  remember("ui-ready", { environment: info.environment.label }, booted.status);
  showInfoOf(info);
  // The observer fills the status line from the text remembered above;
  // this writes it now, in the same task.
  await localize(appStatus);
  performance.mark(READY_MARK);
  if (info.mode === "kiosk") startKiosk();
  else startDesk(booted.update);
  fleetDesk = info.mode !== "kiosk" && info.environment.id === "fleet";
  initStaff({ kiosk: info.mode === "kiosk", openSettings, closeSettings, settingsOpen: () => settingsOpen, staffLocked });
  onPageEvent("enrollment-state", render);
  // Rust changed the language (a kiosk reset forgets the customer's).
  onPageEvent("l10n-changed", async () => {
    await loadBundle();
    await showInfo();
  });
  followPageEvents(booted.events, async () => {
    // Fell behind: what the dropped events would have shown.
    await loadBundle();
    await showInfo();
    render(await invoke("enrollment_state"));
  });
  // Marked in the next frame's callback: when the page's main thread is
  // free to draw it.
  render(booted.state).then(() => {
    performance.mark(SCREEN_BUILT_MARK);
    requestAnimationFrame(() => performance.mark(SCREEN_MARK));
  });
}

boot();
