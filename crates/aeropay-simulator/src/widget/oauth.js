// The simulated bank's OAuth window: sign in, allow access, close. The widget
// notices by polling the simulator.
"use strict";
(function () {
  var loginId = decodeURIComponent(window.location.pathname.split("/").pop());
  var screen = document.getElementById("screen");
  var api = "/aerosync/api/oauth/" + encodeURIComponent(loginId);

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
  function show(nodes) { screen.replaceChildren.apply(screen, nodes); }
  function done(text) {
    show([el("h2", { text: text }), el("p", { class: "muted", text: "You can close this window and return to the app." })]);
    setTimeout(function () { window.close(); }, 1500);
  }

  function form(info, message) {
    var user = el("input", { type: "text", id: "username", autocomplete: "off" });
    var pass = el("input", { type: "password", id: "password", autocomplete: "off" });
    var allow = el("button", { type: "submit", class: "primary", id: "allow", text: "Allow access" });
    var f = el("form", {}, [
      el("p", { class: "muted", text: "Aerosync is asking to read your account and routing numbers." }),
      el("p", { class: "hint", text: info.hint }),
      el("label", { for: "username", text: "Username" }), user,
      el("label", { for: "password", text: "Password" }), pass,
      message ? el("p", { class: "error", role: "alert", text: message }) : null,
      allow,
    ]);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      allow.disabled = true;
      fetch(api, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: user.value, password: pass.value }) })
        .then(function (r) { return r.json(); })
        .then(function (r) {
          if (r.ok) done("Access allowed");
          else form(info, r.message || "Sign-in failed");
        });
    });
    show([el("h2", { text: "Sign in to " + info.bankName }), f]);
  }

  fetch(api).then(function (r) { return r.json(); }).then(function (info) {
    if (!info.bankName) { show([el("p", { class: "error", text: info.message || "Unknown sign-in" })]); return; }
    document.getElementById("bank").textContent = info.bankName;
    if (!info.pending) done("Access already allowed");
    else form(info);
  });
})();
