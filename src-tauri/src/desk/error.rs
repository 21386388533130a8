use crate::store::{ExportError, StoreError};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("{field} date {value:?} is not a date; pick one from the calendar (YYYY-MM-DD)")]
    BadDate { field: &'static str, value: String },
    #[error("the start date is after the end date; swap them")]
    BackwardsRange,
    #[error("choose at most {max_days} days at a time")]
    RangeTooLong { max_days: i64 },
    #[error("the time zone offset from the page is out of range")]
    BadOffset,
    #[error("{0:?} is not a status the list knows")]
    BadStatus(String),
    #[error("the search text is too long (at most {max} characters)")]
    SearchTooLong { max: usize },
    #[error("no folder to save the export in: set a home or Downloads folder")]
    NoExportFolder,
    #[error("the export could not be saved in {path}: {reason}; check the folder exists and is writable")]
    Write { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeskError {
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::BadDate { .. } => "DESK_BAD_DATE",
            DeskError::BackwardsRange => "DESK_BACKWARDS_RANGE",
            DeskError::RangeTooLong { .. } => "DESK_RANGE_TOO_LONG",
            DeskError::BadOffset => "DESK_BAD_OFFSET",
            DeskError::BadStatus(_) => "DESK_BAD_STATUS",
            DeskError::SearchTooLong { .. } => "DESK_SEARCH_TOO_LONG",
            DeskError::NoExportFolder => "DESK_NO_EXPORT_FOLDER",
            DeskError::Write { .. } => "DESK_EXPORT_WRITE",
            DeskError::Store(err) => err.code(),
        }
    }

    /// A sentence for the person at the screen.
    pub fn message(&self) -> String {
        crate::text::sentence(&self.to_string())
    }

    pub(super) fn write(path: &std::path::Path, err: impl std::fmt::Display) -> Self {
        DeskError::Write {
            path: path.to_owned(),
            reason: err.to_string(),
        }
    }
}

impl From<ExportError> for DeskError {
    fn from(err: ExportError) -> Self {
        match err {
            ExportError::Store(err) => DeskError::Store(err),
            ExportError::Write(reason) => DeskError::Write {
                path: PathBuf::from("the export file"),
                reason,
            },
        }
    }
}
