//! What Rust tells the page (a new enrollment state, the kiosk's idle
//! warning and reset, the language changed, an update waiting), delivered as
//! the answer of the page's one waiting command (`page_events`) instead of
//! as scripts run in the page. Tauri's events run a script per event, and
//! WebKitGTK hands each script's result to the app's process as a JavaScript
//! value, which starts a JavaScript engine there: about 5.7 MiB of the app's
//! memory (README, "Memory after enrollments and resets"). Plain Rust, no
//! tauri.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;

/// Events kept for a page that has not asked yet. The page asks again as
/// soon as it has an answer, so it is never more than a few behind; one that
/// falls further (stalled, or gone) is told it missed some.
const KEPT: usize = 64;

/// How long one `page_events` waits for an event before answering with
/// none. Bounds what a page that went away (reloaded, navigated) leaves
/// waiting in Rust.
pub const WAIT: Duration = Duration::from_secs(25);

/// The events the page follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageEventName {
    EnrollmentState,
    KioskIdle,
    KioskReset,
    L10nChanged,
    UpdateAvailable,
}

/// No `Debug`: the payload is JSON already, where the widget's address (and
/// its token) is plain text; the view's own `Debug` hides it.
#[derive(Clone, Serialize)]
pub struct PageEvent {
    pub seq: u64,
    pub name: PageEventName,
    /// Serialized when sent, fields in their declared order: the page
    /// compares a state it gets here with the same state from a command's
    /// answer as text (a `serde_json::Value` would sort the keys).
    pub payload: Box<serde_json::value::RawValue>,
}

/// One answer: the events after the page's `after`, in order, and the
/// number to ask after next. `missed`: some were dropped before the page
/// asked (it then reads the current state again).
#[derive(Serialize)]
pub struct PageEventBatch {
    pub events: Vec<PageEvent>,
    pub next: u64,
    pub missed: bool,
}

#[derive(Default)]
pub struct PageEvents {
    kept: Mutex<Kept>,
    arrived: Notify,
}

#[derive(Default)]
struct Kept {
    /// The last event's number (0: none yet).
    last: u64,
    events: VecDeque<PageEvent>,
}

impl PageEvents {
    /// Queues an event for the page and wakes its waiting command.
    pub fn send(
        &self,
        name: PageEventName,
        payload: impl Serialize,
    ) -> Result<(), serde_json::Error> {
        let payload = serde_json::value::to_raw_value(&payload)?;
        let mut kept = self.lock();
        kept.last += 1;
        let seq = kept.last;
        if kept.events.len() == KEPT {
            kept.events.pop_front();
        }
        kept.events.push_back(PageEvent { seq, name, payload });
        drop(kept);
        self.arrived.notify_waiters();
        Ok(())
    }

    /// Drops the kept events (a kiosk reset: the last customer's states
    /// and name stay nowhere to be asked for again). A page that had not
    /// read them yet is told it missed some and reads the state afresh.
    pub fn forget(&self) {
        self.lock().events.clear();
    }

    /// The last event's number: a page that reads the state now follows
    /// the events after it.
    pub fn last(&self) -> u64 {
        self.lock().last
    }

