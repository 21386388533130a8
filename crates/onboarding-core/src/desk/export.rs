use super::{DateRange, DeskError};
use crate::store::Store;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an export wrote, for the page and the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub path: PathBuf,
    pub rows: usize,
}

/// Writes the enrollments of `environment` started in `range` as CSV into
/// `folder`, named
/// after the range. The file appears whole or not at all: it is written
/// beside its final name and renamed, so a half-written export is never
/// mistaken for a complete one. An existing export of the same range gets
/// a numbered sibling rather than being overwritten.
pub fn export_enrollments(
    store: &Store,
    environment: &str,
    range: &DateRange,
    folder: &Path,
) -> Result<ExportSummary, DeskError> {
    let (from, to) = range.bounds()?;
    std::fs::create_dir_all(folder).map_err(|err| DeskError::write(folder, err))?;
    let stem = format!(
        "aeropay-enrollments-{}-to-{}",
        range.from.trim(),
        range.to.trim()
    );
    let path = free_name(folder, &stem);
    let mut file =
        tempfile::NamedTempFile::new_in(folder).map_err(|err| DeskError::write(folder, err))?;
    let rows = store.export_csv(environment, from, to, &mut file)?;
    file.flush().map_err(|err| DeskError::write(&path, err))?;
    file.persist_noclobber(&path)
        .map_err(|err| DeskError::write(&path, err.error))?;
    Ok(ExportSummary { path, rows })
}

fn free_name(folder: &Path, stem: &str) -> PathBuf {
    let first = folder.join(format!("{stem}.csv"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| folder.join(format!("{stem} ({n}).csv")))
        .find(|path| !path.exists())
        .unwrap_or(first)
}

/// Where exports go: the user's Downloads folder, else `~/Downloads`.
pub fn default_export_folder() -> Option<PathBuf> {
    dirs::download_dir().or_else(|| dirs::home_dir().map(|home| home.join("Downloads")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EnrollmentRecord, EnrollmentStatus};

    #[test]
    fn writes_a_named_file_and_never_overwrites() {
        let store = Store::in_memory().unwrap();
        store
            .save_enrollment(&EnrollmentRecord {
                id: "a".into(),
                environment: "simulator".into(),
                mode: "desk".into(),
                started_at: 1_795_600_000,
                updated_at: 1_795_600_000,
                first_name: "Ada".into(),
                last_initial: "L".into(),
                phone_masked: "•••-•••-••98".into(),
                phone_hash: "h".into(),
                user_id: Some("7".into()),
                status: EnrollmentStatus::Linked,
                error_code: None,
                bank_name: Some("Aerobank".into()),
                account_last4: Some("6789".into()),
                account_type: Some("checking".into()),
            })
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let range = DateRange {
            from: "2026-11-25".into(),
            to: "2026-11-25".into(),
            utc_offset_minutes: 0,
        };
        let first =
            export_enrollments(&store, "simulator", &range, &dir.path().join("Downloads")).unwrap();
        assert_eq!(first.rows, 1);
        assert!(first
            .path
            .ends_with("aeropay-enrollments-2026-11-25-to-2026-11-25.csv"));
        let text = std::fs::read_to_string(&first.path).unwrap();
        assert!(
            text.contains("Ada L.,•••-•••-••98,Aerobank,6789,linked"),
            "{text}"
        );
        let second =
            export_enrollments(&store, "simulator", &range, &dir.path().join("Downloads")).unwrap();
        assert!(second
            .path
            .ends_with("aeropay-enrollments-2026-11-25-to-2026-11-25 (2).csv"));
        assert_eq!(std::fs::read_to_string(&first.path).unwrap(), text);
        // No temporary files are left behind.
        assert_eq!(
            std::fs::read_dir(dir.path().join("Downloads"))
                .unwrap()
                .count(),
            2
        );
    }

    #[test]
    fn an_unwritable_folder_is_a_clear_error() {
        let store = Store::in_memory().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let range = DateRange {
            from: "2026-11-25".into(),
            to: "2026-11-25".into(),
            utc_offset_minutes: 0,
        };
        let err = export_enrollments(&store, "simulator", &range, &blocker.join("Downloads"))
            .unwrap_err();
        assert_eq!(err.code(), "DESK_EXPORT_WRITE");
    }
}
