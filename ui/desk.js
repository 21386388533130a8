// Desk mode: the list of this machine's enrollments (from Rust's SQLite
// store), with filters, continuing an unfinished one, linking another
// account, and CSV export. The filter is what staff typed; the rows are
// whatever Rust answers.

import { el, button, errorBanner } from "./dom.js";

const STATUS = {
  linked: "Linked",
  waiting_for_code: "Waiting for code",
  started: "Not finished",
  linking: "Not finished",
  finishing: "Finishing the link",
  widget_closed: "Bank window closed",
  needs_review: "Needs review",
  failed: "Failed",
  cancelled: "Cancelled",
};

const GROUPS = [
  ["all", "All statuses"],
  ["linked", "Linked"],
  ["waiting_for_code", "Waiting for code"],
  ["unfinished", "Not finished"],
  ["needs_review", "Needs review"],
  ["failed", "Failed"],
  ["cancelled", "Cancelled"],
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

function when(seconds) {
  return new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function statusCell(row) {
  return el(
    "td",
    { class: "status-cell" },
    el("span", { class: `status-pill status-${row.status}`, text: STATUS[row.status] || row.status }),
    row.errorCode ? el("code", { class: "status-code", text: row.errorCode }) : null,
  );
}

function rowActions(row, actions) {
  const who = row.customer;
  const action = (label, name, aria, run) =>
    el("button", { type: "button", class: "button secondary small", "data-action": name, "aria-label": aria, onclick: run }, label);
  return el(
    "td",
    { class: "row-actions" },
    row.canResume ? action("Resume", "resume", `Resume ${who}'s enrollment`, () => actions.resume(row.id)) : null,
    row.canLinkAnother ? action("Link another account", "link-another", `Link another account for ${who}`, () => actions.linkAnother(row.id)) : null,
  );
}

function table(rows, actions) {
  return el(
    "table",
    { class: "enrollments", id: "enrollments" },
    el("caption", { class: "visually-hidden", text: "Enrollments on this machine, newest first" }),
    el(
      "thead",
      {},
      el("tr", {}, ["Date", "Customer", "Phone", "Bank account", "Status", ""].map((title) => el("th", { scope: "col", text: title }))),
    ),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          { "data-id": row.id, "data-status": row.status },
          el("td", { class: "date-cell", text: when(row.startedAt) }),
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

// The list screen. `state`: { filter, rows, error, exported, loading, current }.
export function listScreen(state, actions) {
  const { filter } = state;
  const from = el("input", { type: "date", id: "filter-from", value: filter.from, max: filter.to });
  const to = el("input", { type: "date", id: "filter-to", value: filter.to, min: filter.from });
  const status = el(
    "select",
    { id: "filter-status" },
    GROUPS.map(([value, label]) => el("option", { value, selected: value === filter.status }, label)),
  );
  const search = el("input", {
    type: "search",
    id: "filter-text",
    value: filter.text,
    placeholder: "Name, last phone digits, bank…",
    autocomplete: "off",
  });
  const read = () => ({ from: from.value, to: to.value, status: status.value, text: search.value });
  for (const input of [from, to, status]) input.addEventListener("change", () => actions.filter(read()));
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => actions.filter(read()), 250);
  });

  const field = (id, label, input) => el("div", { class: "filter-field" }, el("label", { for: id, text: label }), input);
  const filters = el(
    "form",
    { class: "filters", id: "filters", role: "search", onsubmit: (event) => { event.preventDefault(); actions.filter(read()); } },
    field("filter-from", "From", from),
    field("filter-to", "To", to),
    field("filter-status", "Status", status),
    field("filter-text", "Search", search),
  );

  const count = state.rows ? `${state.rows.length} ${state.rows.length === 1 ? "enrollment" : "enrollments"}` : "";
  const body = state.error
    ? errorBanner(state.error)
    : state.rows === null
      ? el("p", { class: "lead", text: "Loading…" })
      : state.rows.length === 0
        ? el("p", { class: "empty", id: "enrollments-empty", text: "No enrollments match. Widen the dates or clear the search." })
        : el("div", { class: "table-scroll" }, table(state.rows, actions));

  return el(
    "section",
    { class: "card wide", "aria-labelledby": "screen-title" },
    el(
      "div",
      { class: "list-head" },
      el("h2", { id: "screen-title", text: "Enrollments on this machine" }),
      el(
        "div",
        { class: "list-tools" },
        el("span", { class: "count", id: "enrollments-count", role: "status", text: count }),
        button("Export CSV", () => actions.exportCsv(read()), { kind: "secondary", id: "export-csv" }),
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
            `Saved ${state.exported.rows} ${state.exported.rows === 1 ? "enrollment" : "enrollments"} to `,
            el("code", { id: "export-path", text: state.exported.path }),
          ),
          button("Show in folder", () => actions.showExport(), { kind: "quiet", id: "show-export" }),
        )
      : null,
    state.exportError ? errorBanner(state.exportError) : null,
    body,
  );
}
