//! Typed client for Aeropay's REST API (v1 and v2). Plain Rust, no tauri.
