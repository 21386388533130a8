// Desk mode: the list of this machine's enrollments (from Rust's SQLite
// store), with filters, continuing an unfinished one, linking another
// account, and CSV export. The filter is what staff typed; the rows are
// whatever Rust answers.

import { el, button, errorBanner } from "./dom.js";
import { loc } from "./l10n.js";

const STATUS = {
  linked: "ui-status-linked",
  waiting_for_code: "ui-status-waiting",
  started: "ui-status-unfinished",
  linking: "ui-status-unfinished",
  finishing: "ui-status-finishing",
  widget_closed: "ui-status-widget-closed",
  needs_review: "ui-status-needs-review",
  failed: "ui-status-failed",
  cancelled: "ui-status-cancelled",
};

const GROUPS = [
  ["all", "ui-status-all"],
  ["linked", "ui-status-linked"],
  ["waiting_for_code", "ui-status-waiting"],
  ["unfinished", "ui-status-unfinished"],
  ["needs_review", "ui-status-needs-review"],
  ["failed", "ui-status-failed"],
  ["cancelled", "ui-status-cancelled"],
];

// A local calendar day as the date inputs write it.
function day(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function defaultFilter() {
  const today = new Date();
  const from = new Date(today);
  from.setDate(from.getDate() - 29);
  return { from: day(from), to: day(today), status: "all", text: "" };
}

// What the commands take: the days plus the page's offset from UTC, so Rust
// cuts the range at local midnight.
export function rangeOf(filter) {
  return { from: filter.from, to: filter.to, utcOffsetMinutes: -new Date().getTimezoneOffset() };
}

function statusCell(row) {
  return el(
    "td",
    { class: "status-cell" },
    el("span", { class: `status-pill status-${row.status}`, ...(STATUS[row.status] ? loc(STATUS[row.status]) : { text: row.status }) }),
    row.errorCode ? el("code", { class: "status-code", text: row.errorCode }) : null,
  );
}

function rowActions(row, actions) {
  const who = row.customer;
  // The visible label, and a spoken one that names the customer.
  const action = (label, name, aria, run) =>
    el("button", { type: "button", class: "button secondary small", "data-action": name, onclick: run, ...loc(aria, { customer: who }) }, el("span", loc(label)));
  return el(
    "td",
    { class: "row-actions" },
    row.canResume ? action("ui-resume", "resume", "ui-resume-row", () => actions.resume(row.id)) : null,
    row.canLinkAnother ? action("ui-link-another", "link-another", "ui-link-another-row", () => actions.linkAnother(row.id)) : null,
  );
}

function table(rows, actions) {
  return el(
    "table",
    { class: "enrollments", id: "enrollments" },
    el("caption", { class: "visually-hidden", ...loc("ui-list-caption") }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["ui-col-date", "ui-col-customer", "ui-col-phone", "ui-col-bank", "ui-col-status"].map((title) => el("th", { scope: "col", ...loc(title) })),
        el("th", { scope: "col" }),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          { "data-id": row.id, "data-status": row.status },
          // Rust writes the date in the screen's language and time zone.
          el("td", { class: "date-cell", text: row.startedAtText }),
          el("td", { class: "customer-cell", text: row.customer }),
          el("td", { class: "phone-cell", text: row.phoneMasked }),
          el(
            "td",
            { class: "bank-cell" },
            row.bankName ? [`${row.bankName} `, el("span", { class: "bank-last4", text: `•••• ${row.last4 || ""}` })] : "—",
          ),
          statusCell(row),
          rowActions(row, actions),
        ),
      ),
    ),
  );
}

// The list screen. `state`: { filter, rows, error, exported, loading, current };
// `scope`: the "This desk / Whole fleet" switch on a desk of a fleet.
export function listScreen(state, actions, scope = null) {
  const { filter } = state;
  const from = el("input", { type: "date", id: "filter-from", value: filter.from, max: filter.to });
  const to = el("input", { type: "date", id: "filter-to", value: filter.to, min: filter.from });
  const status = el(
    "select",
    { id: "filter-status" },
    GROUPS.map(([value, label]) => el("option", { value, selected: value === filter.status, ...loc(label) })),
  );
  const search = el("input", {
    type: "search",
    id: "filter-text",
    value: filter.text,
    autocomplete: "off",
    ...loc("ui-filter-search"),
  });
  const read = () => ({ from: from.value, to: to.value, status: status.value, text: search.value });
  for (const input of [from, to, status]) input.addEventListener("change", () => actions.filter(read()));
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => actions.filter(read()), 250);
  });

  const field = (id, label, input) => el("div", { class: "filter-field" }, el("label", { for: id, ...loc(label) }), input);
  const filters = el(
    "form",
    { class: "filters", id: "filters", role: "search", onsubmit: (event) => { event.preventDefault(); actions.filter(read()); } },
    field("filter-from", "ui-filter-from", from),
    field("filter-to", "ui-filter-to", to),
    field("filter-status", "ui-filter-status", status),
    field("filter-text", "ui-filter-text", search),
  );

  const count = state.rows ? loc("ui-list-count", { count: state.rows.length }) : {};
  const body = state.error
    ? errorBanner(state.error)
    : state.rows === null
      ? el("p", { class: "lead", ...loc("ui-loading") })
      : state.rows.length === 0
        ? el("p", { class: "empty", id: "enrollments-empty", ...loc("ui-list-empty") })
        : el("div", { class: "table-scroll" }, table(state.rows, actions));

  return el(
    "section",
    { class: "card wide", "aria-labelledby": "screen-title" },
    el(
      "div",
      { class: "list-head" },
      el("h2", { id: "screen-title", ...loc("ui-list-title") }),
      el(
        "div",
        { class: "list-tools" },
        el("span", { class: "count", id: "enrollments-count", role: "status", ...count }),
        scope,
        button("ui-export-csv", () => actions.exportCsv(read()), { kind: "secondary", id: "export-csv" }),
      ),
    ),
    filters,
    state.exported
      ? el(
          "div",
          { class: "banner info", id: "export-result", role: "status" },
          el(
            "p",
            { class: "banner-message" },
            el("span", loc("ui-export-saved", { count: state.exported.rows })),
            " ",
            el("code", { id: "export-path", text: state.exported.path }),
          ),
          button("ui-show-in-folder", () => actions.showExport(), { kind: "quiet", id: "show-export" }),
        )
      : null,
    state.exportError ? errorBanner(state.exportError) : null,
    body,
  );
}
