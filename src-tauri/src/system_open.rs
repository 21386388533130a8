//! Pages in the system browser and files in the file manager.
//!
//! Windows and macOS go through tauri-plugin-opener. On Linux the app does
//! it itself, without the plugin's async D-Bus stack (zbus): pages and
//! folders open with the desktop's handler (xdg-open and kin), and "show in
//! folder" asks the file manager over libdbus
//! (org.freedesktop.FileManager1.ShowItems), falling back to opening the
//! folder.

use std::path::Path;
use tauri::{AppHandle, Runtime};

/// Why a page or a folder did not open: shown to staff as the reason.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OpenError(String);

/// Opens an address in the system's browser.
#[cfg(target_os = "linux")]
pub fn open_url<R: Runtime>(_app: &AppHandle<R>, url: &str) -> Result<(), OpenError> {
    open::that_detached(url).map_err(|err| OpenError(err.to_string()))
}

/// Shows `path` selected in the file manager, or at least its folder.
#[cfg(target_os = "linux")]
pub fn reveal_item_in_dir<R: Runtime>(_app: &AppHandle<R>, path: &Path) -> Result<(), OpenError> {
    let path = path
        .canonicalize()
        .map_err(|err| OpenError(format!("{err}")))?;
    let shown =
        dbus::blocking::Connection::new_session().and_then(|session| show_items(&session, &path));
    match shown {
        Ok(()) => Ok(()),
        Err(err) => {
            tracing::info!("no file manager answered on D-Bus ({err}); opening the folder");
            let folder = path.parent().unwrap_or(&path);
            open::that_detached(folder).map_err(|err| OpenError(err.to_string()))
        }
    }
}

/// Asks the file manager on the bus of `connection` to show `path`
/// (absolute) selected.
#[cfg(target_os = "linux")]
fn show_items(connection: &dbus::blocking::Connection, path: &Path) -> Result<(), dbus::Error> {
    use std::time::Duration;
    let uri = tauri::Url::from_file_path(path)
        .map_err(|()| dbus::Error::new_failed("not an absolute path"))?;
    let proxy = connection.with_proxy(
        "org.freedesktop.FileManager1",
        "/org/freedesktop/FileManager1",
        Duration::from_secs(5),
    );
    proxy.method_call(
        "org.freedesktop.FileManager1",
        "ShowItems",
        (vec![uri.to_string()], ""),
    )
}

#[cfg(not(target_os = "linux"))]
pub fn open_url<R: Runtime>(app: &AppHandle<R>, url: &str) -> Result<(), OpenError> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|err| OpenError(err.to_string()))
}

#[cfg(not(target_os = "linux"))]
pub fn reveal_item_in_dir<R: Runtime>(app: &AppHandle<R>, path: &Path) -> Result<(), OpenError> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .reveal_item_in_dir(path)
        .map_err(|err| OpenError(err.to_string()))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use dbus::blocking::Connection;
    use dbus::channel::{Channel, MatchingReceiver};
    use dbus::message::MatchRule;
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A D-Bus session of the test's own (dbus-daemon), ended on drop.
    struct Bus(std::process::Child, String);

    impl Bus {
        fn start() -> Bus {
            let mut daemon = Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("dbus-daemon runs: install the Debian package dbus-daemon");
            let mut address = String::new();
            std::io::BufReader::new(daemon.stdout.take().unwrap())
                .read_line(&mut address)
                .expect("its address");
            Bus(daemon, address.trim().to_owned())
        }

        fn connect(&self) -> Connection {
            let mut channel = Channel::open_private(&self.1).expect("connect to the bus");
            channel.register().expect("say hello");
            Connection::from(channel)
        }
    }

    impl Drop for Bus {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn the_file_manager_is_asked_to_show_the_file() {
        let bus = Bus::start();
        // A file manager on the bus: it records what it is asked to show.
        let file_manager = bus.connect();
        file_manager
            .request_name("org.freedesktop.FileManager1", false, true, true)
            .unwrap();
        let (asked, requests) = mpsc::channel();
        file_manager.start_receive(
            MatchRule::new_method_call(),
            Box::new(move |call, connection| {
                let member = call.member().map(|m| m.to_string());
                let (uris, startup): (Vec<String>, String) = call.read2().unwrap();
                asked.send((member, uris, startup)).unwrap();
                let _ = dbus::channel::Sender::send(connection, call.method_return());
                true
            }),
        );
        let _serving = std::thread::spawn(move || loop {
            if file_manager.process(Duration::from_secs(1)).is_err() {
                break;
            }
        });

        let dir = tempfile::tempdir().unwrap();
        let export = dir.path().join("enrollments 2026-12.csv");
        std::fs::write(&export, "id\n").unwrap();
        show_items(&bus.connect(), &export).expect("the file manager answers");
        let (member, uris, startup) = requests.recv().unwrap();
        assert_eq!(member.as_deref(), Some("ShowItems"));
        assert_eq!(
            uris,
            [tauri::Url::from_file_path(&export).unwrap().to_string()]
        );
        assert!(uris[0].ends_with("/enrollments%202026-12.csv"), "{uris:?}");
        assert_eq!(startup, "");
    }

    #[test]
    fn with_no_file_manager_on_the_bus_the_call_fails() {
        let bus = Bus::start();
        let dir = tempfile::tempdir().unwrap();
        let err = show_items(&bus.connect(), dir.path()).expect_err("nobody answers");
        assert_eq!(
            err.name(),
            Some("org.freedesktop.DBus.Error.ServiceUnknown"),
            "{err}"
        );
    }
}
