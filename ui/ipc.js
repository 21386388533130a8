// The one door to Rust. Commands reject with {code, message, retry}.

export function invoke(command, args = {}) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({
      code: "UI_NO_IPC",
      message: "This page must run inside the Aeropay Onboarding app.",
      retry: false,
    });
  }
  return tauri.core.invoke(command, args);
}

// A line a person can act on, with the code support looks up.
export function describeError(error) {
  if (error && typeof error === "object" && error.message) {
    return error.code ? `${error.message} (code ${error.code})` : error.message;
  }
  return `Something went wrong: ${String(error)}`;
}
