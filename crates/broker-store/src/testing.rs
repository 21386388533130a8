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
use std::process::{Command, Output};

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

/// A PostgreSQL server of one test. See the module docs.
pub struct TestPostgres {
    dir: Option<tempfile::TempDir>,
    bin: PathBuf,
    /// Run the server as this user (when the tests run as root).
    user: Option<String>,
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
            let exists = Command::new("id")
                .arg("nobody")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            assert!(
                exists,
                "the tests run as root and PostgreSQL refuses root, but there is no user \
                 `nobody` to run it as"
            );
            Some("nobody".to_owned())
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("broker-pg-")
            .tempdir()
            .expect("create a temporary folder for PostgreSQL");
        if let Some(user) = &user {
            must(
                Command::new("chown").arg(user).arg(dir.path()).output(),
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
                    .arg(user)
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
        must(initdb.output(), "initdb");
        pg.start_server();
        let mut createdb = pg.command("createdb");
        createdb
            .arg("-h")
            .arg(pg.socket_dir())
            .arg("-p")
            .arg(pg.port.to_string())
            .args(["-U", "postgres"])
            .arg(&pg.database);
        must(createdb.output(), "createdb");
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
            must(stop.output(), "pg_ctl stop");
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
        let out = start.output();
        if !matches!(&out, Ok(o) if o.status.success()) {
            let log = std::fs::read_to_string(self.root().join("server.log")).unwrap_or_default();
            eprintln!("PostgreSQL's log:\n{log}");
        }
        must(out, "pg_ctl start");
        self.running = true;
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
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
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
            let _ = stop.output();
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
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
