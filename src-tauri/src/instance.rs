//! One running app per data directory: a second start brings the running
//! window to the front and exits.

use crate::config::APP_IDENTIFIER;
use sha2::{Digest, Sha256};
use std::path::Path;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

/// The name the running app holds on the D-Bus session bus (Linux; the plugin
/// appends `.SingleInstance`): the identifier plus a short hash of the data
/// directory.
///
/// What must not run twice is an app on the same data directory: two
/// processes on one SQLite store and one simulator state would step on each
/// other. Apps on different data directories (another user's HOME, or the
/// end-to-end tests, which run many apps at once with one throwaway HOME
/// each inside one shared D-Bus session) are independent, and with the
/// identifier alone the second of them would hand over to the first and exit.
pub fn dbus_id(data_dir: &Path) -> String {
    let path = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    // A bus-name element may not start with a digit.
    format!("{APP_IDENTIFIER}.d{short}")
}

/// The plugin for `data_dir`. Register it before the other plugins: a second
/// instance leaves while the app is being built, before the store opens.
pub fn plugin<R: Runtime>(data_dir: &Path) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(data_dir))
        .callback(|app, _args, _cwd| focus_main_window(app))
        .build()
}

fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("the app was started again: showing the running window");
    let Some(main) = app.get_webview_window("main") else {
        return;
    };
    for (what, result) in [
        ("unminimize", main.unminimize()),
        ("show", main.show()),
        ("focus", main.set_focus()),
    ] {
        if let Err(err) = result {
            tracing::warn!("running window not brought forward ({what}): {err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_per_data_directory() {
        let a = dbus_id(Path::new(
            "/home/a/.local/share/app.aeropay-onboarding.desktop",
        ));
        let b = dbus_id(Path::new(
            "/home/b/.local/share/app.aeropay-onboarding.desktop",
        ));
        assert_ne!(a, b);
        assert_eq!(
            a,
            dbus_id(Path::new(
                "/home/a/.local/share/app.aeropay-onboarding.desktop"
            ))
        );
        assert!(a.starts_with("app.aeropay-onboarding.desktop.d"), "{a}");
        // A valid bus name: elements of [A-Za-z0-9_-], none starting with a
        // digit, and short enough with the plugin's suffix.
        for element in a.split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()));
            assert!(element
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        }
        assert!(format!("{a}.SingleInstance").len() <= 255);
    }
}
