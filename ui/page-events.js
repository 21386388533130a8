// What Rust tells the page (src-tauri/src/page_events.rs): the answers of
// one waiting command, `page_events`, asked again as soon as it answers.
// Not Tauri's events: each of those is a script run in the page whose result
// starts a JavaScript engine in the app's own process (about 5.7 MiB).
// Each event is dispatched on `window` as the DOM event `aeropay:<name>`,
// its payload in `detail`.
import { invoke } from "./ipc.js";

const PREFIX = "aeropay:";
// After a failed ask (the app stopping, a reload under way): wait a little.
const RETRY_MS = 1000;

export function onPageEvent(name, handler) {
  window.addEventListener(PREFIX + name, (event) => handler(event.detail));
}

// Follows the events after `after` (the number `app_boot` gave with the
// state the page shows). `onMissed`: the page fell too far behind and must
// read the current state again.
export async function followPageEvents(after, onMissed) {
  for (;;) {
    let batch;
    try {
      batch = await invoke("page_events", { after });
    } catch (error) {
      console.warn("page events", error);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      continue;
    }
    after = batch.next;
    if (batch.missed) await Promise.resolve().then(onMissed).catch((error) => console.warn("page events resync", error));
    for (const { name, payload } of batch.events) {
      window.dispatchEvent(new CustomEvent(PREFIX + name, { detail: payload }));
    }
  }
}
