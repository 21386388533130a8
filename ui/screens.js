// One render function per enrollment step. Each takes the view Rust returned
// and the actions the page may ask for, and returns the screen's element.

import { el, button, errorBanner, spinner, announce } from "./dom.js";
import { loc } from "./l10n.js";
import { widgetHost } from "./widget-host.js";

const FIELDS = [
  { name: "firstName", label: "ui-field-first-name", autocomplete: "off" },
  { name: "lastName", label: "ui-field-last-name", autocomplete: "off" },
  { name: "phone", label: "ui-field-phone", type: "tel", inputmode: "tel", hint: "ui-field-phone-hint" },
  { name: "email", label: "ui-field-email", type: "email", inputmode: "email" },
];

function details(view, actions, previous) {
  const errors = view.fieldErrors || {};
  const form = el("form", { class: "form", id: "details-form", novalidate: true });
  for (const field of FIELDS) {
    const id = `field-${field.name}`;
    const errorId = `${id}-error`;
    const hintId = `${id}-hint`;
    const describedBy = [field.hint ? hintId : null, errors[field.name] ? errorId : null].filter(Boolean).join(" ");
    form.append(
      el(
        "div",
        { class: "field" + (errors[field.name] ? " invalid" : "") },
        el("label", { for: id, ...loc(field.label) }),
        field.hint ? el("p", { class: "hint", id: hintId, ...loc(field.hint) }) : null,
        el("input", {
          id,
          name: field.name,
          type: field.type || "text",
          inputmode: field.inputmode,
          autocomplete: field.autocomplete || "off",
          required: true,
          "aria-invalid": errors[field.name] ? "true" : null,
          "aria-describedby": describedBy || null,
          value: previous?.[field.name] ?? "",
        }),
        errors[field.name] ? el("p", { class: "field-error", id: errorId, text: errors[field.name] }) : null,
      ),
    );
  }
  form.append(el("div", { class: "actions" }, el("button", { type: "submit", class: "button primary", id: "details-submit", ...loc("ui-details-continue") })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    actions.submitDetails(data);
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-details-title") }),
    el("p", { class: "lead", ...loc("ui-details-lead") }),
    errorBanner(view.error),
    form,
  );
}

function code(view, actions) {
  const lead = view.channel === "email" ? "ui-code-lead-email" : view.channel === "sms" ? "ui-code-lead-sms" : "ui-code-lead-other";
  // Said once: when the code was sent, or sent again; a refused code is
  // said by its error banner (an alert).
  if (view.resent) announce("ui-code-resent");
  else if (!view.error) announce(lead);
  const form = el("form", { class: "form", id: "code-form", novalidate: true });
  form.append(
    el(
      "div",
      { class: "field" + (view.error ? " invalid" : "") },
      el("label", { for: "field-code", ...loc("ui-code-label") }),
      el("input", {
        id: "field-code",
        name: "code",
        type: "text",
        inputmode: "numeric",
        autocomplete: "one-time-code",
        maxlength: "10",
        class: "code-input",
        required: true,
        "aria-describedby": "code-attempts",
      }),
      el("p", { class: "hint", id: "code-attempts", ...loc("ui-code-attempts", { count: view.attemptsLeft }) }),
    ),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "button primary", id: "code-submit", ...loc("ui-code-verify") }),
      view.canResend ? button("ui-code-resend", () => actions.resendCode(), { kind: "secondary", id: "code-resend" }) : null,
      button("ui-cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    actions.submitCode(new FormData(form).get("code") || "");
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-code-title") }),
    el("p", { class: "lead", ...loc(lead) }),
    view.canResend
      ? null
      : el("p", {
          class: "banner info",
          id: "resumed-code-hint",
          ...loc("ui-code-resumed"),
        }),
    view.resent ? el("p", { class: "banner info", id: "code-resent", ...loc("ui-code-resent") }) : null,
    document.body.dataset.simulated === "true"
      ? el("p", { class: "banner sim", id: "simulated-code-hint", ...loc("ui-code-simulated") })
      : null,
    errorBanner(view.error),
    form,
  );
}

