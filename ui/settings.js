// The settings screen. Rust owns the settings: this reads them (never a
// secret, only whether one is stored) and sends the form back.

import { el, button, errorBanner } from "./dom.js";
import { staffPinSection } from "./staff.js";
import { loc } from "./l10n.js";

function field(id, label, input, hint, error) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  if (describedBy) input.setAttribute("aria-describedby", describedBy);
  if (error) input.setAttribute("aria-invalid", "true");
  return el(
    "div",
    { class: "field" + (error ? " invalid" : "") },
    el("label", { for: id, ...loc(label) }),
    hint ? el("p", { class: "hint", id: `${id}-hint`, ...loc(hint) }) : null,
    input,
    error ? el("p", { class: "field-error", id: `${id}-error`, text: error }) : null,
  );
}

function select(id, name, options, value) {
  return el(
    "select",
    { id, name },
    // A label that is a catalog id (ui-…) is a message; others (v1, v2)
    // are the same in every language.
    options.map(([optionValue, label]) =>
      el("option", { value: optionValue, selected: optionValue === value, ...(/^ui-/.test(label) ? loc(label) : { text: label }) }),
    ),
  );
}

// What the banner says after a save: a restart only when something
// besides a desk's language changed (the language applies at once).
function savedMessage(result, view) {
  if (!result?.saved) return "ui-settings-pending";
  if (view.restartPending) return "ui-settings-saved";
  return result.languageChanged ? "ui-settings-saved-language" : "ui-settings-saved-now";
}

// The controls of the fields the machine's policy manages: disabled, with
// "Managed by your organization" next to each. The API address goes with
// the environment. Returns the names of the disabled controls.
function markManaged(form, fields, note = "ui-settings-managed") {
  const names = new Set(fields);
  if (names.has("environment")) names.add("baseUrl");
  for (const name of names) {
    const control = form.querySelector(`[name="${name}"]`);
    if (!control) continue;
    control.disabled = true;
    const id = `settings-${name}-managed`;
    if (form.querySelector(`#${id}`)) continue;
    const hint = el("p", { class: "hint managed", id, ...loc(note) });
    const describedBy = [control.getAttribute("aria-describedby"), id].filter(Boolean).join(" ");
    control.setAttribute("aria-describedby", describedBy);
    // After the control, or after the label that holds a checkbox.
    const label = control.closest("label.check");
    (label || control).after(hint);
  }
  return names;
}

