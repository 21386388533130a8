//! The whole fleet's enrollments, for a desk of a reader group: the fleet's
//! audit trail (`GET /v1/audit`) read page by page and folded into one row
//! per enrollment per device. The trail holds no names, phone numbers or
//! e-mail addresses, and neither do the rows: only the store, the device,
//! when it started, its last step and the error code.

use fleet_client::wire::{AuditPage, AuditRecord};
use fleet_client::{AuditFilter, FleetError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use uuid::Uuid;

/// Entries asked for in one page.
pub const FLEET_PAGE_ENTRIES: u32 = 500;
/// Pages read for one view: at most 10,000 entries. The broker lists the
/// trail by device, then by each device's order, so stopping at some number
/// of rows would leave whole devices out rather than old enrollments; past
/// this bound the view says it is incomplete and asks for a store or device.
pub const FLEET_MAX_PAGES: usize = 20;

/// What staff chose: a store (device group) and a device, each optional,
/// and the page's offset from UTC for the dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetFilter {
    #[serde(default)]
    pub store: Option<String>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

impl FleetFilter {
    /// The broker's filter for the first page; blank choices mean "all".
    pub fn broker_filter(&self) -> AuditFilter {
        let chosen = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        AuditFilter {
            group: chosen(&self.store),
            device: chosen(&self.device),
            after: None,
            limit: FLEET_PAGE_ENTRIES,
        }
    }
}

/// Where an enrollment got to, as its device's trail tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FleetStatus {
    Linked,
    /// Refused, with the error code (a link, or the code step).
    Failed,
    /// The link may or may not have gone through: staff check it.
    Unconfirmed,
    Cancelled,
    /// Not finished, and the device's session was reset after its last
    /// step (idle, "Start over", staff): the customer left.
    Abandoned,
    /// Not finished, and nothing after it on the device says it ended.
    Unfinished,
}

/// One enrollment of one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetRow {
    pub device_id: Uuid,
    /// The enrollment id (the trail's correlation id).
    pub enrollment: String,
    /// The device's group.
    pub store: String,
    pub device: String,
    /// `kiosk` or `desk`, as the device wrote it.
    pub mode: Option<String>,
    /// Unix seconds of its first entry.
    pub started_at: i64,
    /// Filled by the command, in the screen's language and time zone.
    pub started_at_text: String,
    /// Unix seconds of its last entry.
    pub last_at: i64,
    /// The kind of its last entry (`code_sent`, `link_succeeded`, …).
    pub last_step: String,
    pub status: FleetStatus,
    pub error_code: Option<String>,
}

/// A device seen in the trail, for the filters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetDevice {
    pub name: String,
    pub store: String,
}

/// What the fleet view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetListing {
    /// Newest first.
    pub rows: Vec<FleetRow>,
    /// The stores and devices the answer named, sorted.
    pub stores: Vec<String>,
    pub devices: Vec<FleetDevice>,
    pub entries_read: usize,
    /// False when the page bound stopped the reading before the end.
    pub complete: bool,
    /// The bound, for the message that says so.
    pub max_entries: usize,
}

struct Enrollment {
    row: FleetRow,
    first_seq: u64,
    last_seq: u64,
}

/// Folds audit entries, in any order, into enrollments.
#[derive(Default)]
pub struct FleetFold {
    enrollments: HashMap<(Uuid, String), Enrollment>,
    /// The last session reset of each device, by its `seq`.
    last_reset: HashMap<Uuid, u64>,
    devices: BTreeSet<FleetDevice>,
    entries: usize,
}

const RESETS: &[&str] = &["reset_by_idle", "reset_by_customer", "reset_by_staff"];