// Desk only: a customer known on this machine. Staff check their photo ID
// (Rust refuses to go on without the box ticked) or send a code.
function idCheck(view, actions) {
  const box = el("input", { type: "checkbox", id: "id-checked", name: "idChecked" });
  const form = el("form", { class: "form", id: "id-check-form", novalidate: true });
  form.append(
    el("label", { class: "check", for: "id-checked" }, box, " ", el("span", loc("ui-id-check-box"))),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "button primary", id: "id-check-continue", ...loc("ui-id-check-continue") }),
      view.canSendCode ? button("ui-id-check-send-code", () => actions.sendCode(), { kind: "secondary", id: "id-check-send-code" }) : null,
      button("ui-cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    actions.confirmId(box.checked);
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...(view.firstName ? loc("ui-id-check-title-named", { name: view.firstName }) : loc("ui-id-check-title")) }),
    el("p", { class: "lead", ...loc("ui-id-check-lead") }),
    form,
  );
}

function accountLine(account) {
  const args = { type: (account.accountType || "").toLowerCase(), last4: account.last4 };
  return [
    el("span", { class: "account-bank", text: account.bankName }),
    el("span", { class: "account-detail", ...loc(account.verified ? "ui-account-line" : "ui-account-line-unverified", args) }),
  ];
}

function existingAccounts(view, actions) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...(view.firstName ? loc("ui-existing-title-named", { name: view.firstName }) : loc("ui-existing-title")) }),
    el("p", { class: "lead", ...loc("ui-existing-lead") }),
    el(
      "ul",
      { class: "accounts", id: "existing-accounts" },
      view.accounts.map((account) =>
        el(
          "li",
          { class: "account" },
          el("div", { class: "account-text" }, accountLine(account)),
          button("ui-use-account", () => actions.useAccount(account.bankAccountId), { kind: "secondary" }),
        ),
      ),
    ),
    el(
      "div",
      { class: "actions" },
      button("ui-link-another", () => actions.openWidget(), { id: "link-another" }),
      button("ui-cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
}

function linking(view, actions) {
  return el(
    "section",
    { class: "card widget-card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-linking-title") }),
    el("p", { class: "lead", ...loc("ui-linking-lead") }),
    // Aerosync's widget takes no language: outside English the customer
    // is told before it opens that it may be in English.
    document.documentElement.dataset.lang && document.documentElement.dataset.lang !== "en"
      ? el("p", { class: "banner info", id: "widget-language-note", ...loc("ui-linking-widget-english") })
      : null,
    view.simulated ? el("p", { class: "banner sim", ...loc("ui-linking-simulated") }) : null,
    widgetHost(view, actions),
    el("div", { class: "actions" }, button("ui-cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" })),
  );
}

