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
    #[error("the export could not be saved in {}: {reason}; check the folder exists and is writable", path.as_ref().map_or("the export file".into(), |path| path.display().to_string()))]
    Write {
        path: Option<PathBuf>,
        reason: String,
    },
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

    /// What the page shows (`Display` stays for logs).
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        match self {
            DeskError::BadDate { field, value } => ErrorText::message(
                "err-desk-bad-date",
                [("field", (*field).into()), ("value", value.as_str().into())],
            ),
            DeskError::RangeTooLong { max_days } => {
                ErrorText::message("err-desk-range-too-long", [("maxDays", (*max_days).into())])
            }
            DeskError::BadStatus(status) => {
                ErrorText::message("err-desk-bad-status", [("status", status.as_str().into())])
            }
            DeskError::SearchTooLong { max } => {
                ErrorText::message("err-desk-search-too-long", [("max", (*max).into())])
            }
            DeskError::Write {
                path: Some(path),
                reason,
            } => ErrorText::message(
                "err-desk-export-write",
                [
                    ("path", path.display().to_string().into()),
                    ("reason", reason.as_str().into()),
                ],
            ),
            DeskError::Write { path: None, reason } => ErrorText::message(
                "err-desk-export-failed",
                [("reason", reason.as_str().into())],
            ),
            DeskError::Store(err) => err.text(),
            DeskError::BackwardsRange | DeskError::BadOffset | DeskError::NoExportFolder => {
                ErrorText::sentence(crate::text::sentence(&self.to_string()))
            }
        }
    }

    pub(super) fn write(path: &std::path::Path, err: impl std::fmt::Display) -> Self {
        DeskError::Write {
            path: Some(path.to_owned()),
            reason: err.to_string(),
        }
    }
}

impl From<ExportError> for DeskError {
    fn from(err: ExportError) -> Self {
        match err {
            ExportError::Store(err) => DeskError::Store(err),
            ExportError::Write(reason) => DeskError::Write { path: None, reason },
        }
    }
}
