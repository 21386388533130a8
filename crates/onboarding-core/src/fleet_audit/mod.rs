//! Sends this machine's audit trail to the fleet broker: oldest first, one
//! batch in flight, the upload mark moved only after the broker
//! acknowledged the whole batch, so nothing is lost across restarts and a
//! batch sent twice is counted as duplicates by the broker, not stored twice.
//!
//! The entries, their ids and the mark live in the store
//! (`store/audit_outbox.rs`); the broker is reached through an
//! [`AuditSink`], so this module holds no HTTP client. Plain Rust, no tauri.

mod backoff;
mod broker_sink;
mod error;

pub use crate::store::{OutgoingAuditDetail, OutgoingAuditEntry};
pub use backoff::Backoff;
pub use error::SinkError;

use crate::store::{AuditOutboxState, Store, StoreError};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// The broker's answer to a batch: entries it stored now, and entries it
/// already had (same device and id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    pub new: usize,
    pub duplicates: usize,
}

/// Where batches go: the broker's `POST /v1/audit`, in the app.
pub trait AuditSink: Send + Sync {
    fn upload(
        &self,
        batch: &[OutgoingAuditEntry],
    ) -> impl Future<Output = Result<Ack, SinkError>> + Send;
}

/// Sizes and waits of the upload.
#[derive(Debug, Clone)]
pub struct UploadSchedule {
    /// Most entries in one batch.
    pub batch_entries: usize,
    /// Most bytes of entries (as JSON) in one batch; a batch holds at least
    /// one entry. Below the broker's default body limit (64 KiB).
    pub batch_bytes: usize,
    /// The first wait after a failure; it doubles up to `max_retry`.
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// A `Retry-After` is honoured up to this long.
    pub longest_retry_after: Duration,
    /// The wait after the broker refused the device or the batch.
    pub refused_retry: Duration,
    /// When everything is sent, how often to look for entries that another
    /// process (a command from a terminal) wrote to the same file; entries
    /// this process writes wake the upload at once.
    pub idle_check: Duration,
}

impl Default for UploadSchedule {
    fn default() -> Self {
        Self {
            batch_entries: 200,
            batch_bytes: 48 * 1024,
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(5 * 60),
            longest_retry_after: Duration::from_secs(60 * 60),
            refused_retry: Duration::from_secs(60 * 60),
            idle_check: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    /// Nothing left to send.
    UpToDate,
    /// Entries are waiting and being sent.
    Sending,
    /// The broker could not take them: waiting to try again.
    Retrying,
    /// The broker refuses this device or its trail: entries stay here, and
    /// it is tried again only after `refused_retry`.
    Stopped,
}

/// What the app can show or log about the upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadStatus {
    pub state: UploadState,
    /// Entries the broker has not acknowledged.
    pub pending: u64,
    /// The broker acknowledged every entry up to this `seq`.
    pub sent_through: u64,
    /// When the broker last acknowledged a batch (unix seconds).
    pub last_success_at: Option<i64>,
    /// The code of the last failure, until the next success.
    pub last_error_code: Option<String>,
}

/// What to do after a [`AuditUploader::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// More entries wait: send the next batch now.
    SendMore,
    /// Everything is sent: wait for a new entry.
    UpToDate,
    /// Try again after this wait (back-off or `Retry-After`); new entries
    /// do not cut it short.
    RetryAfter(Duration),
    /// Refused: try again after this (long) wait.
    Stopped(Duration),
}

/// Sends the store's pending audit entries to a sink; see the module docs.
pub struct AuditUploader<S> {
    store: Arc<Store>,
    sink: S,
    schedule: UploadSchedule,
    backoff: Backoff,
    /// The byte budget of a batch; halved when the broker finds one too large.
    batch_bytes: usize,
    status: watch::Sender<UploadStatus>,
}

impl<S: AuditSink> AuditUploader<S> {
    pub fn new(store: Arc<Store>, sink: S, schedule: UploadSchedule) -> Self {
        let (status, _) = watch::channel(UploadStatus {
            state: UploadState::Sending,
            pending: 0,
            sent_through: 0,
            last_success_at: None,
            last_error_code: None,
        });
        let uploader = Self {
            backoff: Backoff::new(schedule.first_retry, schedule.max_retry),
            batch_bytes: schedule.batch_bytes,
            store,
            sink,
            schedule,
            status,
        };
        // Blocking, once: the numbers the status starts with.
        let counts = uploader.store.audit_outbox_state().ok();
        let state = match counts {
            Some(counts) if counts.pending == 0 => UploadState::UpToDate,
            _ => UploadState::Sending,
        };
        uploader.publish(state, None, counts);
        uploader
    }

    /// The upload's status, updated after every step.
    pub fn status(&self) -> watch::Receiver<UploadStatus> {
        self.status.subscribe()
    }

