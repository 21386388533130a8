//! Process-wide options of the web engine, set before the first webview.

/// The variable JavaScriptCore reads its `useJIT` option from.
pub const JSC_USE_JIT: &str = "JSC_useJIT";

/// WebKit's web process runs the page's and the widget's JavaScript with
/// JavaScriptCore's interpreter only, without its JIT compilers: about
/// 20 MiB less memory after 20 customers and a third of the growth per
/// customer (`tests/benches/memory.rs`, README "Memory after enrollments
/// and resets"), and no executable memory written at run time for a
/// third-party page. The app's scripts are small and wait on people and
/// the network. A `JSC_useJIT` already in the environment wins
/// (`JSC_useJIT=1` turns the JIT back on, e.g. to compare).
///
/// Changes the process environment, which WebKit's processes inherit: call
/// it while the process has one thread, before any webview.
pub fn interpreter_only_javascript() {
    #[cfg(target_os = "linux")]
    if std::env::var_os(JSC_USE_JIT).is_none() {
        std::env::set_var(JSC_USE_JIT, "0");
    }
}
