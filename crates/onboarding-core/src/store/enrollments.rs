use super::{Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// Where an enrollment stands, as the list of enrollments shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Started,
    WaitingForCode,
    Linking,
    /// The widget reported success; the links are written down and being
    /// made (or, after a crash, waiting to be settled).
    Finishing,
    /// The bank window was closed before an account was linked.
    WidgetClosed,
    Linked,
    /// The link's outcome could not be confirmed (no usable answer, and the
    /// account list could not settle it): staff check before linking again.
    NeedsReview,
    Failed,
    Cancelled,
}

impl EnrollmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentStatus::Started => "started",
            EnrollmentStatus::WaitingForCode => "waiting_for_code",
            EnrollmentStatus::Linking => "linking",
            EnrollmentStatus::Finishing => "finishing",
            EnrollmentStatus::WidgetClosed => "widget_closed",
            EnrollmentStatus::Linked => "linked",
            EnrollmentStatus::NeedsReview => "needs_review",
            EnrollmentStatus::Failed => "failed",
            EnrollmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "started" => EnrollmentStatus::Started,
            "waiting_for_code" => EnrollmentStatus::WaitingForCode,
            "linking" => EnrollmentStatus::Linking,
            "finishing" => EnrollmentStatus::Finishing,
            "widget_closed" => EnrollmentStatus::WidgetClosed,
            "linked" => EnrollmentStatus::Linked,
            "needs_review" => EnrollmentStatus::NeedsReview,
            "failed" => EnrollmentStatus::Failed,
            "cancelled" => EnrollmentStatus::Cancelled,
            other => {
                return Err(StoreError::Unreadable(format!(
                    "enrollment status {other:?}"
                )))
            }
        })
    }
}

/// One enrollment as kept on this machine: no secrets, no full phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentRecord {
    /// Also the correlation id in logs.
    pub id: String,
    pub environment: String,
    pub mode: String,
    pub started_at: i64,
    pub updated_at: i64,
    pub first_name: String,
    pub last_initial: String,
    pub phone_masked: String,
    #[serde(skip)]
    pub phone_hash: String,
    pub user_id: Option<String>,
    pub status: EnrollmentStatus,
    pub error_code: Option<String>,
    pub bank_name: Option<String>,
    pub account_last4: Option<String>,
    pub account_type: Option<String>,
}

impl EnrollmentRecord {
    /// First name and last initial, as staff see the customer: "Ada L.".
    pub fn customer_label(&self) -> String {
        match self.last_initial.trim() {
            "" => self.first_name.clone(),
            initial => format!("{} {initial}.", self.first_name),
        }
    }
}

const COLUMNS: &str = "id, environment, mode, started_at, updated_at, first_name, last_initial,
    phone_masked, phone_hash, user_id, status, error_code, bank_name, account_last4, account_type";

/// The same columns, from the `enrollments` table aliased `e`.
const QUALIFIED: &str = "e.id, e.environment, e.mode, e.started_at, e.updated_at, e.first_name,
    e.last_initial, e.phone_masked, e.phone_hash, e.user_id, e.status, e.error_code, e.bank_name,
    e.account_last4, e.account_type";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(EnrollmentRecord, String)> {
    let status: String = row.get(10)?;
    Ok((
        EnrollmentRecord {
            id: row.get(0)?,
            environment: row.get(1)?,
            mode: row.get(2)?,
            started_at: row.get(3)?,
            updated_at: row.get(4)?,
            first_name: row.get(5)?,
            last_initial: row.get(6)?,
            phone_masked: row.get(7)?,
            phone_hash: row.get(8)?,
            user_id: row.get(9)?,
            status: EnrollmentStatus::Started,
            error_code: row.get(11)?,
            bank_name: row.get(12)?,
            account_last4: row.get(13)?,
            account_type: row.get(14)?,
        },
        status,
    ))
}

fn with_status(
    (mut record, status): (EnrollmentRecord, String),
) -> Result<EnrollmentRecord, StoreError> {
    record.status = EnrollmentStatus::parse(&status)?;
    Ok(record)
}

