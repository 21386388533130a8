//! CSV export of enrollments for the back office: what staff may see and
//! nothing more (no phone hash, no Aeropay user id, no full number), safe to
//! open in a spreadsheet.

use super::{EnrollmentRecord, Store, StoreError};
use std::io::Write;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(String),
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Store(err) => err.code(),
            ExportError::Write(_) => "EXPORT_WRITE",
        }
    }
}

impl From<csv::Error> for ExportError {
    fn from(err: csv::Error) -> Self {
        ExportError::Write(err.to_string())
    }
}

const HEADER: [&str; 7] = [
    "date",
    "customer",
    "phone",
    "bank",
    "last_four",
    "status",
    "error_code",
];

/// Spreadsheets run a cell that starts with one of these as a formula; a
/// customer's name or a server's error text must never do that. Tab and
/// carriage return are on the list because some spreadsheets strip them
/// and then read the next character as the start of the cell.
fn defuse_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn iso_date(unix: i64) -> Result<String, StoreError> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .ok_or_else(|| StoreError::Unreadable(format!("enrollment time {unix}")))
}

fn status_name(record: &EnrollmentRecord) -> String {
    // The same snake_case name the page shows.
    match serde_json::to_value(record.status) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

fn row(record: &EnrollmentRecord) -> Result<[String; 7], StoreError> {
    Ok([
        iso_date(record.started_at)?,
        record.customer_label(),
        record.phone_masked.clone(),
        record.bank_name.clone().unwrap_or_default(),
        record.account_last4.clone().unwrap_or_default(),
        status_name(record),
        record.error_code.clone().unwrap_or_default(),
    ])
}

impl Store {
    /// Writes the enrollments of `environment` started within `[from, to)`
    /// (unix seconds) as CSV (RFC 4180, header first, oldest first) and
    /// returns how many rows were written. One environment per file, as the
    /// desk list shows it: simulator practice never mixes with real
    /// customers.
    pub fn export_csv(
        &self,
        environment: &str,
        from: i64,
        to: i64,
        writer: impl Write,
    ) -> Result<usize, ExportError> {
        let mut records = self.enrollments_between(from, to)?;
        records.retain(|record| record.environment == environment);
        records.reverse();
        let mut csv = csv::Writer::from_writer(writer);
        csv.write_record(HEADER)?;
        for record in &records {
            csv.write_record(row(record)?.iter().map(|cell| defuse_formula(cell)))?;
        }
        csv.flush()
            .map_err(|err| ExportError::Write(err.to_string()))?;
        Ok(records.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for cell in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\r=x"] {
            assert_eq!(defuse_formula(cell), format!("'{cell}"));
        }
        for cell in ["Ada L.", "", "1329", "•••-•••-••98"] {
            assert_eq!(defuse_formula(cell), cell);
        }
    }

    #[test]
    fn dates_are_iso_utc_and_bad_ones_an_error() {
        assert_eq!(iso_date(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(iso_date(i64::MAX).unwrap_err().code(), "STORE_UNREADABLE");
    }

    fn record(id: &str, started_at: i64, first_name: &str) -> EnrollmentRecord {
        EnrollmentRecord {
            id: id.into(),
            environment: "simulator".into(),
            mode: "desk".into(),
            started_at,
            updated_at: started_at,
            first_name: first_name.into(),
            last_initial: "L".into(),
            phone_masked: "•••-•••-••98".into(),
            phone_hash: format!("phonehash-{id}-0123456789abcdef"),
            user_id: Some(format!("user-{id}-2ac82269")),
            status: crate::store::EnrollmentStatus::Linked,
            error_code: None,
            bank_name: Some("Aerobank, \"Main\"".into()),
            account_last4: Some("0042".into()),
            account_type: Some("checking".into()),
        }
    }

    #[test]
    fn exports_the_range_parseable_and_without_identifiers() {
        let store = Store::in_memory().unwrap();
        let day = 1_718_000_000;
        store
            .save_enrollment(&record("before", day - 10, "Zed"))
            .unwrap();
        store
            .save_enrollment(&record("b", day + 20, "=HYPERLINK(\"x\")"))
            .unwrap();
        let mut failed = record("a", day, "Ada");
        failed.status = crate::store::EnrollmentStatus::Failed;
        failed.error_code = Some("AP007".into());
        failed.bank_name = None;
        failed.account_last4 = None;
        store.save_enrollment(&failed).unwrap();
        store
            .save_enrollment(&record("after", day + 86_400, "Late"))
            .unwrap();

        let mut out = Vec::new();
        let mut elsewhere = record("sandbox-one", day + 30, "Sam");
        elsewhere.environment = "sandbox".into();
        store.save_enrollment(&elsewhere).unwrap();

        let written = store
            .export_csv("simulator", day, day + 86_400, &mut out)
            .unwrap();
        assert_eq!(written, 2, "this environment's enrollments only");
        let text = String::from_utf8(out).unwrap();
        for id in ["before", "after", "a", "b"] {
            assert!(!text.contains(&format!("phonehash-{id}")), "{text}");
            assert!(!text.contains(&format!("user-{id}")), "{text}");
        }

        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap(), HEADER.as_slice());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            rows,
            [
                [
                    "2024-06-10T06:13:20Z",
                    "Ada L.",
                    "•••-•••-••98",
                    "",
                    "",
                    "failed",
                    "AP007"
                ],
                [
                    "2024-06-10T06:13:40Z",
                    "'=HYPERLINK(\"x\") L.",
                    "•••-•••-••98",
                    "Aerobank, \"Main\"",
                    "0042",
                    "linked",
                    ""
                ],
            ]
        );
    }
}
