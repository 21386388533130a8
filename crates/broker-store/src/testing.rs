//! A throwaway PostgreSQL server for tests (feature `testing`).
//!
//! [`TestPostgres::start`] runs `initdb` and `pg_ctl start` in a temporary
//! folder, listening on 127.0.0.1 on a free port and on a unix socket in
//! that folder, as the unprivileged user `nobody` when the tests run as
//! root (PostgreSQL refuses to run as root). Each guard is its own server
//! with its own database. Dropping the guard stops the server
//! (`pg_ctl stop -m immediate`) and removes the folder, also when the test
//! fails. The server binaries come from the Debian package `postgresql-15`
//! (`make test-deps` installs it); without them `start` panics saying so.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Where the server binaries are looked for, in order: `$PG_BIN`, then
/// Debian's versioned folders (newest first), then `PATH`.
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").is_file() {
            return Some(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(dir) = versions.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    })
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The unprivileged user the server runs as under root.
struct RunAs {
    uid: String,
    gid: String,
}

/// A PostgreSQL server of one test. See the module docs.
pub struct TestPostgres {
    dir: Option<tempfile::TempDir>,
    bin: PathBuf,
    /// Run the server as this user (when the tests run as root).
    user: Option<RunAs>,
    port: u16,
    database: String,
    running: bool,
}

impl TestPostgres {
    /// Starts a server and creates the test's database. Panics (failing
    /// the test) when PostgreSQL is not installed or does not start.
    pub fn start() -> TestPostgres {
        let bin = find_bin_dir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL's server binaries (initdb, pg_ctl) were not found under \
                 /usr/lib/postgresql/*/bin, $PG_BIN or PATH: install the Debian package \
                 postgresql-15 (`make test-deps` does)"
            )
        });
        let user = if running_as_root() {
            let id = |flag: &str| {
                Command::new("id")
                    .args([flag, "nobody"])
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            };
            match (id("-u"), id("-g")) {
                (Some(uid), Some(gid)) => Some(RunAs { uid, gid }),
                _ => panic!(
                    "the tests run as root and PostgreSQL refuses root, but there is no user \
                     `nobody` to run it as"
                ),
            }
        } else {
            None
        };
        // /tmp rather than $TMPDIR: the socket's path must stay under
        // 107 bytes, and `nobody` must be able to reach the folder.
        let parent = Path::new("/tmp");
        let parent = if parent.is_dir() {
            parent.to_owned()
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("broker-pg-")
            .tempdir_in(parent)
            .expect("create a temporary folder for PostgreSQL");
        if let Some(user) = &user {
            must(
                Command::new("chown")
                    .arg(format!("{}:{}", user.uid, user.gid))
                    .arg(dir.path())
                    .output(),
                "chown the temporary folder",
            );
        }
        let port = free_port();
        let mut pg = TestPostgres {
            dir: Some(dir),
            bin,
            user,
            port,
            database: format!("broker_test_{}", uuid::Uuid::new_v4().simple()),
            running: false,
        };
        std::fs::create_dir_all(pg.socket_dir()).expect("create the socket folder");
        if let Some(user) = &pg.user {
            must(
                Command::new("chown")
                    .arg(format!("{}:{}", user.uid, user.gid))
                    .arg(pg.socket_dir())
                    .output(),
                "chown the socket folder",
            );
        }
        let data = pg.data_dir();
        let mut initdb = pg.command("initdb");
        initdb.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        must(output_within(&mut initdb), "initdb");
        pg.start_server();
        let mut createdb = pg.command("createdb");
        createdb
            .arg("-h")
            .arg(pg.socket_dir())
            .arg("-p")
            .arg(pg.port.to_string())
            .args(["-U", "postgres"])
            .arg(&pg.database);
        must(output_within(&mut createdb), "createdb");
        pg
    }

    /// The test database's URL (user `postgres`, no password: the server
    /// trusts local connections).
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{}",
            self.port, self.database
        )
    }

    /// The same URL with a password in it (ignored by the server), to check
    /// that it never shows.
    pub fn url_with_password(&self, password: &str) -> String {
        format!(
            "postgres://postgres:{password}@127.0.0.1:{}/{}",
            self.port, self.database
        )
    }

    /// The test database's URL over the server's unix socket.
    pub fn socket_url(&self) -> String {
        format!(
            "postgresql:///{}?host={}&port={}&user=postgres",
            self.database,
            self.socket_dir().display(),
            self.port
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Takes the server away at once (`pg_ctl stop -m immediate`): open
    /// connections break.
    pub fn stop(&mut self) {
        if self.running {
            let mut stop = self.command("pg_ctl");
            stop.arg("-D")
                .arg(self.data_dir())
                .args(["stop", "-m", "immediate", "-w"]);
            must(output_within(&mut stop), "pg_ctl stop");
            self.running = false;
        }
    }

    /// Brings a stopped server back, same port, same data.
    pub fn start_again(&mut self) {
        if !self.running {
            self.start_server();
        }
    }

    fn start_server(&mut self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=100",
            self.port,
            self.socket_dir().display()
        );
        let mut start = self.command("pg_ctl");
        start
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.root().join("server.log"))
            .arg("-o")
            .arg(options)
            .args(["-w", "-t", "60", "start"]);
        let out = output_within(&mut start);
        // Even a start that reports failure may have left a server
        // running: the drop stops whatever is there.
        self.running = true;
        if !matches!(&out, Ok(o) if o.status.success()) {
            let log = std::fs::read_to_string(self.root().join("server.log")).unwrap_or_default();
            eprintln!("PostgreSQL's log:\n{log}");
        }
        must(out, "pg_ctl start");
    }

    fn root(&self) -> &Path {
        self.dir.as_ref().expect("present until dropped").path()
    }

    fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }

    fn socket_dir(&self) -> PathBuf {
        self.root().join("sock")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.user {
            // setpriv changes the ids and execs: no PAM session and no
            // parent process in between (runuser's could hang when several
            // servers started at once).
            Some(user) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={}", user.uid))
                    .arg(format!("--regid={}", user.gid))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(path);
                c
            }
            None => Command::new(path),
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if self.running {
            let mut stop = self.command("pg_ctl");
            stop.arg("-D")
                .arg(self.data_dir())
                .args(["stop", "-m", "immediate", "-w"]);
            let _ = output_within(&mut stop);
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

/// How long one of PostgreSQL's commands may take before the test fails
/// instead of hanging.
const COMMAND_LIMIT: Duration = Duration::from_secs(120);

/// Runs a command like `Command::output`, but kills it and fails after
/// [`COMMAND_LIMIT`].
fn output_within(command: &mut Command) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let started = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            return child.wait_with_output();
        }
        if started.elapsed() > COMMAND_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "{command:?} did not finish within {} s",
                    COMMAND_LIMIT.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn must(out: std::io::Result<Output>, what: &str) {
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "{what} failed ({}):\n{}{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("{what} could not run: {e}"),
    }
}

/// A port that was free a moment ago: bound to port 0, then released.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
