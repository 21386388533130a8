// The page is a view of state owned by Rust: it asks commands for state and
// renders it. Nothing here decides anything about the enrollment.

import { invoke, describeError } from "./ipc.js";

const environmentBadge = document.getElementById("environment");
const status = document.getElementById("app-status");
const version = document.getElementById("version");

async function showAppInfo() {
  try {
    const info = await invoke("app_info");
    environmentBadge.textContent = info.environment.label;
    environmentBadge.dataset.environment = info.environment.id;
    environmentBadge.dataset.simulated = String(info.environment.simulated);
    version.textContent = `${info.product} ${info.version}`;
    status.textContent = `Ready. Connected to: ${info.environment.label}.`;
    status.dataset.state = "ready";
  } catch (error) {
    environmentBadge.textContent = "Not connected";
    status.textContent = describeError(error);
    status.dataset.state = "error";
  }
}

showAppInfo();
