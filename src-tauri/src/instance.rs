//! One running app per data directory: a second start brings the running
//! window to the front and exits.
//!
//! What must not run twice is an app on the same data directory: two
//! processes on one SQLite store and one simulator state would step on each
//! other. Apps on different data directories (another user's HOME, or the
//! end-to-end tests, which run many apps at once with one throwaway HOME
//! each) are independent.
//!
//! Linux: the running app holds an advisory lock (flock) on `instance.lock`
//! in the data directory, which the kernel releases when the process ends,
//! however it ends (SIGKILL included), and listens on the Unix socket
//! `instance.sock` beside it (mode 0600). A second start that cannot take the
//! lock sends the one message the socket accepts ("show") and exits; the
//! running app brings its window forward. A socket file left by an app that
//! was killed is replaced by the next app that takes the lock.
//!
//! Windows and macOS: tauri-plugin-single-instance (one per identifier).

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

#[cfg(target_os = "linux")]
pub use linux::{ask_running_app_to_show, claim, Claim, Instance, InstanceError};

/// The plugin for `data_dir`. Register it before the other plugins: a second
/// instance leaves while the app is being built, before the store opens.
#[cfg(target_os = "linux")]
pub fn plugin<R: Runtime>(data_dir: &std::path::Path) -> TauriPlugin<R> {
    let data_dir = data_dir.to_path_buf();
    tauri::plugin::Builder::new("single-instance")
        .setup(move |app, _api| {
            match claim(&data_dir) {
                Ok(Claim::First(mut instance)) => {
                    let handle = app.clone();
                    instance.serve(move || focus_main_window(&handle));
                    // Held (the lock with it) until tauri's cleanup before
                    // the process exits or restarts: a restart spawns the new
                    // process before this one ends, and the new one must
                    // find the directory free, not hand over to a dying app.
                    app.resources_table().add(instance);
                }
                Ok(Claim::Running) => {
                    match ask_running_app_to_show(&data_dir) {
                        Ok(()) => tracing::info!(
                            "the app already runs on this data directory: its window was brought forward"
                        ),
                        Err(err) => tracing::warn!(
                            code = err.code(),
                            "the app already runs on this data directory; its window was not brought forward: {err}"
                        ),
                    }
                    std::process::exit(0);
                }
                // Without the lock the app still runs (as it would with no
                // single-instance check at all); the store reports its own
                // problems with the directory.
                Err(err) => tracing::warn!(code = err.code(), "{err}"),
            }
            Ok(())
        })
        .build()
}

