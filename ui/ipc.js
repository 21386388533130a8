// The one door to Rust. Commands reject with {code, message, retry}.

// The first of the page's modules to run (it imports nothing): every module
// has been fetched and parsed by now. For the start-up bench.
performance.mark("app-modules");

export function invoke(command, args = {}) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({
      code: "UI_NO_IPC",
      message: "This page must run inside the Aeropay Onboarding app.",
      l10nId: "ui-no-ipc",
      retry: false,
    });
  }
  return tauri.core.invoke(command, args);
}

// A line a person can act on, with the code support looks up: the
// attributes of its catalog message (Rust already wrote `message` in the
// customer's language), for `el()` or `setL10n`.
export function describeError(error) {
  if (error && typeof error === "object" && error.message) {
    if (error.l10nId) return [error.l10nId, null];
    return error.code ? ["ui-error-with-code", { message: error.message, code: error.code }] : ["ui-error-unknown", { detail: error.message }];
  }
  return ["ui-error-unknown", { detail: String(error) }];
}
