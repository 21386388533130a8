//! Process-wide options of the web engine, set before the first webview.
//! Measured by `tests/benches/memory.rs` (README, "Memory after enrollments
//! and resets").

/// What WebKit's processes inherit from the app; a variable already in the
/// environment wins (e.g. `JSC_useJIT=1` to compare).
pub const ENVIRONMENT: [(&str, &str); 3] = [
    // The web process runs the page's and the widget's JavaScript on
    // JavaScriptCore's interpreter, without its JIT compilers: about 20 MiB
    // less after 20 customers and a third of the growth per customer, and
    // no executable memory written at run time for a third-party page. The
    // app's scripts are small and wait on people and the network.
    ("JSC_useJIT", "0"),
    // glibc's malloc (GLib, fonts, libsoup in WebKit's processes) keeps its
    // default thresholds (128 KiB) instead of raising them after each large
    // free, which leaves freed memory in the heap rather than giving it back:
    // about 5 MiB less from the first widget on.
    ("MALLOC_TRIM_THRESHOLD_", "131072"),
    ("MALLOC_MMAP_THRESHOLD_", "131072"),
];

/// Sets [`ENVIRONMENT`] in this process's environment, which WebKit's
/// processes inherit (this process's own malloc has read its settings
/// already). Call it while the process has one thread, before any webview.
pub fn set_environment() {
    #[cfg(target_os = "linux")]
    for (name, value) in ENVIRONMENT {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}