fn text_of(detail: &serde_json::Value, field: &str) -> Option<String> {
    detail
        .get(field)
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl FleetFold {
    pub fn add(&mut self, record: &AuditRecord) {
        self.entries += 1;
        self.devices.insert(FleetDevice {
            name: record.device.clone(),
            store: record.group.clone(),
        });
        if RESETS.contains(&record.kind.as_str()) {
            let last = self.last_reset.entry(record.device_id).or_default();
            *last = (*last).max(record.seq);
            return;
        }
        // Only an enrollment's entries carry its id.
        let Some(enrollment) = text_of(&record.detail, "correlation_id") else {
            return;
        };
        let at = record.at.unix_timestamp();
        let error_code = text_of(&record.detail, "error_code");
        let entry = self
            .enrollments
            .entry((record.device_id, enrollment.clone()))
            .or_insert_with(|| Enrollment {
                row: FleetRow {
                    device_id: record.device_id,
                    enrollment,
                    store: record.group.clone(),
                    device: record.device.clone(),
                    mode: text_of(&record.detail, "mode"),
                    started_at: at,
                    started_at_text: String::new(),
                    last_at: at,
                    last_step: record.kind.clone(),
                    status: FleetStatus::Unfinished,
                    error_code: error_code.clone(),
                },
                first_seq: record.seq,
                last_seq: record.seq,
            });
        if record.seq < entry.first_seq {
            entry.first_seq = record.seq;
            entry.row.started_at = at;
            if let Some(mode) = text_of(&record.detail, "mode") {
                entry.row.mode = Some(mode);
            }
        }
        if record.seq >= entry.last_seq {
            entry.last_seq = record.seq;
            entry.row.last_at = at;
            entry.row.last_step = record.kind.clone();
            entry.row.error_code = error_code;
        }
    }

    /// The rows, newest first.
    pub fn rows(&self) -> Vec<FleetRow> {
        let mut rows: Vec<FleetRow> = self
            .enrollments
            .values()
            .map(|e| {
                let mut row = e.row.clone();
                row.status = match row.last_step.as_str() {
                    "link_succeeded" => FleetStatus::Linked,
                    "link_failed" | "code_failed" => FleetStatus::Failed,
                    "link_unconfirmed" => FleetStatus::Unconfirmed,
                    "enrollment_cancelled" => FleetStatus::Cancelled,
                    _ if self
                        .last_reset
                        .get(&row.device_id)
                        .is_some_and(|reset| *reset > e.last_seq) =>
                    {
                        FleetStatus::Abandoned
                    }
                    _ => FleetStatus::Unfinished,
                };
                row
            })
            .collect();
        rows.sort_by(|a, b| {
            (b.started_at, b.last_at, &a.device, &a.enrollment).cmp(&(
                a.started_at,
                a.last_at,
                &b.device,
                &b.enrollment,
            ))
        });
        rows
    }

    pub fn listing(&self, complete: bool) -> FleetListing {
        let stores: BTreeSet<String> = self.devices.iter().map(|d| d.store.clone()).collect();
        FleetListing {
            rows: self.rows(),
            stores: stores.into_iter().collect(),
            devices: self.devices.iter().cloned().collect(),
            entries_read: self.entries,
            complete,
            max_entries: FLEET_MAX_PAGES * FLEET_PAGE_ENTRIES as usize,
        }
    }
}

/// Reads the trail through `fetch` (one broker page per call), following
/// the broker's cursor for at most [`FLEET_MAX_PAGES`] pages, and folds it.
pub async fn read_fleet<F, Fut>(
    filter: &FleetFilter,
    mut fetch: F,
) -> Result<FleetListing, FleetError>
where
    F: FnMut(AuditFilter) -> Fut,
    Fut: Future<Output = Result<AuditPage, FleetError>>,
{
    let mut fold = FleetFold::default();
    let mut query = filter.broker_filter();
    for _ in 0..FLEET_MAX_PAGES {
        let page = fetch(query.clone()).await?;
        for record in &page.entries {
            fold.add(record);
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(fold.listing(true)),
        }
    }
    Ok(fold.listing(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::OffsetDateTime;

    const KIOSK: Uuid = Uuid::from_u128(1);
    const DESK: Uuid = Uuid::from_u128(2);

    fn entry(
        device: Uuid,
        seq: u64,
        minute: i64,
        kind: &str,
        detail: serde_json::Value,
    ) -> AuditRecord {
        let (name, group) = if device == KIOSK {
            ("kiosk-1", "store-12")
        } else {
            ("desk-1", "office")
        };
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000 + minute * 60).unwrap();
        AuditRecord {
            device_id: device,
            device: name.into(),
            group: group.into(),
            id: Uuid::new_v4(),
            seq,
            at,
            kind: kind.into(),
            detail,
            received_at: at,
        }
    }

    fn step(device: Uuid, seq: u64, minute: i64, kind: &str, enrollment: &str) -> AuditRecord {
        entry(
            device,
            seq,
            minute,
            kind,
            json!({"mode": if device == KIOSK { "kiosk" } else { "desk" }, "actor": null,
                   "text": "details accepted", "error_code": null, "correlation_id": enrollment}),
        )
    }

    fn failed(
        device: Uuid,
        seq: u64,
        minute: i64,
        kind: &str,
        enrollment: &str,
        code: &str,
    ) -> AuditRecord {
        entry(
            device,
            seq,
            minute,
            kind,
            json!({"mode": "kiosk", "text": "refused", "error_code": code, "correlation_id": enrollment}),
        )
    }

    fn reset(device: Uuid, seq: u64, minute: i64) -> AuditRecord {
        entry(
            device,
            seq,
            minute,
            "reset_by_idle",
            json!({"mode": "kiosk", "text": "session reset", "error_code": null, "correlation_id": null}),
        )
    }

    fn fold(records: &[AuditRecord]) -> Vec<FleetRow> {
        let mut fold = FleetFold::default();
        for r in records {
            fold.add(r);
        }
        fold.rows()
    }

    fn summary(rows: &[FleetRow]) -> Vec<(&str, &str, FleetStatus, Option<&str>, &str)> {
        rows.iter()
            .map(|r| {
                (
                    r.device.as_str(),
                    r.enrollment.as_str(),
                    r.status,
                    r.error_code.as_deref(),
                    r.last_step.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn one_row_per_enrollment_per_device_newest_first_with_its_outcome() {
        let rows = fold(&[
            step(KIOSK, 1, 0, "enrollment_started", "a"),
            step(KIOSK, 2, 1, "code_sent", "a"),
            step(KIOSK, 3, 2, "code_confirmed", "a"),
            step(KIOSK, 4, 3, "widget_opened", "a"),
            step(KIOSK, 5, 4, "link_succeeded", "a"),
            step(KIOSK, 6, 10, "enrollment_started", "b"),
            failed(KIOSK, 7, 11, "link_failed", "b", "AP401"),
            step(KIOSK, 8, 20, "enrollment_started", "c"),
            failed(
                KIOSK,
                9,
                21,
                "link_unconfirmed",
                "c",
                "LINK_OUTCOME_UNKNOWN",
            ),
            step(DESK, 1, 5, "enrollment_started", "d"),
            step(DESK, 2, 6, "enrollment_cancelled", "d"),
            step(DESK, 3, 30, "enrollment_started", "e"),
            failed(DESK, 4, 31, "code_failed", "e", "AP112"),
        ]);
        assert_eq!(
            summary(&rows),
            vec![
                (
                    "desk-1",
                    "e",
                    FleetStatus::Failed,
                    Some("AP112"),
                    "code_failed"
                ),
                (
                    "kiosk-1",
                    "c",
                    FleetStatus::Unconfirmed,
                    Some("LINK_OUTCOME_UNKNOWN"),
                    "link_unconfirmed"
                ),
                (
                    "kiosk-1",
                    "b",
                    FleetStatus::Failed,
                    Some("AP401"),
                    "link_failed"
                ),
                (
                    "desk-1",
                    "d",
                    FleetStatus::Cancelled,
                    None,
                    "enrollment_cancelled"
                ),
                ("kiosk-1", "a", FleetStatus::Linked, None, "link_succeeded"),
            ]
        );
        let a = rows.last().unwrap();
        assert_eq!(
            (a.store.as_str(), a.mode.as_deref()),
            ("store-12", Some("kiosk"))
        );
        assert_eq!(a.started_at, 1_800_000_000);
        assert_eq!(a.last_at, 1_800_000_000 + 4 * 60);
    }

    #[test]
    fn an_unfinished_enrollment_followed_by_a_reset_was_abandoned() {
        let rows = fold(&[
            step(KIOSK, 1, 0, "enrollment_started", "left"),
            step(KIOSK, 2, 1, "code_sent", "left"),
            reset(KIOSK, 3, 3),
            step(KIOSK, 4, 5, "enrollment_started", "here"),
            step(KIOSK, 5, 6, "widget_opened", "here"),
            // Another device's reset says nothing about this one's.
            reset(DESK, 9, 7),
        ]);
        assert_eq!(
            summary(&rows),
            vec![
                (
                    "kiosk-1",
                    "here",
                    FleetStatus::Unfinished,
                    None,
                    "widget_opened"
                ),
                ("kiosk-1", "left", FleetStatus::Abandoned, None, "code_sent"),
            ]
        );
    }

    #[test]
    fn entries_in_any_order_fold_the_same_and_a_resumed_enrollment_keeps_its_start() {
        let mut records = vec![
            step(DESK, 1, 0, "enrollment_started", "x"),
            step(DESK, 2, 1, "code_sent", "x"),
            // Resumed from the list an hour later: the same id.
            step(DESK, 3, 60, "enrollment_started", "x"),
            step(DESK, 4, 61, "link_succeeded", "x"),
        ];
        let in_order = fold(&records);
        records.reverse();
        assert_eq!(fold(&records), in_order);
        assert_eq!(in_order.len(), 1);
        assert_eq!(in_order[0].started_at, 1_800_000_000);
        assert_eq!(in_order[0].status, FleetStatus::Linked);
    }

    #[test]
    fn entries_of_no_enrollment_make_no_row_and_the_same_id_on_two_devices_two() {
        let rows = fold(&[
            entry(
                KIOSK,
                1,
                0,
                "pin_failed",
                json!({"mode": "kiosk", "correlation_id": null}),
            ),
            entry(KIOSK, 2, 0, "settings_changed", json!({"mode": "kiosk"})),
            entry(KIOSK, 3, 0, "code_sent", json!("not an object")),
            step(KIOSK, 4, 1, "enrollment_started", "same"),
            step(DESK, 1, 2, "enrollment_started", "same"),
        ]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].device, "desk-1");
        assert_eq!(rows[1].device, "kiosk-1");
    }

    #[test]
    fn rows_carry_only_what_the_trail_holds_and_never_its_text() {
        let rows = fold(&[entry(
            KIOSK,
            1,
            0,
            "link_succeeded",
            json!({"mode": "kiosk", "text": "Aerobank account ending 1234 for a•••@e•••.com",
                   "correlation_id": "z"}),
        )]);
        let shown = serde_json::to_string(&rows).unwrap();
        assert!(!shown.contains("Aerobank"), "{shown}");
        assert!(!shown.contains("1234"), "{shown}");
        assert!(!shown.contains('@'), "{shown}");
    }

    fn page(records: Vec<AuditRecord>, next: Option<&str>) -> AuditPage {
        AuditPage {
            entries: records,
            next: next.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn pages_are_followed_by_their_cursor_and_an_enrollment_across_two_folds_once() {
        let filter = FleetFilter {
            store: Some(" store-12 ".into()),
            device: Some("".into()),
            utc_offset_minutes: 0,
        };
        let mut asked = Vec::new();
        let listing = read_fleet(&filter, |query: AuditFilter| {
            asked.push(query.clone());
            let answer = match query.after.as_deref() {
                None => page(
                    vec![step(KIOSK, 1, 0, "enrollment_started", "a")],
                    Some("c1"),
                ),
                Some("c1") => page(vec![step(KIOSK, 2, 1, "link_succeeded", "a")], None),
                other => panic!("unexpected cursor {other:?}"),
            };
            async move { Ok(answer) }
        })
        .await
        .unwrap();
        assert_eq!(asked.len(), 2);
        assert_eq!(asked[0].group.as_deref(), Some("store-12"));
        assert_eq!(asked[0].device, None);
        assert_eq!(asked[0].limit, FLEET_PAGE_ENTRIES);
        assert_eq!(asked[1].after.as_deref(), Some("c1"));
        assert!(listing.complete);
        assert_eq!(listing.entries_read, 2);
        assert_eq!(listing.rows.len(), 1);
        assert_eq!(listing.rows[0].status, FleetStatus::Linked);
        assert_eq!(listing.stores, vec!["store-12".to_string()]);
        assert_eq!(
            listing.devices,
            vec![FleetDevice {
                name: "kiosk-1".into(),
                store: "store-12".into()
            }]
        );
    }

    #[tokio::test]
    async fn reading_stops_at_the_page_bound_and_says_it_is_incomplete() {
        let mut calls = 0u64;
        let listing = read_fleet(&FleetFilter::default(), |_query: AuditFilter| {
            calls += 1;
            let answer = page(
                vec![step(
                    KIOSK,
                    calls,
                    calls as i64,
                    "enrollment_started",
                    &format!("e{calls}"),
                )],
                Some("more"),
            );
            async move { Ok(answer) }
        })
        .await
        .unwrap();
        assert_eq!(calls, FLEET_MAX_PAGES as u64);
        assert!(!listing.complete);
        assert_eq!(listing.max_entries, 10_000);
        assert_eq!(listing.rows.len(), FLEET_MAX_PAGES);
    }

    #[tokio::test]
    async fn a_refusal_is_passed_on_with_its_code() {
        let err = read_fleet(&FleetFilter::default(), |_query: AuditFilter| async {
            Err(FleetError::Broker {
                status: 403,
                body: fleet_client::wire::ErrorBody {
                    code: fleet_client::AUDIT_FORBIDDEN.into(),
                    message: fleet_client::messages::AUDIT_FORBIDDEN.into(),
                    retry: false,
                },
            })
        })
        .await
        .unwrap_err();
        assert_eq!(err.code(), "BROKER_AUDIT_FORBIDDEN");
    }
}