#[cfg(not(target_os = "linux"))]
pub fn plugin<R: Runtime>(_data_dir: &std::path::Path) -> TauriPlugin<R> {
    tauri_plugin_single_instance::init(|app, _args, _cwd| focus_main_window(app))
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

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::{File, OpenOptions, Permissions, TryLockError};
    use std::io::{Read, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    const LOCK_FILE: &str = "instance.lock";
    const SOCKET_FILE: &str = "instance.sock";
    /// The one message the socket accepts, and its answer.
    const SHOW: &[u8] = b"show\n";
    const SHOWN: &[u8] = b"shown\n";
    /// How long either side waits for the other's message.
    const MESSAGE_WAIT: Duration = Duration::from_secs(5);

    #[derive(Debug, thiserror::Error)]
    pub enum InstanceError {
        #[error("the single-instance lock {path} could not be taken: {source}")]
        Lock {
            path: PathBuf,
            source: std::io::Error,
        },
        #[error("the running app's socket {path} could not be opened: {source}")]
        Socket {
            path: PathBuf,
            source: std::io::Error,
        },
        #[error("the running app did not answer on {path}")]
        NoAnswer { path: PathBuf },
    }

    impl InstanceError {
        pub fn code(&self) -> &'static str {
            match self {
                Self::Lock { .. } => "INSTANCE_LOCK",
                Self::Socket { .. } => "INSTANCE_SOCKET",
                Self::NoAnswer { .. } => "INSTANCE_NO_ANSWER",
            }
        }
    }

    /// The running app's hold on its data directory. The lock lasts as long
    /// as this value (and ends with the process in any case).
    #[derive(Debug)]
    pub struct Instance {
        _lock: File,
        socket_path: PathBuf,
        listener: Option<UnixListener>,
        /// Whether this app bound the socket file (and removes it at the end).
        owns_socket: bool,
    }

    pub enum Claim {
        /// No app runs on the directory: this one does now.
        First(Instance),
        /// Another app holds the directory.
        Running,
    }

    /// Takes the data directory for this process, or finds it taken.
    pub fn claim(data_dir: &Path) -> Result<Claim, InstanceError> {
        let lock_path = data_dir.join(LOCK_FILE);
        let lock_error = |source| InstanceError::Lock {
            path: lock_path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(lock_error)?;
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(lock_error)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Claim::Running),
            Err(TryLockError::Error(err)) => return Err(lock_error(err)),
        }
        let socket_path = data_dir.join(SOCKET_FILE);
        // Holding the lock, any socket file there is a dead app's.
        let listener = match bind(&socket_path) {
            Ok(listener) => Some(listener),
            Err(source) => {
                // The lock alone still keeps a second app out; it only
                // cannot ask this one to show its window.
                let err = InstanceError::Socket {
                    path: socket_path.clone(),
                    source,
                };
                tracing::warn!(code = err.code(), "{err}");
                None
            }
        };
        Ok(Claim::First(Instance {
            _lock: lock,
            socket_path,
            owns_socket: listener.is_some(),
            listener,
        }))
    }

    fn bind(socket_path: &Path) -> std::io::Result<UnixListener> {
        match std::fs::remove_file(socket_path) {
            Ok(()) => tracing::info!("a socket left by an app that ended was replaced"),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        let listener = UnixListener::bind(socket_path)?;
        std::fs::set_permissions(socket_path, Permissions::from_mode(0o600))?;
        Ok(listener)
    }

    impl Instance {
        /// Answers second starts from a thread of its own: `on_show` runs for
        /// each one. Anything else on the socket is dropped unanswered.
        pub fn serve(&mut self, on_show: impl Fn() + Send + 'static) {
            let Some(listener) = self.listener.take() else {
                return;
            };
            let spawned = std::thread::Builder::new()
                .name("single-instance".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        match stream {
                            Ok(stream) => {
                                if let Err(err) = answer(stream, &on_show) {
                                    tracing::warn!(
                                        "a message on the instance socket was not answered: {err}"
                                    );
                                }
                            }
                            Err(err) => {
                                tracing::warn!("instance socket: {err}");
                            }
                        }
                    }
                });
            if let Err(err) = spawned {
                tracing::warn!("second starts will not bring the window forward: {err}");
            }
        }

        pub fn socket_path(&self) -> &Path {
            &self.socket_path
        }
    }

    /// Kept in the app's resource table, which tauri clears before the
    /// process exits or restarts.
    impl tauri::Resource for Instance {}

    impl Drop for Instance {
        // The socket file goes first, then the lock (fields drop after this).
        fn drop(&mut self) {
            if self.owns_socket {
                let _ = std::fs::remove_file(&self.socket_path);
            }
        }
    }

    fn answer(mut stream: UnixStream, on_show: &impl Fn()) -> std::io::Result<()> {
        stream.set_read_timeout(Some(MESSAGE_WAIT))?;
        stream.set_write_timeout(Some(MESSAGE_WAIT))?;
        let mut message = Vec::with_capacity(SHOW.len());
        // One byte more than the message: a longer one is refused too.
        (&mut stream)
            .take(SHOW.len() as u64 + 1)
            .read_to_end(&mut message)?;
        if message != SHOW {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not the one message the socket accepts",
            ));
        }
        on_show();
        stream.write_all(SHOWN)
    }

    /// Asks the app holding `data_dir` to bring its window forward.
    pub fn ask_running_app_to_show(data_dir: &Path) -> Result<(), InstanceError> {
        let path = data_dir.join(SOCKET_FILE);
        let socket_error = |source| InstanceError::Socket {
            path: path.clone(),
            source,
        };
        // The running app takes the lock a moment before it listens.
        let mut attempts = 0;
        let mut stream = loop {
            match UnixStream::connect(&path) {
                Ok(stream) => break stream,
                Err(_) if attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(err) => return Err(socket_error(err)),
            }
        };
        stream
            .set_read_timeout(Some(MESSAGE_WAIT))
            .map_err(socket_error)?;
        stream
            .set_write_timeout(Some(MESSAGE_WAIT))
            .map_err(socket_error)?;
        stream.write_all(SHOW).map_err(socket_error)?;
        stream
            .shutdown(std::net::Shutdown::Write)
            .map_err(socket_error)?;
        let mut reply = Vec::new();
        let read = (&mut stream)
            .take(SHOWN.len() as u64)
            .read_to_end(&mut reply);
        match read {
            Ok(_) if reply == SHOWN => Ok(()),
            _ => Err(InstanceError::NoAnswer { path: path.clone() }),
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixStream;
    use std::sync::mpsc;

    fn first(dir: &std::path::Path) -> Instance {
        match claim(dir).expect("claim") {
            Claim::First(instance) => instance,
            Claim::Running => panic!("the directory is free"),
        }
    }

    #[test]
    fn the_second_claim_finds_the_first_and_asks_it_to_show() {
        let dir = tempfile::tempdir().unwrap();
        let mut running = first(dir.path());
        let (shown, show_requests) = mpsc::channel();
        running.serve(move || shown.send(()).unwrap());
        let mode = std::fs::metadata(running.socket_path()).unwrap();
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);

        assert!(matches!(claim(dir.path()).unwrap(), Claim::Running));
        ask_running_app_to_show(dir.path()).expect("the running app answers");
        show_requests
            .recv()
            .expect("the running app was asked to show");

        // Another directory is another app.
        let other = tempfile::tempdir().unwrap();
        let _other = first(other.path());

        // Once the first ends, the directory is free again, and its socket
        // file is gone.
        drop(running);
        assert!(!dir.path().join("instance.sock").exists());
        let _next = first(dir.path());
    }

    #[test]
    fn a_socket_left_behind_is_replaced_and_other_messages_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        // What a killed app leaves: a socket file nobody listens on.
        let stale = std::os::unix::net::UnixListener::bind(dir.path().join("instance.sock"));
        drop(stale.unwrap());
        std::fs::write(dir.path().join("instance.lock"), b"").unwrap();

        let mut running = first(dir.path());
        let (shown, show_requests) = mpsc::channel();
        running.serve(move || shown.send(()).unwrap());

        let mut stranger = UnixStream::connect(running.socket_path()).unwrap();
        stranger.write_all(b"open /etc/passwd\n").unwrap();
        stranger.shutdown(std::net::Shutdown::Write).unwrap();
        // Closed unanswered (or reset: the rest of the message was unread).
        let mut reply = Vec::new();
        let _ = stranger.read_to_end(&mut reply);
        assert!(reply.is_empty(), "no answer to another message");

        ask_running_app_to_show(dir.path()).expect("the running app answers");
        // The one show request is the only one the callback saw.
        show_requests.recv().unwrap();
        assert!(show_requests.try_recv().is_err());
    }
}
