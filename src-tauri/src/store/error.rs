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
    #[error("the local database holds a value this version does not understand: {0}")]
    Unreadable(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Directory { .. } => "STORE_DIRECTORY",
            StoreError::Sqlite(_) => "STORE_SQLITE",
            StoreError::Unreadable(_) => "STORE_UNREADABLE",
        }
    }
}