function widgetClosed(view, actions) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-widget-closed-title") }),
    el("p", { class: "lead", ...loc("ui-widget-closed-lead") }),
    el(
      "div",
      { class: "actions" },
      button("ui-widget-reopen", () => actions.openWidget(), { id: "reopen-widget" }),
      button("ui-cancel-enrollment", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
}

// Seconds of "Linking…" before the screen says it is still at work.
const STILL_WORKING_AFTER_MS = 4000;

function finishing(view) {
  // Rust says when the answer was lost and Aeropay's account list is being
  // asked; until then, after a few seconds the screen says it is still at
  // work, so nobody closes anything while a link is on its way.
  const label = view.checking ? "ui-finishing-checking" : "ui-finishing";
  const later = el("p", { class: "hint", id: "still-working", hidden: true, ...loc("ui-still-working") });
  if (view.checking) {
    later.hidden = false;
  } else {
    setTimeout(() => {
      if (!later.isConnected) return;
      later.hidden = false;
      announce("ui-still-working");
    }, STILL_WORKING_AFTER_MS);
  }
  return el("section", { class: "card" }, spinner(label), later);
}

function done(view, actions) {
  // Choosing an account the customer already had links nothing new: it
  // becomes the default. One whole sentence per case, named or not.
  const ids = {
    "ready": "ui-done-ready",
    "welcome": "ui-done-welcome",
    "default": "ui-done-default",
    "welcome-default": "ui-done-welcome-default",
    "ready-named": "ui-done-ready-named",
    "welcome-named": "ui-done-welcome-named",
    "default-named": "ui-done-default-named",
    "welcome-default-named": "ui-done-welcome-default-named",
  };
  const kind = [view.newlyLinked ? (view.returningCustomer ? "welcome" : "ready") : view.returningCustomer ? "welcome-default" : "default", view.firstName ? "named" : null]
    .filter(Boolean)
    .join("-");
  const lead = loc(ids[kind], view.firstName ? { name: view.firstName } : null);
  return el(
    "section",
    { class: "card done", "aria-labelledby": "screen-title" },
    // A drawing, not a text character: 4.7:1 against its disc (1.4.11).
    el("div", { class: "done-mark", "aria-hidden": "true" }, el("img", { src: "check.svg", alt: "", width: "36", height: "36" })),
    el("h2", { id: "screen-title", ...loc(view.newlyLinked ? "ui-done-linked" : "ui-done-ready-title") }),
    el("p", { class: "lead", ...lead }),
    el(
      "ul",
      { class: "accounts", id: "linked-accounts" },
      view.accounts.map((account) => el("li", { class: "account" }, el("div", { class: "account-text" }, accountLine(account)))),
    ),
    view.notice ? errorBanner(view.notice) : null,
    el("div", { class: "actions" }, button("ui-next-customer", () => actions.startOver(), { id: "next-customer" })),
  );
}

function failed(view, actions) {
  // Linking failed: the customer can go back to the bank list (another
  // account or bank), whatever the error was. Otherwise: start over.
  const relink = view.canLinkAgain;
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-failed-title") }),
    errorBanner(view.error),
    el(
      "div",
      { class: "actions" },
      relink ? button(view.error.retry ? "ui-try-again" : "ui-choose-another", () => actions.openWidget(), { id: "retry" }) : null,
      button("ui-start-over", () => actions.startOver(), { kind: relink ? "quiet" : "primary", id: "start-over" }),
    ),
  );
}

function needsReview(view, actions) {
  // The account may be linked at Aeropay: no way back to the bank list
  // from here, so it cannot be linked twice.
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-review-title") }),
    el("p", { class: "lead", ...loc("ui-review-lead") }),
    errorBanner(view.error),
    view.accounts.length
      ? el(
          "ul",
          { class: "accounts", id: "confirmed-accounts" },
          view.accounts.map((account) => el("li", { class: "account" }, el("div", { class: "account-text" }, accountLine(account)))),
        )
      : null,
    el("p", { class: "hint", ...loc("ui-review-staff") }),
    el("div", { class: "actions" }, button("ui-next-customer", () => actions.startOver(), { id: "next-customer" })),
  );
}

function cancelled(view, actions) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-cancelled-title") }),
    el("p", { class: "lead", ...loc("ui-cancelled-lead") }),
    el("div", { class: "actions" }, button("ui-start-new", () => actions.startOver(), { id: "start-over" })),
  );
}

const SCREENS = {
  details,
  code,
  idCheck,
  checkingAccounts: () => el("section", { class: "card" }, spinner("ui-checking-accounts")),
  existingAccounts,
  linking,
  widgetClosed,
  finishing,
  done,
  failed,
  needsReview,
  cancelled,
};

// Which of the three stages a step belongs to, for the progress bar.
export const STAGE = {
  details: "customer",
  code: "code",
  idCheck: "code",
  checkingAccounts: "bank",
  existingAccounts: "bank",
  linking: "bank",
  widgetClosed: "bank",
  finishing: "bank",
  done: "done",
  failed: null,
  needsReview: null,
  cancelled: null,
};

export function screenFor(view, actions, previousForm) {
  const render = SCREENS[view.step];
  if (!render) {
    return el(
      "section",
      { class: "card" },
      el("div", { class: "banner error", role: "alert" }, el("p", { class: "banner-message", ...loc("ui-unknown-step", { step: String(view.step) }) })),
    );
  }
  return render(view, actions, previousForm);
}
