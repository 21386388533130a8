//! The back office's view of this machine's enrollments: the list filter
//! (dates as staff pick them, statuses as they read them) and CSV exports.
//! Plain Rust, no tauri.

mod error;
mod export;
mod filter;

pub use error::DeskError;
pub use export::{default_export_folder, export_enrollments, ExportSummary};
pub use filter::{DateRange, DeskFilter, StatusGroup};
