// Simulated Aerosync widget. Renders the screens; the simulator's widget API
// decides every outcome and builds the exact messages to post, so what the
// host receives is what the Rust tests check.
"use strict";
(function () {
  var params = new URLSearchParams(window.location.search);
  var token = params.get("token") || "";
  var version = params.get("version");
  var manualOAuth = params.get("handleOAuthManually") === "true";
  var theme = params.get("theme") || params.get("defaultTheme");
  var screen = document.getElementById("screen");
  var session = null;
  var pollTimer = null;
  if (theme === "dark") document.body.classList.add("dark");

  // Exactly as the real widget: a JSON string {type, payload} to the parent.
  function post(message) {
    window.parent.postMessage(JSON.stringify(message), "*");
  }
  function pageLoaded(pageTitle, onLoadApi) {
    post({ type: "widgetPageLoaded", payload: { pageTitle: pageTitle, onLoadApi: onLoadApi || "" } });
  }

  function api(method, path, body) {
    var init = { method: method, headers: { Authorization: "Bearer " + token } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch("/aerosync/api" + path, init).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var err = new Error(data.message || "The request failed (" + resp.status + ")");
          err.code = data.code || "AC-" + resp.status;
          throw err;
        }
        return data;
      });
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function show(nodes) {
    stopPolling();
    screen.replaceChildren.apply(screen, nodes);
  }
  function stopPolling() {
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  }
  function fatal(err) {
    show([el("h2", { text: "Something went wrong" }), el("p", { class: "error", text: err.message })]);
    post({ type: "widgetError", payload: (err.code ? err.code + ": " : "") + err.message });
  }

  document.getElementById("close").addEventListener("click", function () {
    stopPolling();
    post({ type: "widgetClose" });
  });

  function bankList() {
    var items = session.banks.map(function (bank) {
      var button = el("button", { type: "button", "data-bank": bank.id }, [
        el("span", { class: "name", text: bank.name }),
        el("span", { class: "hint", text: bank.hint }),
      ]);
      button.addEventListener("click", function () { chooseBank(bank); });
      return el("li", {}, [button]);
    });
    show([
      el("h2", { text: "Select your bank" }),
      el("p", { class: "muted", text: "Connect your account to " + session.clientName + "." }),
      el("ul", { class: "banks" }, items),
    ]);
    pageLoaded("bankSelection");
  }

  function chooseBank(bank) {
    if (bank.kind === "oAuth") {
      api("POST", "/login", { bankId: bank.id }).then(handleStep, fatal);
    } else {
      credentials(bank);
    }
  }

  function credentials(bank, message) {
    var user = el("input", { type: "text", id: "username", autocomplete: "off" });
    var pass = el("input", { type: "password", id: "password", autocomplete: "off" });
    var submit = el("button", { type: "submit", class: "primary", text: "Continue" });
    var back = el("button", { type: "button", class: "link", text: "← Choose another bank" });
    back.addEventListener("click", bankList);
    var form = el("form", {}, [
      el("label", { for: "username", text: "Username" }), user,
      el("label", { for: "password", text: "Password" }), pass,
      message ? el("p", { class: "error", role: "alert", text: message }) : null,
      submit,
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit.disabled = true;
      api("POST", "/login", { bankId: bank.id, username: user.value, password: pass.value })
        .then(function (step) {
          if (step.step === "error") credentials(bank, step.message);
          else handleStep(step);
        }, fatal);
    });
    show([el("h2", { text: "Sign in to " + bank.name }), el("p", { class: "hint", text: bank.hint }), form, back]);
    pageLoaded("bankCredentials");
    user.focus();
  }

  function mfa(step, message) {
    var answer = el("input", { type: "text", id: "answer", autocomplete: "off" });
    var submit = el("button", { type: "submit", class: "primary", text: "Verify" });
    var form = el("form", {}, [
      el("label", { for: "answer", text: step.question }), answer,
      message ? el("p", { class: "error", role: "alert", text: message }) : null,
      submit,
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit.disabled = true;
      api("POST", "/mfa", { loginId: step.loginId, answer: answer.value }).then(function (next) {
        if (next.step === "error") mfa(step, next.message);
        else handleStep(next);
      }, fatal);
    });
    show([el("h2", { text: "Additional verification" }), form]);
    pageLoaded("mfaQuestion");
    answer.focus();
  }

  function oauth(step) {
    var again = el("button", { type: "button", class: "link", text: "Open the bank's window again" });
    again.addEventListener("click", function () { launch(step.oauthUrl); });
    show([
      el("h2", { text: "Continue at your bank" }),
      el("p", { class: "muted", text: "Sign in and allow access in the window that opened, then come back here." }),
      el("div", { class: "spinner", role: "progressbar" }),
      again,
    ]);
    launch(step.oauthUrl);
    pollTimer = setInterval(function () {
      api("GET", "/login/" + encodeURIComponent(step.loginId)).then(function (next) {
        if (next.step === "accounts") handleStep(next);
      }, function (err) { stopPolling(); fatal(err); });
    }, 1000);
  }

  // Like the real SDK: window.open, unless the host asked to open it itself.
  function launch(url) {
    if (manualOAuth) {
      pageLoaded("launchExternalWindow", url);
    } else {
      var popup = window.open(url, "_blank", "width=420,height=640");
      if (!popup) pageLoaded("launchExternalWindow", url);
    }
  }

  function accounts(step) {
    var multi = session.multiAccount && version !== null && version !== "" && version.indexOf("1.") !== 0;
    var submit = el("button", { type: "submit", class: "primary", text: "Connect account", disabled: "disabled" });
    var rows = step.accounts.map(function (a, i) {
      var input = el("input", { type: multi ? "checkbox" : "radio", name: "account", value: a.accountId, id: "acct-" + i });
      input.addEventListener("change", function () {
        submit.disabled = !screen.querySelector("input[name=account]:checked");
      });
      return el("label", { class: "account", for: "acct-" + i }, [
        input,
        el("span", { text: a.name + " (" + a.accountType + ") ••••" + a.last4 }),
      ]);
    });
    var form = el("form", {}, rows.concat([submit]));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit.disabled = true;
      var ids = Array.prototype.map.call(screen.querySelectorAll("input[name=account]:checked"), function (i) { return i.value; });
      api("POST", "/complete", { loginId: step.loginId, accountIds: ids, version: version }).then(function (done) {
        show([el("h2", { text: "Connected" }), el("p", { class: "ok", text: step.bankName + " is linked." })]);
        done.messages.forEach(post);
      }, fatal);
    });
    show([el("h2", { text: multi ? "Choose your accounts" : "Choose an account" }), form]);
    pageLoaded("accountSelection");
  }

  function handleStep(step) {
    if (step.step === "mfa") mfa(step);
    else if (step.step === "oauth") oauth(step);
    else if (step.step === "accounts") accounts(step);
    else if (step.step === "error") fatal(new Error(step.message));
  }

  if (!token) {
    fatal(Object.assign(new Error("The widget was opened without a token."), { code: "AC-400" }));
    return;
  }
  api("GET", "/session").then(function (info) {
    session = info;
    bankList();
  }, fatal);
})();
