// The settings screen. Rust owns the settings: this reads them (never a
// secret, only whether one is stored) and sends the form back.

import { el, button, errorBanner } from "./dom.js";
import { staffPinSection } from "./staff.js";

function field(id, label, input, hint, error) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  if (describedBy) input.setAttribute("aria-describedby", describedBy);
  if (error) input.setAttribute("aria-invalid", "true");
  return el(
    "div",
    { class: "field" + (error ? " invalid" : "") },
    el("label", { for: id, text: label }),
    hint ? el("p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
    input,
    error ? el("p", { class: "field-error", id: `${id}-error`, text: error }) : null,
  );
}

function select(id, name, options, value) {
  return el(
    "select",
    { id, name },
    options.map(([optionValue, label]) => el("option", { value: optionValue, selected: optionValue === value }, label)),
  );
}

export function settingsScreen(view, { save, close, restart }, result) {
  const errors = result?.fieldErrors || {};
  const form = el("form", { class: "form", id: "settings-form", novalidate: true });
  const environment = select(
    "settings-environment",
    "environment",
    [
      ["simulator", "Simulator (no real bank data)"],
      ["sandbox", "Aeropay sandbox"],
      ["production", "Production"],
      ["custom", "Custom address"],
    ],
    view.environment,
  );
  const baseUrl = el("input", { id: "settings-baseUrl", name: "baseUrl", type: "url", value: view.baseUrl, autocomplete: "off" });
  const baseUrlField = field("settings-baseUrl", "API address", baseUrl, "For a custom environment, e.g. https://staging-api.aeropay.com", errors.baseUrl);
  const showBaseUrl = () => (baseUrlField.hidden = environment.value !== "custom");
  environment.addEventListener("change", showBaseUrl);
  showBaseUrl();

  const secretHint = view.credentialsStored
    ? "A key and secret are stored in the keychain. Leave both empty to keep them."
    : "Stored in the OS keychain, never shown again.";
  form.append(
    field("settings-environment", "Environment", environment, null, errors.environment),
    baseUrlField,
    field("settings-apiVersion", "API version", select("settings-apiVersion", "apiVersion", [["v2", "v2"], ["v1", "v1"]], view.apiVersion), null, null),
    field("settings-merchantId", "Merchant id", el("input", { id: "settings-merchantId", name: "merchantId", inputmode: "numeric", value: view.merchantId, autocomplete: "off" }), null, errors.merchantId),
    field("settings-apiKey", "API key", el("input", { id: "settings-apiKey", name: "apiKey", type: "password", autocomplete: "off" }), secretHint, errors.apiKey),
    field("settings-apiSecret", "API secret", el("input", { id: "settings-apiSecret", name: "apiSecret", type: "password", autocomplete: "off" }), null, errors.apiSecret),
    field("settings-configurationId", "Widget configuration id", el("input", { id: "settings-configurationId", name: "configurationId", value: view.widget.configurationId || "", autocomplete: "off" }), "Optional; from Aeropay", errors.configurationId),
    field("settings-theme", "Widget theme", select("settings-theme", "theme", [["light", "Light"], ["dark", "Dark"]], view.widget.theme), null, null),
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name: "handleOAuthManually", id: "settings-handleOAuthManually", checked: view.widget.handleOauthManually }),
      " The app opens bank sign-in pages itself (handleOAuthManually)",
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
      " Open bank sign-in pages in the system browser (desk only; for banks that refuse in-app windows)",
    ),
    errors.oauthInSystemBrowser
      ? el("p", { class: "field-error", id: "settings-oauthInSystemBrowser-error", text: errors.oauthInSystemBrowser })
      : null,
    field("settings-mode", "Mode", select("settings-mode", "mode", [["desk", "Desk (a normal window for staff)"], ["kiosk", "Kiosk (full screen, customers alone)"]], view.mode), "Takes effect after a restart; --mode on the command line overrides it.", errors.mode),
    field("settings-kioskIdleSeconds", "Kiosk: quiet seconds before the warning", el("input", { id: "settings-kioskIdleSeconds", name: "kioskIdleSeconds", inputmode: "numeric", value: String(view.kiosk.idleSeconds), autocomplete: "off" }), "10 to 3600", errors.kioskIdleSeconds),
    field("settings-kioskWarningSeconds", "Kiosk: warning countdown in seconds", el("input", { id: "settings-kioskWarningSeconds", name: "kioskWarningSeconds", inputmode: "numeric", value: String(view.kiosk.warningSeconds), autocomplete: "off" }), "20 to 600", errors.kioskWarningSeconds),
    field("settings-kioskWidgetIdleSeconds", "Kiosk: quiet seconds while the bank widget is open", el("input", { id: "settings-kioskWidgetIdleSeconds", name: "kioskWidgetIdleSeconds", inputmode: "numeric", value: String(view.kiosk.widgetIdleSeconds), autocomplete: "off" }), "At least the quiet seconds above, at most 7200", errors.kioskWidgetIdleSeconds),
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name: "updatesEnabled", id: "settings-updatesEnabled", checked: view.updates.enabled }),
      " Install signed updates from the feed below (a kiosk on its welcome screen; a desk when staff choose; never with the simulator)",
    ),
    field("settings-updateFeedUrl", "Update feed", el("input", { id: "settings-updateFeedUrl", name: "updateFeedUrl", type: "url", value: view.updates.feedUrl || "", autocomplete: "off", spellcheck: "false" }), "https://…/{{channel}}/latest.json", errors.updateFeedUrl),
    field("settings-updateChannel", "Update channel", el("input", { id: "settings-updateChannel", name: "updateChannel", value: view.updates.channel, autocomplete: "off", spellcheck: "false" }), "One word, e.g. stable", errors.updateChannel),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "button primary", id: "settings-save" }, "Save"),
      button("Back", close, { kind: "quiet", id: "settings-close" }),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    save({
      environment: data.get("environment"),
      baseUrl: data.get("baseUrl") || "",
      apiVersion: data.get("apiVersion"),
      merchantId: data.get("merchantId") || "",
      apiKey: data.get("apiKey") || "",
      apiSecret: data.get("apiSecret") || "",
      widget: {
        configurationId: data.get("configurationId") || null,
        theme: data.get("theme"),
        handleOauthManually: data.get("handleOAuthManually") === "on",
        sdkVersion: view.widget.sdkVersion,
      },
      oauthInSystemBrowser: data.get("oauthInSystemBrowser") === "on",
      mode: data.get("mode"),
      kioskIdleSeconds: data.get("kioskIdleSeconds") || "",
      kioskWarningSeconds: data.get("kioskWarningSeconds") || "",
      kioskWidgetIdleSeconds: data.get("kioskWidgetIdleSeconds") || "",
      updatesEnabled: data.get("updatesEnabled") === "on",
      updateFeedUrl: data.get("updateFeedUrl") || "",
      updateChannel: data.get("updateChannel") || "",
    });
  });

  return el(
    "section",
    { class: "card", "aria-labelledby": "screen-title" },
    el("h2", { id: "screen-title", text: "Settings" }),
    result?.saved || view.restartPending
      ? el(
          "div",
          { class: "banner info", role: "status" },
          el("p", { text: result?.saved ? "Settings saved. Restart the app to use them." : "Saved settings are waiting for a restart." }),
          el("div", { class: "actions" }, button("Restart now", restart, { id: "settings-restart" })),
        )
      : null,
    result?.error ? errorBanner(result.error) : null,
    form,
    staffPinSection(view.staffPinSet),
  );
}
