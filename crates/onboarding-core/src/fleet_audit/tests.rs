use super::*;
use crate::store::{AuditAction, AuditEntry, AuditMode};
use std::collections::VecDeque;
use std::sync::Mutex;

/// A sink in memory: answers from a script (then full acknowledgements),
/// and keeps every batch it was sent.
#[derive(Default)]
struct ScriptedSink {
    answers: Mutex<VecDeque<Result<Option<Ack>, SinkError>>>,
    batches: Mutex<Vec<Vec<u64>>>,
}

impl ScriptedSink {
    fn answering(answers: impl IntoIterator<Item = Result<Option<Ack>, SinkError>>) -> Self {
        Self {
            answers: Mutex::new(answers.into_iter().collect()),
            ..Self::default()
        }
    }

    fn batches(&self) -> Vec<Vec<u64>> {
        self.batches.lock().unwrap().clone()
    }
}

impl AuditSink for Arc<ScriptedSink> {
    fn upload(
        &self,
        batch: &[OutgoingAuditEntry],
    ) -> impl Future<Output = Result<Ack, SinkError>> + Send {
        self.batches
            .lock()
            .unwrap()
            .push(batch.iter().map(|entry| entry.seq).collect());
        let answer = self.answers.lock().unwrap().pop_front();
        let full = Ack {
            new: batch.len(),
            duplicates: 0,
        };
        async move {
            match answer {
                None | Some(Ok(None)) => Ok(full),
                Some(Ok(Some(ack))) => Ok(ack),
                Some(Err(error)) => Err(error),
            }
        }
    }
}

fn write(store: &Store, count: usize, detail: &str) {
    for n in 0..count {
        store
            .audit(&AuditEntry {
                at: 1_000 + n as i64,
                mode: AuditMode::Kiosk,
                staff: None,
                action: AuditAction::CodeSent,
                detail: detail.into(),
                error_code: None,
                correlation_id: None,
            })
            .unwrap();
    }
}

fn uploader(store: &Arc<Store>, sink: &Arc<ScriptedSink>) -> AuditUploader<Arc<ScriptedSink>> {
    AuditUploader::new(store.clone(), sink.clone(), UploadSchedule::default())
}

fn unavailable(retry_after: Option<Duration>) -> Result<Option<Ack>, SinkError> {
    Err(SinkError::Unavailable {
        code: "FLEET_UNREACHABLE".into(),
        retry_after,
    })
}

#[tokio::test]
async fn batches_go_oldest_first_and_the_mark_moves_on_full_acknowledgements() {
    let store = Arc::new(Store::in_memory().unwrap());
    write(&store, 450, "sent");
    let sink = Arc::new(ScriptedSink::default());
    let mut uploader = uploader(&store, &sink);
    assert_eq!(
        (
            uploader.status().borrow().state,
            uploader.status().borrow().pending
        ),
        (UploadState::Sending, 450)
    );
    assert_eq!(uploader.step(50).await, Next::SendMore);
    assert_eq!(uploader.step(51).await, Next::SendMore);
    assert_eq!(uploader.step(52).await, Next::UpToDate);
    let sent: Vec<u64> = sink.batches().concat();
    assert_eq!(sent, (1..=450).collect::<Vec<_>>());
    assert_eq!(
        sink.batches().iter().map(Vec::len).collect::<Vec<_>>(),
        [200, 200, 50]
    );
    assert_eq!(
        *uploader.status().borrow(),
        UploadStatus {
            state: UploadState::UpToDate,
            pending: 0,
            sent_through: 450,
            last_success_at: Some(52),
            last_error_code: None,
        }
    );
    assert_eq!(uploader.step(53).await, Next::UpToDate);
    assert_eq!(sink.batches().len(), 3, "nothing to send, nothing sent");
}

#[tokio::test]
async fn a_partial_acknowledgement_or_a_failure_leaves_the_mark() {
    let store = Arc::new(Store::in_memory().unwrap());
    write(&store, 3, "sent");
    let sink = Arc::new(ScriptedSink::answering([
        Ok(Some(Ack {
            new: 2,
            duplicates: 0,
        })),
        unavailable(None),
    ]));
    let mut uploader = uploader(&store, &sink);
    assert!(matches!(uploader.step(1).await, Next::RetryAfter(_)));
    assert_eq!(
        uploader.status().borrow().last_error_code.as_deref(),
        Some("FLEET_AUDIT_ACK_INCOMPLETE")
    );
    assert!(matches!(uploader.step(2).await, Next::RetryAfter(_)));
    assert_eq!(store.audit_outbox_state().unwrap().sent_through, 0);
    assert_eq!(uploader.step(3).await, Next::UpToDate);
    assert_eq!(
        sink.batches(),
        vec![vec![1, 2, 3]; 3],
        "the same batch each time"
    );
}

