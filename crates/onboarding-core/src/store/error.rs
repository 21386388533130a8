use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the local database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The system's SQLite (Linux links it) is older than the store needs.
    #[error("the system's SQLite is version {found}; this app needs {needed} or later")]
    SqliteTooOld { found: String, needed: &'static str },
    #[error("the local database holds a value this version does not understand: {0}")]
    Unreadable(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Directory { .. } => "STORE_DIRECTORY",
            StoreError::Sqlite(_) => "STORE_SQLITE",
            StoreError::SqliteTooOld { .. } => "STORE_SQLITE_TOO_OLD",
            StoreError::Unreadable(_) => "STORE_UNREADABLE",
        }
    }

    /// What the page shows (`Display` stays for logs). The database's and
    /// the system's own text is passed on as it is.
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        match self {
            StoreError::Directory { path, source } => ErrorText::message(
                "err-store-directory",
                [
                    ("path", path.display().to_string().into()),
                    ("reason", source.to_string().into()),
                ],
            ),
            StoreError::Sqlite(err) => {
                ErrorText::message("err-store-sqlite", [("reason", err.to_string().into())])
            }
            StoreError::SqliteTooOld { found, needed } => ErrorText::message(
                "err-store-sqlite-too-old",
                [
                    ("found", found.as_str().into()),
                    ("needed", (*needed).into()),
                ],
            ),
            StoreError::Unreadable(value) => {
                ErrorText::message("err-store-unreadable", [("value", value.as_str().into())])
            }
        }
    }
}
