// One render function per enrollment step. Each takes the view Rust returned
// and the actions the page may ask for, and returns the screen's element.

import { el, button, errorBanner, spinner, announce } from "./dom.js";
import { widgetHost } from "./widget-host.js";

const FIELDS = [
  { name: "firstName", label: "First name", autocomplete: "off" },
  { name: "lastName", label: "Last name", autocomplete: "off" },
  { name: "phone", label: "Mobile phone", type: "tel", inputmode: "tel", hint: "US mobile number, e.g. (312) 555-0198" },
  { name: "email", label: "E-mail", type: "email", inputmode: "email" },
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
        el("label", { for: id, text: field.label }),
        field.hint ? el("p", { class: "hint", id: hintId, text: field.hint }) : null,
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
  form.append(el("div", { class: "actions" }, el("button", { type: "submit", class: "button primary", id: "details-submit" }, "Continue")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    actions.submitDetails(data);
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "New customer" }),
    el("p", { class: "lead", text: "Enter the customer's details. Aeropay may send them a code to confirm their phone." }),
    errorBanner(view.error),
    form,
  );
}

function code(view, actions) {
  const channel = view.channel === "email" ? "by e-mail" : view.channel === "sms" ? "by text message to the customer's phone" : "to the customer";
  const sent = `Aeropay sent a code ${channel}. Type it here.`;
  // Said once: when the code was sent, or sent again; a refused code is
  // said by its error banner (an alert).
  if (view.resent) announce("A new code is on its way.");
  else if (!view.error) announce(sent);
  const form = el("form", { class: "form", id: "code-form", novalidate: true });
  form.append(
    el(
      "div",
      { class: "field" + (view.error ? " invalid" : "") },
      el("label", { for: "field-code", text: "Code" }),
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
      el("p", { class: "hint", id: "code-attempts", text: `${view.attemptsLeft} ${view.attemptsLeft === 1 ? "attempt" : "attempts"} left` }),
    ),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "button primary", id: "code-submit" }, "Verify"),
      view.canResend ? button("Send a new code", () => actions.resendCode(), { kind: "secondary", id: "code-resend" }) : null,
      button("Cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    actions.submitCode(new FormData(form).get("code") || "");
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "Enter the code" }),
    el("p", { class: "lead", text: sent }),
    view.canResend
      ? null
      : el("p", {
          class: "banner info",
          id: "resumed-code-hint",
          text: "Continued from the list: ask the customer for the code Aeropay sent earlier. Their phone number is not kept on this machine, so to send a new code, cancel and start a new enrollment with their details.",
        }),
    view.resent ? el("p", { class: "banner info", id: "code-resent", text: "A new code is on its way." }) : null,
    document.body.dataset.simulated === "true"
      ? el("p", { class: "banner sim", id: "simulated-code-hint", text: "Simulator: type 000000, Aeropay's sandbox test code." })
      : null,
    errorBanner(view.error),
    form,
  );
}

// Desk only: a customer known on this machine. Staff check their photo ID
// (Rust refuses to go on without the box ticked) or send a code.
function idCheck(view, actions) {
  const name = view.firstName || "The customer";
  const box = el("input", { type: "checkbox", id: "id-checked", name: "idChecked" });
  const form = el("form", { class: "form", id: "id-check-form", novalidate: true });
  form.append(
    el("label", { class: "check", for: "id-checked" }, box, " I checked the customer's photo ID"),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "button primary", id: "id-check-continue" }, "Continue without a code"),
      view.canSendCode ? button("Send a code instead", () => actions.sendCode(), { kind: "secondary", id: "id-check-send-code" }) : null,
      button("Cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    actions.confirmId(box.checked);
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: `${name} has enrolled on this machine before` }),
    el("p", {
      class: "lead",
      text: "Before you see or change their bank accounts without a code, check their photo ID. Or send a code to their phone instead.",
    }),
    form,
  );
}

function accountLine(account) {
  const type = account.accountType ? account.accountType[0].toUpperCase() + account.accountType.slice(1) : "Account";
  return [
    el("span", { class: "account-bank", text: account.bankName }),
    el("span", { class: "account-detail", text: `${type} •••• ${account.last4}${account.verified ? "" : " · not verified yet"}` }),
  ];
}