export function settingsScreen(view, { save, close, restart }, result) {
  const errors = result?.fieldErrors || {};
  const form = el("form", { class: "form", id: "settings-form", novalidate: true });
  const environment = select(
    "settings-environment",
    "environment",
    [
      ["simulator", "ui-env-simulator"],
      ["sandbox", "ui-env-sandbox"],
      ["production", "ui-env-production"],
      ["custom", "ui-env-custom"],
      ...(view.fleet ? [["broker", "ui-env-broker"]] : []),
    ],
    view.environment,
  );
  const baseUrl = el("input", { id: "settings-baseUrl", name: "baseUrl", type: "url", value: view.baseUrl, autocomplete: "off" });
  const baseUrlField = field("settings-baseUrl", "ui-settings-base-url", baseUrl, "ui-settings-base-url-hint", errors.baseUrl);
  const showBaseUrl = () => (baseUrlField.hidden = environment.value !== "custom");
  environment.addEventListener("change", showBaseUrl);
  showBaseUrl();

  // A device of a fleet has no API key of its own to keep or enter.
  const secretHint = view.fleet ? null : view.credentialsStored ? "ui-settings-secret-kept" : "ui-settings-secret-new";
  form.append(
    view.fleet
      ? el("p", { class: "hint", id: "settings-fleet", ...loc("ui-settings-fleet", { device: view.fleet.deviceName, group: view.fleet.group, broker: view.fleet.brokerUrl }) })
      : null,
    field("settings-environment", "ui-settings-environment", environment, null, errors.environment),
    baseUrlField,
    field("settings-apiVersion", "ui-settings-api-version", select("settings-apiVersion", "apiVersion", [["v2", "v2"], ["v1", "v1"]], view.apiVersion), null, null),
    field("settings-merchantId", "ui-settings-merchant-id", el("input", { id: "settings-merchantId", name: "merchantId", inputmode: "numeric", value: view.merchantId, autocomplete: "off" }), null, errors.merchantId),
    field("settings-apiKey", "ui-settings-api-key", el("input", { id: "settings-apiKey", name: "apiKey", type: "password", autocomplete: "off" }), secretHint, errors.apiKey),
    field("settings-apiSecret", "ui-settings-api-secret", el("input", { id: "settings-apiSecret", name: "apiSecret", type: "password", autocomplete: "off" }), null, errors.apiSecret),
    field("settings-configurationId", "ui-settings-configuration-id", el("input", { id: "settings-configurationId", name: "configurationId", value: view.widget.configurationId || "", autocomplete: "off" }), "ui-settings-configuration-id-hint", errors.configurationId),
    field("settings-theme", "ui-settings-theme", select("settings-theme", "theme", [["light", "ui-theme-light"], ["dark", "ui-theme-dark"]], view.widget.theme), null, null),
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name: "handleOAuthManually", id: "settings-handleOAuthManually", checked: view.widget.handleOauthManually }),
      " ",
      el("span", loc("ui-settings-oauth-manually")),
    ),
    el(
      "label",
      { class: "check" },
      el("input", {
        type: "checkbox",
        name: "oauthInSystemBrowser",
        id: "settings-oauthInSystemBrowser",
        checked: view.oauthInSystemBrowser,
        "aria-invalid": errors.oauthInSystemBrowser ? "true" : null,
        "aria-describedby": errors.oauthInSystemBrowser ? "settings-oauthInSystemBrowser-error" : null,
      }),
      " ",
      el("span", loc("ui-settings-system-browser")),
    ),
    errors.oauthInSystemBrowser
      ? el("p", { class: "field-error", id: "settings-oauthInSystemBrowser-error", text: errors.oauthInSystemBrowser })
      : null,
    field("settings-mode", "ui-settings-mode", select("settings-mode", "mode", [["desk", "ui-mode-desk"], ["kiosk", "ui-mode-kiosk"]], view.mode), "ui-settings-mode-hint", errors.mode),
    field(
      "settings-language",
      "ui-settings-language",
      select("settings-language", "language", [["auto", "ui-language-auto"], ["en", "ui-language-en"], ["es", "ui-language-es"]], view.language),
      "ui-settings-language-hint",
      errors.language,
    ),
    field("settings-kioskIdleSeconds", "ui-settings-idle", el("input", { id: "settings-kioskIdleSeconds", name: "kioskIdleSeconds", inputmode: "numeric", value: String(view.kiosk.idleSeconds), autocomplete: "off" }), "ui-settings-idle-hint", errors.kioskIdleSeconds),
    field("settings-kioskWarningSeconds", "ui-settings-warning", el("input", { id: "settings-kioskWarningSeconds", name: "kioskWarningSeconds", inputmode: "numeric", value: String(view.kiosk.warningSeconds), autocomplete: "off" }), "ui-settings-warning-hint", errors.kioskWarningSeconds),
    field("settings-kioskWidgetIdleSeconds", "ui-settings-widget-idle", el("input", { id: "settings-kioskWidgetIdleSeconds", name: "kioskWidgetIdleSeconds", inputmode: "numeric", value: String(view.kiosk.widgetIdleSeconds), autocomplete: "off" }), "ui-settings-widget-idle-hint", errors.kioskWidgetIdleSeconds),
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name: "kioskMoreTime", id: "settings-kioskMoreTime", checked: view.kiosk.moreTime }),
      " ",
      el("span", loc("ui-settings-more-time")),
    ),
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name: "updatesEnabled", id: "settings-updatesEnabled", checked: view.updates.enabled }),
      " ",
      el("span", loc("ui-settings-updates")),
    ),
    field("settings-updateFeedUrl", "ui-settings-update-feed", el("input", { id: "settings-updateFeedUrl", name: "updateFeedUrl", type: "url", value: view.updates.feedUrl || "", autocomplete: "off", spellcheck: "false" }), "ui-settings-update-feed-hint", errors.updateFeedUrl),
    field("settings-updateChannel", "ui-settings-update-channel", el("input", { id: "settings-updateChannel", name: "updateChannel", value: view.updates.channel, autocomplete: "off", spellcheck: "false" }), "ui-settings-update-channel-hint", errors.updateChannel),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "button primary", id: "settings-save", ...loc("ui-save") }),
      button("ui-back", close, { kind: "quiet", id: "settings-close" }),
    ),
  );
  const managed = markManaged(form, view.managed || []);
  // A device of a fleet: the broker sets these (Rust refuses changes).
  if (view.fleet) {
    for (const name of markManaged(form, ["environment", "apiVersion", "merchantId", "apiKey", "apiSecret"], "ui-settings-fleet-managed")) managed.add(name);
  }
  // A disabled control is not in the form's data: a managed field sends
  // the value shown (Rust refuses any other).
  const shown = {
    environment: view.environment,
    baseUrl: view.baseUrl,
    apiVersion: view.apiVersion,
    mode: view.mode,
    kioskIdleSeconds: String(view.kiosk.idleSeconds),
    kioskWarningSeconds: String(view.kiosk.warningSeconds),
    kioskWidgetIdleSeconds: String(view.kiosk.widgetIdleSeconds),
    updatesEnabled: view.updates.enabled ? "on" : null,
    updateFeedUrl: view.updates.feedUrl || "",
    updateChannel: view.updates.channel,
    configurationId: view.widget.configurationId || "",
    theme: view.widget.theme,
    handleOAuthManually: view.widget.handleOauthManually ? "on" : null,
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (name) => (managed.has(name) ? shown[name] : data.get(name));
    save({
      environment: value("environment"),
      baseUrl: value("baseUrl") || "",
      apiVersion: value("apiVersion"),
      merchantId: data.get("merchantId") || "",
      apiKey: data.get("apiKey") || "",
      apiSecret: data.get("apiSecret") || "",
      widget: {
        configurationId: value("configurationId") || null,
        theme: value("theme"),
        handleOauthManually: value("handleOAuthManually") === "on",
        sdkVersion: view.widget.sdkVersion,
      },
      oauthInSystemBrowser: data.get("oauthInSystemBrowser") === "on",
      mode: value("mode"),
      kioskIdleSeconds: value("kioskIdleSeconds") || "",
      kioskWarningSeconds: value("kioskWarningSeconds") || "",
      kioskWidgetIdleSeconds: value("kioskWidgetIdleSeconds") || "",
      language: data.get("language") || "auto",
      kioskMoreTime: data.get("kioskMoreTime") === "on",
      updatesEnabled: value("updatesEnabled") === "on",
      updateFeedUrl: value("updateFeedUrl") || "",
      updateChannel: value("updateChannel") || "",
    });
  });

  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", ...loc("ui-settings-title") }),
    result?.saved || view.restartPending
      ? el(
          "div",
          { class: "banner info", role: "status" },
          el("p", loc(savedMessage(result, view))),
          view.restartPending
            ? el("div", { class: "actions" }, button("ui-restart-now", restart, { id: "settings-restart" }))
            : null,
        )
      : null,
    result?.error ? errorBanner(result.error) : null,
    form,
    staffPinSection(view.staffPinSet),
  );
}
