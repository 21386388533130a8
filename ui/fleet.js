// Desk of a fleet: the "This desk / Whole fleet" switch, and the whole
// fleet's enrollments as Rust folded them from the broker's audit trail
// (store, device, mode, started, last step, outcome; no names or phones).
// The store and device lists are what the broker's answers named.

import { el, button, errorBanner } from "./dom.js";
import { loc } from "./l10n.js";

const STATUS = {
  linked: "ui-status-linked",
  failed: "ui-status-failed",
  unconfirmed: "ui-status-needs-review",
  cancelled: "ui-status-cancelled",
  abandoned: "ui-fleet-status-abandoned",
  unfinished: "ui-status-unfinished",
};

const STEP = {
  enrollment_started: "ui-fleet-step-started",
  code_sent: "ui-fleet-step-code-sent",
  code_confirmed: "ui-fleet-step-code-confirmed",
  code_failed: "ui-fleet-step-code-failed",
  id_checked: "ui-fleet-step-id-checked",
  widget_opened: "ui-fleet-step-widget-opened",
  link_succeeded: "ui-fleet-step-linked",
  link_failed: "ui-fleet-step-link-failed",
  link_unconfirmed: "ui-fleet-step-link-unconfirmed",
  enrollment_cancelled: "ui-fleet-step-cancelled",
};

const MODE = { kiosk: "ui-fleet-mode-kiosk", desk: "ui-fleet-mode-desk" };

// A catalog text when there is one, else the word as the trail has it.
const known = (map, value) => (map[value] ? loc(map[value]) : { text: value || "—" });

// Two toggle buttons in a named group; the pressed one is the list shown.
export function scopeSwitch(current, choose) {
  const option = (scope, id, label) =>
    el("button", { type: "button", class: "button secondary small scope-option", id, "aria-pressed": String(current === scope), onclick: () => choose(scope), ...loc(label) });
  return el(
    "div",
    { class: "scope-switch", id: "list-scope", role: "group", "aria-labelledby": "list-scope-label" },
    el("span", { class: "visually-hidden", id: "list-scope-label", ...loc("ui-scope-label") }),
    option("desk", "scope-desk", "ui-scope-desk"),
    option("fleet", "scope-fleet", "ui-scope-fleet"),
  );
}

// What an empty fleet view starts from; `stores` and `devices` (name →
// store) keep what every answer named, so choosing one keeps the others
// offered.
export function emptyFleet() {
  return { filter: { store: "", device: "" }, listing: null, error: null, loading: false, stores: new Set(), devices: new Map() };
}

// Adds what an answer named to the lists the filters offer.
export function learn(fleet, listing) {
  for (const store of listing.stores) fleet.stores.add(store);
  for (const device of listing.devices) fleet.devices.set(device.name, device.store);
}

function table(rows) {
  return el(
    "table",
    { class: "enrollments", id: "fleet-enrollments" },
    el("caption", { class: "visually-hidden", ...loc("ui-fleet-caption") }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["ui-col-date", "ui-col-store", "ui-col-device", "ui-col-mode", "ui-col-last-step", "ui-col-status"].map((title) => el("th", { scope: "col", ...loc(title) })),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          { "data-device": row.device, "data-store": row.store, "data-status": row.status },
          el("td", { class: "date-cell", text: row.startedAtText }),
          el("td", { class: "store-cell", text: row.store }),
          el("td", { class: "device-cell", text: row.device }),
          el("td", { class: "mode-cell", ...known(MODE, row.mode) }),
          el("td", { class: "step-cell", ...known(STEP, row.lastStep) }),
          el(
            "td",
            { class: "status-cell" },
            el("span", { class: `status-pill status-${row.status}`, ...known(STATUS, row.status) }),
            row.errorCode ? el("code", { class: "status-code", text: row.errorCode }) : null,
          ),
        ),
      ),
    ),
  );
}

function select(id, allLabel, values, chosen) {
  const options = [...values].sort();
  // A choice the latest answer did not name stays offered.
  if (chosen && !options.includes(chosen)) options.unshift(chosen);
  return el(
    "select",
    { id },
    el("option", { value: "", selected: !chosen, ...loc(allLabel) }),
    options.map((value) => el("option", { value, selected: value === chosen, text: value })),
  );
}

// The fleet view. `fleet`: see `emptyFleet`; `scope`: the switch.
export function fleetScreen(fleet, actions, scope) {
  const { filter, listing } = fleet;
  const store = select("fleet-store", "ui-fleet-all-stores", fleet.stores, filter.store);
  const devices = [...fleet.devices].filter(([, group]) => !filter.store || group === filter.store).map(([name]) => name);
  const device = select("fleet-device", "ui-fleet-all-devices", devices, filter.device);
  store.addEventListener("change", () => actions.filter({ store: store.value, device: "" }));
  device.addEventListener("change", () => actions.filter({ store: store.value, device: device.value }));
  const field = (id, label, input) => el("div", { class: "filter-field" }, el("label", { for: id, ...loc(label) }), input);

  const count = listing && !fleet.loading ? loc("ui-list-count", { count: listing.rows.length }) : {};
  const body = fleet.loading
    ? el("p", { class: "lead", id: "fleet-loading", role: "status", ...loc("ui-fleet-loading") })
    : fleet.error
      ? errorBanner(fleet.error)
      : !listing
        ? null
        : listing.rows.length === 0
          ? el("p", { class: "empty", id: "fleet-empty", ...loc("ui-fleet-empty") })
          : el("div", { class: "table-scroll" }, table(listing.rows));

  return el(
    "section",
    { class: "card wide", "aria-labelledby": "screen-title", "aria-busy": String(fleet.loading) },
    el(
      "div",
      { class: "list-head" },
      el("h2", { id: "screen-title", ...loc("ui-fleet-title") }),
      el(
        "div",
        { class: "list-tools" },
        el("span", { class: "count", id: "enrollments-count", role: "status", ...count }),
        scope,
        button("ui-fleet-refresh", () => actions.refresh(), { kind: "secondary", id: "fleet-refresh" }),
      ),
    ),
    el(
      "form",
      { class: "filters fleet-filters", id: "fleet-filters", role: "search", onsubmit: (event) => event.preventDefault() },
      field("fleet-store", "ui-fleet-store", store),
      field("fleet-device", "ui-fleet-device", device),
    ),
    listing && !listing.complete && !fleet.loading
      ? el("p", { class: "banner info", id: "fleet-incomplete", role: "status", ...loc("ui-fleet-incomplete", { count: listing.maxEntries }) })
      : null,
    body,
  );
}