function existingAccounts(view, actions) {
  const name = view.firstName || "The customer";
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: `${name} already has a bank account with Aeropay` }),
    el("p", { class: "lead", text: "Use it, or link another account." }),
    el(
      "ul",
      { class: "accounts", id: "existing-accounts" },
      view.accounts.map((account) =>
        el(
          "li",
          { class: "account" },
          el("div", { class: "account-text" }, accountLine(account)),
          button("Use this account", () => actions.useAccount(account.bankAccountId), { kind: "secondary" }),
        ),
      ),
    ),
    el(
      "div",
      { class: "actions" },
      button("Link another account", () => actions.openWidget(), { id: "link-another" }),
      button("Cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
}

function linking(view, actions) {
  return el(
    "section",
    { class: "card widget-card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "Link a bank account" }),
    el("p", { class: "lead", text: "The customer signs in to their bank below and picks the account to use." }),
    view.simulated ? el("p", { class: "banner sim", text: "Simulated bank — no real bank data." }) : null,
    widgetHost(view, actions),
    el("div", { class: "actions" }, button("Cancel", () => actions.cancel(), { kind: "quiet", id: "cancel" })),
  );
}

function widgetClosed(view, actions) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "The bank window was closed" }),
    el("p", { class: "lead", text: "No account was linked. Open the bank list again to continue." }),
    el(
      "div",
      { class: "actions" },
      button("Open the bank list again", () => actions.openWidget(), { id: "reopen-widget" }),
      button("Cancel enrollment", () => actions.cancel(), { kind: "quiet", id: "cancel" }),
    ),
  );
}

// Seconds of "Linking…" before the screen says it is still at work.
const STILL_WORKING_AFTER_MS = 4000;

function finishing(view) {
  // Rust says when the answer was lost and Aeropay's account list is being
  // asked; until then, after a few seconds the screen says it is still at
  // work, so nobody closes anything while a link is on its way.
  const label = view.checking ? "Checking with Aeropay whether the account is linked…" : "Linking your account…";
  const later = el("p", { class: "hint", id: "still-working", hidden: true, text: "Still working — this can take up to half a minute. Please don't close anything." });
  if (view.checking) {
    later.hidden = false;
  } else {
    setTimeout(() => {
      if (!later.isConnected) return;
      later.hidden = false;
      announce(later.textContent);
    }, STILL_WORKING_AFTER_MS);
  }
  return el("section", { class: "card" }, spinner(label), later);
}

function done(view, actions) {
  const name = view.firstName ? `${view.firstName}'s` : "The";
  const ready = view.returningCustomer ? `Welcome back. ${name} account is ready for Aeropay payments.` : `${name} account is ready for Aeropay payments.`;
  // Choosing an account the customer already had links nothing new.
  const lead = view.newlyLinked ? ready : `${ready} This account is now the default for payments.`;
  return el(
    "section",
    { class: "card done", "aria-labelledby": "screen-title" },
    // A drawing, not a text character: 4.7:1 against its disc (1.4.11).
    el("div", { class: "done-mark", "aria-hidden": "true" }, el("img", { src: "check.svg", alt: "", width: "36", height: "36" })),
    el("h2", { id: "screen-title", text: view.newlyLinked ? "Bank account linked" : "Account ready" }),
    el("p", { class: "lead", text: lead }),
    el(
      "ul",
      { class: "accounts", id: "linked-accounts" },
      view.accounts.map((account) => el("li", { class: "account" }, el("div", { class: "account-text" }, accountLine(account)))),
    ),
    view.notice ? errorBanner(view.notice) : null,
    el("div", { class: "actions" }, button("Enroll the next customer", () => actions.startOver(), { id: "next-customer" })),
  );
}

function failed(view, actions) {
  // Linking failed: the customer can go back to the bank list (another
  // account or bank), whatever the error was. Otherwise: start over.
  const relink = view.canLinkAgain;
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "We could not finish" }),
    errorBanner(view.error),
    el(
      "div",
      { class: "actions" },
      relink ? button(view.error.retry ? "Try again" : "Choose another account", () => actions.openWidget(), { id: "retry" }) : null,
      button("Start over", () => actions.startOver(), { kind: relink ? "quiet" : "primary", id: "start-over" }),
    ),
  );
}

function needsReview(view, actions) {
  // The account may be linked at Aeropay: no way back to the bank list
  // from here, so it cannot be linked twice.
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "The link could not be confirmed" }),
    el("p", { class: "lead", text: "The bank account may already be linked. Nothing more is needed from the customer now." }),
    errorBanner(view.error),
    view.accounts.length
      ? el(
          "ul",
          { class: "accounts", id: "confirmed-accounts" },
          view.accounts.map((account) => el("li", { class: "account" }, el("div", { class: "account-text" }, accountLine(account)))),
        )
      : null,
    el("p", { class: "hint", text: "Staff: open this enrollment from the Enrollments list later; it checks the customer's accounts with Aeropay before offering to link again." }),
    el("div", { class: "actions" }, button("Enroll the next customer", () => actions.startOver(), { id: "next-customer" })),
  );
}

function cancelled(view, actions) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "Enrollment cancelled" }),
    el("p", { class: "lead", text: "Nothing was linked." }),
    el("div", { class: "actions" }, button("Start a new enrollment", () => actions.startOver(), { id: "start-over" })),
  );
}

const SCREENS = {
  details,
  code,
  idCheck,
  checkingAccounts: () => el("section", { class: "card" }, spinner("Checking the customer's bank accounts…")),
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
    return el("section", { class: "card" }, errorBanner({ code: "UI_UNKNOWN_STEP", message: `This screen is not known (${view.step}). Restart the app.` }));
  }
  return render(view, actions, previousForm);
}