    /// The events after `after`, as soon as there is one, or none after
    /// `wait`.
    pub async fn next(&self, after: u64, wait: Duration) -> PageEventBatch {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before looking, so an event sent in between still
            // wakes this wait.
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(batch) = self.after(after) {
                return batch;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return PageEventBatch {
                    events: Vec::new(),
                    next: after,
                    missed: false,
                };
            }
        }
    }

    fn after(&self, after: u64) -> Option<PageEventBatch> {
        let kept = self.lock();
        if after > kept.last {
            // Not a number this app gave out (a page of an earlier run):
            // start again from now.
            return Some(PageEventBatch {
                events: Vec::new(),
                next: kept.last,
                missed: true,
            });
        }
        if after == kept.last {
            return None;
        }
        let first = kept.events.front().map_or(kept.last + 1, |e| e.seq);
        Some(PageEventBatch {
            events: kept
                .events
                .iter()
                .filter(|e| e.seq > after)
                .cloned()
                .collect(),
            next: kept.last,
            missed: after + 1 < first,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const LONG: Duration = Duration::from_secs(30);

    fn seqs(batch: &PageEventBatch) -> Vec<u64> {
        batch.events.iter().map(|e| e.seq).collect()
    }

    #[tokio::test]
    async fn events_sent_before_the_page_asks_come_at_once_in_order() {
        let events = PageEvents::default();
        events
            .send(
                PageEventName::EnrollmentState,
                serde_json::json!({"step": "details"}),
            )
            .unwrap();
        events.send(PageEventName::KioskReset, ()).unwrap();
        let batch = events.next(0, LONG).await;
        assert_eq!(seqs(&batch), [1, 2]);
        assert_eq!(batch.next, 2);
        assert!(!batch.missed);
        assert_eq!(batch.events[0].payload.get(), r#"{"step":"details"}"#);
        assert_eq!(
            serde_json::to_value(&batch.events[1]).unwrap(),
            serde_json::json!({"seq": 2, "name": "kiosk-reset", "payload": null})
        );
        // Asked again after the last one: only what comes next.
        events.send(PageEventName::L10nChanged, ()).unwrap();
        assert_eq!(seqs(&events.next(batch.next, LONG).await), [3]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_page_wakes_on_the_next_event() {
        let events = Arc::new(PageEvents::default());
        let waiting = tokio::spawn({
            let events = events.clone();
            async move { events.next(0, LONG).await }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiting.is_finished(), "nothing to say yet");
        events
            .send(
                PageEventName::KioskIdle,
                serde_json::json!({"secondsLeft": 30}),
            )
            .unwrap();
        let batch = waiting.await.unwrap();
        assert_eq!(seqs(&batch), [1]);
        assert_eq!(batch.events[0].name, PageEventName::KioskIdle);
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_wait_ends_with_no_events_and_the_same_place() {
        let events = PageEvents::default();
        events.send(PageEventName::KioskReset, ()).unwrap();
        let batch = events.next(1, WAIT).await;
        assert!(batch.events.is_empty());
        assert_eq!(batch.next, 1);
        assert!(!batch.missed);
    }

    #[tokio::test]
    async fn a_payload_keeps_its_fields_in_their_declared_order() {
        #[derive(Serialize)]
        struct View {
            id: u8,
            first_name: &'static str,
            step: &'static str,
        }
        let events = PageEvents::default();
        let view = View {
            id: 7,
            first_name: "Ada",
            step: "code",
        };
        events.send(PageEventName::EnrollmentState, &view).unwrap();
        let batch = events.next(0, LONG).await;
        // As a command's answer has it, so the page sees the same state.
        assert_eq!(
            batch.events[0].payload.get(),
            serde_json::to_string(&view).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&batch.events[0]).unwrap(),
            r#"{"seq":1,"name":"enrollment-state","payload":{"id":7,"first_name":"Ada","step":"code"}}"#
        );
    }

    #[tokio::test]
    async fn a_page_too_far_behind_is_told_it_missed_events() {
        let events = PageEvents::default();
        for _ in 0..KEPT + 3 {
            events.send(PageEventName::EnrollmentState, ()).unwrap();
        }
        let batch = events.next(0, LONG).await;
        assert!(batch.missed);
        assert_eq!(batch.events.len(), KEPT);
        assert_eq!(batch.events[0].seq, 4);
        assert_eq!(batch.next, (KEPT + 3) as u64);
        // Exactly the oldest kept one's predecessor: nothing missed.
        assert!(!events.next(3, LONG).await.missed);
    }

    #[tokio::test]
    async fn forgotten_events_are_not_given_again() {
        let events = PageEvents::default();
        events
            .send(
                PageEventName::EnrollmentState,
                serde_json::json!({"firstName": "Ada"}),
            )
            .unwrap();
        events.forget();
        let batch = events.next(0, LONG).await;
        assert!(batch.missed);
        assert!(batch.events.is_empty());
        assert_eq!(batch.next, 1);
        events.send(PageEventName::KioskReset, ()).unwrap();
        assert_eq!(seqs(&events.next(1, LONG).await), [2]);
    }

    #[tokio::test]
    async fn a_number_this_app_never_gave_starts_the_page_again_from_now() {
        let events = PageEvents::default();
        events.send(PageEventName::KioskReset, ()).unwrap();
        let batch = events.next(40, LONG).await;
        assert!(batch.missed);
        assert!(batch.events.is_empty());
        assert_eq!(batch.next, 1);
    }
}
