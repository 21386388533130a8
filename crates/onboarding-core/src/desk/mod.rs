//! The back office's view of this machine's enrollments: the list filter
//! (dates as staff pick them, statuses as they read them) and CSV exports;
//! on a desk of a fleet, the whole fleet's enrollments from the broker's
//! audit trail. Plain Rust, no tauri.

mod error;
mod export;
mod filter;
pub mod fleet;

pub use error::DeskError;
pub use export::{default_export_folder, export_enrollments, ExportSummary};
pub use filter::{DateRange, DeskFilter, StatusGroup};