impl Store {
    /// Inserts or replaces the record with this id.
    /// Enrollments in status `finishing`: a link made or about to be made,
    /// not yet settled. An update never installs while there is one.
    pub fn count_finishing(&self) -> Result<usize, StoreError> {
        let count: i64 = self.connection().query_row(
            "SELECT COUNT(*) FROM enrollments WHERE status = ?1",
            params![EnrollmentStatus::Finishing.as_str()],
            |row| row.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    pub fn save_enrollment(&self, record: &EnrollmentRecord) -> Result<(), StoreError> {
        upsert(&self.connection(), record)
    }

    pub fn enrollment(&self, id: &str) -> Result<Option<EnrollmentRecord>, StoreError> {
        let row = self
            .connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM enrollments WHERE id = ?1"),
                params![id],
                from_row,
            )
            .optional()?;
        row.map(with_status).transpose()
    }

    /// Newest first, started within `[from, to)` (unix seconds).
    pub fn enrollments_between(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<EnrollmentRecord>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare(&format!(
            "SELECT {COLUMNS} FROM enrollments WHERE started_at >= ?1 AND started_at < ?2
             ORDER BY started_at DESC, rowid DESC"
        ))?;
        let rows = statement.query_map(params![from, to], from_row)?;
        rows.map(|row| with_status(row?)).collect()
    }

    /// The enrollments of `environment` a desk list shows, newest first
    /// (the limit counts only those), each with whether
    /// the customer has confirmed their code (so may be served again
    /// without `POST /user`).
    pub fn search_enrollments(
        &self,
        environment: &str,
        query: &EnrollmentQuery,
    ) -> Result<Vec<ListedEnrollment>, StoreError> {
        let connection = self.connection();
        let statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
        let statuses = serde_json::to_string(&statuses)
            .map_err(|err| StoreError::Unreadable(err.to_string()))?;
        let pattern = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| format!("%{}%", escape_like(text)));
        let mut statement = connection.prepare(&format!(
            "SELECT {QUALIFIED}, c.confirmed FROM enrollments e
             LEFT JOIN customers c
               ON c.environment = e.environment AND c.phone_hash = e.phone_hash
             WHERE e.environment = ?6 AND e.started_at >= ?1 AND e.started_at < ?2
               AND (?3 = '[]' OR e.status IN (SELECT value FROM json_each(?3)))
               AND (?4 IS NULL
                    OR e.first_name LIKE ?4 ESCAPE '\\'
                    OR (e.first_name || ' ' || e.last_initial) LIKE ?4 ESCAPE '\\'
                    OR e.phone_masked LIKE ?4 ESCAPE '\\'
                    OR coalesce(e.bank_name, '') LIKE ?4 ESCAPE '\\'
                    OR coalesce(e.account_last4, '') LIKE ?4 ESCAPE '\\'
                    OR coalesce(e.error_code, '') LIKE ?4 ESCAPE '\\')
             ORDER BY e.started_at DESC, e.rowid DESC
             LIMIT ?5"
        ))?;
        let rows = statement.query_map(
            params![
                query.from,
                query.to,
                statuses,
                pattern,
                query.limit,
                environment
            ],
            |row| {
                let record = from_row(row)?;
                let confirmed: Option<bool> = row.get(15)?;
                Ok((record, confirmed.unwrap_or(false)))
            },
        )?;
        rows.map(|row| {
            let (record, customer_confirmed) = row?;
            Ok(ListedEnrollment {
                record: with_status(record)?,
                customer_confirmed,
            })
        })
        .collect()
    }

    /// Whether the customer of this record has confirmed their code.
    pub fn customer_confirmed(&self, record: &EnrollmentRecord) -> Result<bool, StoreError> {
        Ok(self
            .find_customer(&record.environment, &record.phone_hash)?
            .is_some_and(|customer| customer.confirmed))
    }
}

/// What the desk list asks for: started within `[from, to)` (unix seconds),
/// any of `statuses` (none: all), and `text` found in the name, masked
/// phone, bank, last four or error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentQuery {
    pub from: i64,
    pub to: i64,
    pub statuses: Vec<EnrollmentStatus>,
    pub text: Option<String>,
    pub limit: u32,
}

/// One row of the desk list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEnrollment {
    pub record: EnrollmentRecord,
    pub customer_confirmed: bool,
}