    /// Sends one batch (when any entry waits) and says what to do next.
    /// `now` (unix seconds) is recorded as the time of an acknowledgement.
    pub async fn step(&mut self, now: i64) -> Next {
        let limit = self.schedule.batch_entries.max(1);
        let batch = match self
            .blocking(move |store| store.audit_outbox_batch(limit))
            .await
        {
            Ok(batch) => batch,
            Err(code) => return self.retry(code, None).await,
        };
        let batch = fit(batch, self.batch_bytes);
        let Some(last) = batch.last().map(|entry| entry.seq) else {
            self.backoff.reset();
            self.refresh(UploadState::UpToDate, None).await;
            return Next::UpToDate;
        };
        match self.sink.upload(&batch).await {
            Ok(ack) if ack.new + ack.duplicates == batch.len() => {
                // Only now, after the broker has every entry of the batch.
                if let Err(code) = self
                    .blocking(move |store| store.audit_outbox_acknowledge(last, now))
                    .await
                {
                    return self.retry(code, None).await;
                }
                self.backoff.reset();
                tracing::debug!(
                    entries = batch.len(),
                    through = last,
                    new = ack.new,
                    duplicates = ack.duplicates,
                    "audit batch acknowledged by the fleet broker"
                );
                let counts = self.blocking(|store| store.audit_outbox_state()).await.ok();
                if counts.is_some_and(|counts| counts.pending == 0) {
                    self.publish(UploadState::UpToDate, None, counts);
                    Next::UpToDate
                } else {
                    self.publish(UploadState::Sending, None, counts);
                    Next::SendMore
                }
            }
            Ok(ack) => {
                tracing::warn!(
                    entries = batch.len(),
                    new = ack.new,
                    duplicates = ack.duplicates,
                    "the fleet broker acknowledged part of an audit batch"
                );
                self.retry("FLEET_AUDIT_ACK_INCOMPLETE".into(), None).await
            }
            Err(SinkError::TooLarge) if batch.len() > 1 => {
                self.batch_bytes = (json_len(&batch) / 2).max(1);
                tracing::info!(
                    entries = batch.len(),
                    bytes = self.batch_bytes,
                    "audit batch too large for the fleet broker; sending smaller ones"
                );
                Next::SendMore
            }
            Err(SinkError::Unavailable { code, retry_after }) => {
                self.retry(code, retry_after).await
            }
            Err(
                error @ (SinkError::DeviceRefused { .. }
                | SinkError::Rejected { .. }
                | SinkError::TooLarge),
            ) => {
                let wait = self.schedule.refused_retry;
                tracing::warn!(
                    code = error.code(),
                    wait_secs = wait.as_secs(),
                    "the fleet broker refuses the audit upload; entries stay on this machine"
                );
                self.refresh(UploadState::Stopped, Some(error.code().to_owned()))
                    .await;
                Next::Stopped(wait)
            }
        }
    }

    /// Uploads for as long as the task runs: the app spawns it in fleet
    /// mode and aborts it (or drops the runtime) when it quits. Entries
    /// written by this process wake it; see [`UploadSchedule`] for the rest.
    pub async fn run(mut self) {
        let store = self.store.clone();
        loop {
            let now = OffsetDateTime::now_utc().unix_timestamp();
            match self.step(now).await {
                Next::SendMore => tokio::task::yield_now().await,
                Next::UpToDate => {
                    tokio::select! {
                        _ = store.audit_written().notified() => {}
                        _ = tokio::time::sleep(self.schedule.idle_check) => {}
                    }
                }
                Next::RetryAfter(wait) | Next::Stopped(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    async fn retry(&mut self, code: String, retry_after: Option<Duration>) -> Next {
        let mut wait = self.backoff.next_wait(rand::random::<f64>());
        if let Some(asked) = retry_after {
            wait = wait.max(asked.min(self.schedule.longest_retry_after));
        }
        let was = self.status.borrow().state;
        if was == UploadState::Retrying {
            tracing::debug!(
                code,
                wait_ms = wait.as_millis() as u64,
                "audit upload failed again"
            );
        } else {
            tracing::warn!(
                code,
                wait_ms = wait.as_millis() as u64,
                "audit upload failed; trying again later"
            );
        }
        self.refresh(UploadState::Retrying, Some(code)).await;
        Next::RetryAfter(wait)
    }

    /// Publishes the status with the store's numbers.
    async fn refresh(&self, state: UploadState, error_code: Option<String>) {
        let counts = self.blocking(|store| store.audit_outbox_state()).await.ok();
        self.publish(state, error_code, counts);
    }

    /// Publishes the status; without `counts` (the store failed) the last
    /// numbers stay.
    fn publish(
        &self,
        state: UploadState,
        error_code: Option<String>,
        counts: Option<AuditOutboxState>,
    ) {
        self.status.send_modify(|status| {
            status.state = state;
            status.last_error_code = error_code;
            if let Some(counts) = counts {
                status.pending = counts.pending;
                status.sent_through = counts.sent_through;
                status.last_success_at = counts.acknowledged_at;
            }
        });
    }

    /// Runs a store call off the async threads (SQLite may wait for another
    /// process's lock); an error comes back as its code.
    async fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, String> {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || call(&store)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                tracing::warn!(code = error.code(), %error, "audit upload: the local database failed");
                Err(error.code().to_owned())
            }
            Err(_) => Err("FLEET_AUDIT_INTERNAL".to_owned()),
        }
    }
}

/// The entries of `batch` that fit in `max_bytes` as JSON, oldest first,
/// and at least the first.
fn fit(mut batch: Vec<OutgoingAuditEntry>, max_bytes: usize) -> Vec<OutgoingAuditEntry> {
    let mut used = 0;
    let keep = batch
        .iter()
        .take_while(|entry| {
            used += json_len(std::slice::from_ref(*entry));
            used <= max_bytes
        })
        .count();
    batch.truncate(keep.max(1));
    batch
}

fn json_len(entries: &[OutgoingAuditEntry]) -> usize {
    serde_json::to_vec(entries).map_or(0, |bytes| bytes.len())
}

#[cfg(test)]
mod tests;