#[tokio::test]
async fn failures_back_off_to_the_cap_honour_retry_after_and_reset_on_success() {
    let store = Arc::new(Store::in_memory().unwrap());
    write(&store, 1, "sent");
    let mut answers: Vec<_> = (0..12).map(|_| unavailable(None)).collect();
    answers.push(unavailable(Some(Duration::from_secs(1200))));
    answers.push(unavailable(Some(Duration::from_secs(86_400))));
    answers.push(Ok(None));
    let sink = Arc::new(ScriptedSink::answering(answers));
    let mut uploader = uploader(&store, &sink);
    let mut waits = Vec::new();
    for now in 0..14 {
        match uploader.step(now).await {
            Next::RetryAfter(wait) => waits.push(wait),
            other => panic!("expected a retry, got {other:?}"),
        }
    }
    assert_eq!(uploader.status().borrow().state, UploadState::Retrying);
    // The n-th wait is 50 to 100 % of 1 s · 2ⁿ, at most 5 minutes.
    for (n, wait) in waits[..12].iter().enumerate() {
        let full = Duration::from_secs(1 << n).min(Duration::from_secs(300));
        assert!(*wait >= full / 2 && *wait <= full, "wait {n}: {wait:?}");
    }
    assert_eq!(waits[12], Duration::from_secs(1200), "Retry-After wins");
    assert_eq!(waits[13], Duration::from_secs(3600), "up to an hour");
    assert_eq!(uploader.step(20).await, Next::UpToDate);
    // After a success the next failure waits the first wait again.
    write(&store, 1, "later");
    sink.answers.lock().unwrap().push_back(unavailable(None));
    match uploader.step(21).await {
        Next::RetryAfter(wait) => assert!(wait <= Duration::from_secs(1), "{wait:?}"),
        other => panic!("expected a retry, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_device_stops_with_its_code_and_keeps_the_entries() {
    let store = Arc::new(Store::in_memory().unwrap());
    write(&store, 5, "sent");
    let refused = || {
        Err(SinkError::DeviceRefused {
            code: "BROKER_DEVICE_REVOKED".into(),
        })
    };
    let sink = Arc::new(ScriptedSink::answering([refused(), refused()]));
    let mut uploader = uploader(&store, &sink);
    for now in 0..2 {
        assert_eq!(
            uploader.step(now).await,
            Next::Stopped(Duration::from_secs(3600))
        );
    }
    let status = uploader.status().borrow().clone();
    assert_eq!(status.state, UploadState::Stopped);
    assert_eq!(status.pending, 5);
    assert_eq!(
        status.last_error_code.as_deref(),
        Some("BROKER_DEVICE_REVOKED")
    );
    assert_eq!(store.audit_outbox_state().unwrap().sent_through, 0);
    // Enabled again: the next try sends everything.
    assert_eq!(uploader.step(9).await, Next::UpToDate);
    assert_eq!(store.audit_outbox_state().unwrap().pending, 0);
}

#[tokio::test]
async fn batches_stay_within_the_byte_budget_and_shrink_when_too_large() {
    let store = Arc::new(Store::in_memory().unwrap());
    // Details near the longest kept (1000 characters).
    write(&store, 100, &"x".repeat(1000));
    let sink = Arc::new(ScriptedSink::answering([Err(SinkError::TooLarge)]));
    let mut uploader = uploader(&store, &sink);
    assert_eq!(uploader.step(1).await, Next::SendMore);
    let first = sink.batches()[0].len();
    assert!(first > 1 && first < 100, "{first} entries in 48 KiB");
    // Refused as too large: the same entries again, in smaller batches.
    while uploader.step(2).await == Next::SendMore {}
    let batches = sink.batches();
    assert_eq!(batches[1][0], 1);
    assert!(batches[1].len() <= first / 2 + 1, "{:?}", batches[1].len());
    assert_eq!(batches[1..].concat(), (1..=100).collect::<Vec<_>>());
    assert_eq!(store.audit_outbox_state().unwrap().pending, 0);
}

#[tokio::test]
async fn a_single_entry_too_large_stops_the_upload() {
    let store = Arc::new(Store::in_memory().unwrap());
    write(&store, 1, "sent");
    let sink = Arc::new(ScriptedSink::answering([Err(SinkError::TooLarge)]));
    let mut uploader = uploader(&store, &sink);
    assert!(matches!(uploader.step(1).await, Next::Stopped(_)));
    assert_eq!(
        uploader.status().borrow().last_error_code.as_deref(),
        Some("FLEET_AUDIT_BATCH_TOO_LARGE")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_upload_wakes_when_an_entry_is_written() {
    let store = Arc::new(Store::in_memory().unwrap());
    let sink = Arc::new(ScriptedSink::default());
    let schedule = UploadSchedule {
        // Only the store's notice can wake it within the test.
        idle_check: Duration::from_secs(24 * 60 * 60),
        ..UploadSchedule::default()
    };
    let uploader = AuditUploader::new(store.clone(), sink.clone(), schedule);
    let mut status = uploader.status();
    assert_eq!(
        status.borrow().state,
        UploadState::UpToDate,
        "nothing to send"
    );
    let task = tokio::spawn(uploader.run());
    status
        .wait_for(|s| s.state == UploadState::UpToDate)
        .await
        .unwrap();
    write(&store, 3, "sent");
    // A guard against hanging, not a timing assertion.
    tokio::time::timeout(
        Duration::from_secs(60),
        status.wait_for(|s| s.sent_through == 3 && s.state == UploadState::UpToDate),
    )
    .await
    .expect("the written entries are sent without waiting for the idle check")
    .unwrap();
    task.abort();
    assert_eq!(sink.batches().concat(), [1, 2, 3]);
}