/// `%` and `_` typed by staff are text, not wildcards.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Inserts or replaces the record with this id, on any connection (also
/// inside a transaction).
pub(super) fn upsert(
    connection: &rusqlite::Connection,
    record: &EnrollmentRecord,
) -> Result<(), StoreError> {
    connection.execute(
        // An upsert, not INSERT OR REPLACE: the row keeps its rowid, so
        // enrollments started in the same second list in the order they
        // began.
        &format!(
            "INSERT INTO enrollments ({COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (id) DO UPDATE SET
                   environment = excluded.environment, mode = excluded.mode,
                   started_at = excluded.started_at, updated_at = excluded.updated_at,
                   first_name = excluded.first_name, last_initial = excluded.last_initial,
                   phone_masked = excluded.phone_masked, phone_hash = excluded.phone_hash,
                   user_id = excluded.user_id, status = excluded.status,
                   error_code = excluded.error_code, bank_name = excluded.bank_name,
                   account_last4 = excluded.account_last4, account_type = excluded.account_type"
        ),
        params![
            record.id,
            record.environment,
            record.mode,
            record.started_at,
            record.updated_at,
            record.first_name,
            record.last_initial,
            record.phone_masked,
            record.phone_hash,
            record.user_id,
            record.status.as_str(),
            record.error_code,
            record.bank_name,
            record.account_last4,
            record.account_type,
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, started_at: i64) -> EnrollmentRecord {
        EnrollmentRecord {
            id: id.into(),
            environment: "simulator".into(),
            mode: "desk".into(),
            started_at,
            updated_at: started_at,
            first_name: "Ada".into(),
            last_initial: "L".into(),
            phone_masked: "•••-•••-••98".into(),
            phone_hash: "h".into(),
            user_id: None,
            status: EnrollmentStatus::Started,
            error_code: None,
            bank_name: None,
            account_last4: None,
            account_type: None,
        }
    }

    #[test]
    fn finishing_enrollments_are_counted_until_they_settle() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.count_finishing().unwrap(), 0);
        let mut a = record("a", 10);
        a.status = EnrollmentStatus::Finishing;
        store.save_enrollment(&a).unwrap();
        store.save_enrollment(&record("b", 20)).unwrap();
        assert_eq!(store.count_finishing().unwrap(), 1);
        a.status = EnrollmentStatus::Linked;
        store.save_enrollment(&a).unwrap();
        assert_eq!(store.count_finishing().unwrap(), 0);
    }

    #[test]
    fn saves_updates_and_lists_newest_first() {
        let store = Store::in_memory().unwrap();
        store.save_enrollment(&record("a", 10)).unwrap();
        store.save_enrollment(&record("b", 20)).unwrap();
        let mut linked = record("a", 10);
        linked.status = EnrollmentStatus::Linked;
        linked.bank_name = Some("Aerobank".into());
        linked.account_last4 = Some("1329".into());
        store.save_enrollment(&linked).unwrap();

        assert_eq!(store.enrollment("a").unwrap(), Some(linked.clone()));
        let listed = store.enrollments_between(0, 100).unwrap();
        assert_eq!(
            listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(store.enrollments_between(15, 100).unwrap().len(), 1);
    }

    #[test]
    fn enrollments_of_the_same_second_list_newest_first_even_after_updates() {
        let store = Store::in_memory().unwrap();
        for id in ["first", "second", "third"] {
            store.save_enrollment(&record(id, 50)).unwrap();
        }
        let mut updated = record("first", 50);
        updated.status = EnrollmentStatus::Linked;
        store.save_enrollment(&updated).unwrap();
        let listed = store.enrollments_between(0, 100).unwrap();
        assert_eq!(
            listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["third", "second", "first"]
        );
        assert_eq!(listed[2].status, EnrollmentStatus::Linked);
    }

    #[test]
    fn the_list_is_one_environments_and_its_limit_counts_only_that_one() {
        let store = Store::in_memory().unwrap();
        store.save_enrollment(&record("sim", 10)).unwrap();
        let mut sandbox = record("sandbox", 20);
        sandbox.environment = "sandbox".into();
        store.save_enrollment(&sandbox).unwrap();
        let query = EnrollmentQuery {
            from: 0,
            to: 100,
            statuses: vec![],
            text: None,
            limit: 1,
        };
        let ids = |environment| {
            store
                .search_enrollments(environment, &query)
                .unwrap()
                .into_iter()
                .map(|listed| listed.record.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("simulator"), ["sim"]);
        assert_eq!(ids("sandbox"), ["sandbox"]);
    }

    #[test]
    fn an_unknown_status_is_an_error_not_a_guess() {
        let store = Store::in_memory().unwrap();
        store.save_enrollment(&record("a", 1)).unwrap();
        store
            .connection()
            .execute("UPDATE enrollments SET status = 'weird'", [])
            .unwrap();
        assert_eq!(
            store.enrollment("a").unwrap_err().code(),
            "STORE_UNREADABLE"
        );
    }

    #[test]
    fn the_database_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/app.sqlite3");
        Store::open(&path)
            .unwrap()
            .save_enrollment(&record("a", 1))
            .unwrap();
        let reopened = Store::open(&path).unwrap();
        assert_eq!(reopened.enrollment("a").unwrap().unwrap().first_name, "Ada");
    }
}
