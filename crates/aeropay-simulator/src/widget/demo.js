// Demo host for the simulated widget: builds the launch URL as the Aerosync
// SDK does and lists every message the widget posts.
"use strict";
(function () {
  var host = document.getElementById("host");
  var list = document.getElementById("messages");

  function record(text) {
    var li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin) return;
    record(typeof event.data === "string" ? event.data : JSON.stringify(event.data));
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === "widgetPageLoaded" && msg.payload && msg.payload.pageTitle === "launchExternalWindow") {
      window.open(msg.payload.onLoadApi, "_blank", "width=420,height=640");
    }
    if (msg.type === "widgetClose") host.replaceChildren();
  });

  document.getElementById("options").addEventListener("submit", function (e) {
    e.preventDefault();
    list.replaceChildren();
    host.replaceChildren();
    // The admin token comes in the fragment of the printed demo address
    // (never sent to the server in the URL).
    var adminToken = new URLSearchParams(window.location.hash.slice(1)).get("admin-token") || "";
    fetch("/__admin/demo-session", {
      method: "POST",
      headers: { "x-simulator-admin-token": adminToken },
    }).then(function (r) {
      if (!r.ok) throw new Error("the demo needs the address `aeropay-onboarding simulate` printed (with its #admin-token)");
      return r.json();
    }).then(function (s) {
      // Falsy options are left out, as in SDK 2.1.4's launch().
      var q = new URLSearchParams();
      q.set("token", s.token);
      q.set("aeroPassUserUuid", s.aeroPassUserUuid);
      if (document.getElementById("manual").checked) q.set("handleOAuthManually", "true");
      q.set("defaultTheme", document.getElementById("theme").value);
      var version = document.getElementById("version").value;
      if (version) q.set("version", version);
      var frame = document.createElement("iframe");
      frame.id = "aerosync-widget";
      frame.title = "Aerosync widget (simulated)";
      frame.src = s.fastlinkURL + "?" + q.toString();
      host.appendChild(frame);
      record("launched " + frame.src.replace(/token=[^&]+/, "token=…"));
    }).catch(function (err) {
      record("not launched: " + err.message);
    });
  });
})();
