//! End-to-end harness: the real app window under Xvfb, driven through
//! WebKitWebDriver (WebDriver classic), with a throwaway HOME so no test
//! touches a developer's settings or keychain.
//!
//! Every process binds to loopback on a free port and lives in its own process
//! group, killed when the [`App`] is dropped — also when a test panics, in
//! which case a screenshot is saved under `target/e2e/<test>/failure.png`.

pub mod a11y;
pub mod bench_args;
pub mod flow;
pub mod leftovers;
pub mod procmem;
pub mod update_feed;

use fantoccini::elements::Element;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use fantoccini;

/// How long a `wait_*` call waits before failing the test.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(20);

/// How long one app session may last before the test run is stopped: far
/// above the longest test's own waits (an update check's 90 s), far below
/// the CI's limit. A WebDriver command has no timeout of its own.
const STALLED_AFTER: Duration = Duration::from_secs(600);

/// The workspace's `target/` directory.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

/// The app binary built from this workspace (`cargo build -p aeropay-onboarding`).
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("AEROPAY_ONBOARDING_BIN") {
        return PathBuf::from(path);
    }
    let path = target_dir().join("debug/aeropay-onboarding");
    assert!(
        path.exists(),
        "{} is missing: build the app first (`cargo build -p aeropay-onboarding`; `make test` does this)",
        path.display()
    );
    path
}

/// The path of `program` on PATH; panics naming the Debian package to install.
pub fn require_tool(program: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("`{program}` not found: install the Debian package `{package}` (`make test` installs it)")
    })
}

/// X windows the display `display` shows now: `xwininfo -root -children`'s
/// line for each top-level window (no window manager here, so the app's
/// windows, menus included, are the root's children) that is viewable and
/// whose `xwininfo -id` report contains every one of `states`.
pub fn x_windows_shown(display: &str, states: &[&str]) -> Vec<String> {
    let xwininfo = |args: &[&str]| {
        let output = Command::new("xwininfo")
            .args(["-display", display])
            .args(args)
            .output()
            .expect("`xwininfo` runs: install the Debian package `x11-utils` (`make test` does)");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    xwininfo(&["-root", "-children"])
        .lines()
        .filter(|line| {
            let Some(id) = line
                .split_whitespace()
                .next()
                .filter(|id| id.starts_with("0x"))
            else {
                return false;
            };
            let info = xwininfo(&["-id", id]);
            info.contains("Map State: IsViewable")
                && states.iter().all(|state| info.contains(state))
        })
        .map(str::to_owned)
        .collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// A child process in its own process group; dropping it kills the group.
struct GroupChild {
    child: Child,
}

impl GroupChild {
    fn spawn(command: &mut Command) -> std::io::Result<Self> {
        command.process_group(0);
        command.spawn().map(|child| Self { child })
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private X server on a display number nobody else uses.
struct Xvfb {
    display: String,
    _process: GroupChild,
}

impl Xvfb {
    fn start() -> Self {
        let xvfb = require_tool("Xvfb", "xvfb");
        // Xvfb picks a free display itself (its lock files make the choice
        // atomic, so parallel tests never share a server) and writes the
        // number to stdout once clients can connect.
        let mut process = GroupChild::spawn(
            Command::new(&xvfb)
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x900x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        )
        .expect("Xvfb starts");
        let stdout = process.child.stdout.take().expect("Xvfb's stdout");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("Xvfb reports its display");
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not start (it said {line:?})"));
        Self {
            display: format!(":{number}"),
            _process: process,
        }
    }
}

/// `program` inside cage on a headless output (software rendering, no input
/// devices), with a runtime directory of its own under `home` for cage's
/// Wayland socket. cage also starts Xwayland (Debian package `xwayland`),
/// which the app does not use: GTK picks the Wayland display cage gives it.
fn cage_command(program: &Path, home: &Path) -> Command {
    let cage = require_tool("cage", "cage");
    require_tool("Xwayland", "xwayland");
    let runtime = home.join("cage-runtime");
    std::fs::create_dir_all(&runtime).expect("cage's runtime directory");
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .expect("cage's runtime directory is private");
    let mut command = Command::new(cage);
    command
        .arg("--")
        .arg(program)
        .env("WLR_BACKENDS", "headless")
        .env("WLR_LIBINPUT_NO_DEVICES", "1")
        .env("WLR_RENDERER", "pixman")
        .env("XDG_RUNTIME_DIR", runtime);
    command
}

/// What to launch the app with.
#[derive(Default)]
pub struct Launch {
    /// Contents of `settings.json` written before start; `None` = first run.
    pub settings_json: Option<String>,
    /// Extra command-line arguments for the app.
    pub args: Vec<String>,
    /// Extra environment variables for the app (it inherits the driver's).
    pub env: Vec<(String, String)>,
    /// The binary to start; `None`: [`app_binary`].
    pub binary: Option<PathBuf>,
    /// Where the window is shown.
    pub display: Display,
}

/// The display the app's window is shown on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Display {
    /// The private Xvfb every test uses: X11 without a compositor.
    #[default]
    Xvfb,
    /// A headless output of cage, the Wayland compositor the shipped kiosk
    /// session runs the app in (README, "Linux kiosk"): WebKitWebDriver, and
    /// so the app, run inside it and get its one output, as a kiosk does.
    /// For the benchmarks; cage refuses to run as root.
    Cage,
}

/// The running app: its window, its display and its throwaway home.
pub struct App {
    client: Option<Client>,
    binary: PathBuf,
    xvfb: Xvfb,
    _driver: GroupChild,
    home: tempfile::TempDir,
    shots: PathBuf,
    _watchdog: Watchdog,
}

/// Stops the whole test run if an app session outlives [`STALLED_AFTER`]
/// (a stalled WebDriver command would otherwise hold it until the CI's
/// limit), after saving the screen and printing the session's log.
/// Dropped with the session: its channel closes and the thread ends.
struct Watchdog {
    _alive: std::sync::mpsc::Sender<()>,
}

impl Watchdog {
    fn start(test: String, display: String, log: PathBuf, shot: PathBuf) -> Self {
        let (alive, ended) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                ended.recv_timeout(STALLED_AFTER)
            {
                capture_screen(&display, &shot);
                // Straight to stderr: the test harness's capture of
                // `eprintln!` would be lost with the process.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "{test}: the app session did not end within {STALLED_AFTER:?}; stopping the test run\nscreenshot: {}\n--- driver and app log ---\n{}",
                    shot.display(),
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
                std::process::abort();
            }
        });
        Self { _alive: alive }
    }
}

impl App {
    pub async fn launch() -> Self {
        Self::launch_with(Launch::default()).await
    }

    pub async fn launch_with(launch: Launch) -> Self {
        let home = tempfile::Builder::new()
            .prefix("aeropay-e2e-home")
            .tempdir()
            .expect("temp home");
        Self::launch_in(home, launch).await
    }

    /// Ends the WebDriver session (the app's window closes, so the app
    /// exits the way it does for a person) and starts the app again with
    /// the same home: its settings, data and window state.
    pub async fn relaunch(mut self, launch: Launch) -> Self {
        let launch = Launch {
            binary: launch.binary.or_else(|| Some(self.binary.clone())),
            ..launch
        };
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
        // Give the app time to finish its own exit before the driver goes.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let home = tempfile::Builder::new()
            .prefix("aeropay-e2e-home")
            .tempdir()
            .expect("temp home");
        let old_home = std::mem::replace(&mut self.home, home);
        drop(self);
        Self::launch_in(old_home, launch).await
    }

    async fn launch_in(home: tempfile::TempDir, launch: Launch) -> Self {
        let binary = launch.binary.clone().unwrap_or_else(app_binary);
        let driver_program = require_tool("WebKitWebDriver", "webkit2gtk-driver");
        let xvfb = Xvfb::start();
        let config_home = home.path().join(".config");
        if let Some(json) = &launch.settings_json {
            let dir = config_home.join("app.aeropay-onboarding.desktop");
            std::fs::create_dir_all(&dir).expect("config dir");
            std::fs::write(dir.join("settings.json"), json).expect("settings written");
        }

        let port = free_port();
        let mut driver = match launch.display {
            Display::Xvfb => Command::new(driver_program),
            Display::Cage => cage_command(&driver_program, home.path()),
        };
        driver
            .arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            .env("DISPLAY", &xvfb.display)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", &config_home)
            .env("XDG_DATA_HOME", home.path().join(".local/share"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("NO_AT_BRIDGE", "1")
            .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(home.path().join("driver-and-app.log"))
                    .expect("log file"),
            ));
        let driver = GroupChild::spawn(&mut driver).expect("WebKitWebDriver starts");

        // From here on a stalled session (its creation included) stops the run.
        let test_name = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .replace("::", "-");
        let shots = target_dir().join("e2e").join(&test_name);
        std::fs::create_dir_all(&shots).expect("screenshot dir");
        let watchdog = Watchdog::start(
            test_name,
            xvfb.display.clone(),
            home.path().join("driver-and-app.log"),
            shots.join("stalled.png"),
        );

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "webkitgtk:browserOptions".into(),
            serde_json::json!({ "binary": binary, "args": launch.args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        // The workspace's rustls has two providers here (the app's ring,
        // hyper-rustls's default aws-lc-rs): one must be chosen before any
        // TLS set-up, this client's and the tests' HTTP clients' alike.
        aeropay_client::tls::install_crypto_provider();
        let client = loop {
            let attempt = ClientBuilder::rustls()
                .expect("rustls WebDriver client")
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            match attempt {
                Ok(client) => break client,
                Err(err) if Instant::now() < deadline => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => panic!(
                    "no WebDriver session with the app: {err}\n{}",
                    std::fs::read_to_string(home.path().join("driver-and-app.log"))
                        .unwrap_or_default()
                ),
            }
        };

        Self {
            client: Some(client),
            binary,
            xvfb,
            _driver: driver,
            home,
            shots,
            _watchdog: watchdog,
        }
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("session open")
    }

    /// The throwaway HOME the app runs with.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The X display the app draws on.
    pub fn display(&self) -> &str {
        &self.xvfb.display
    }

    /// A command for the app binary with this app's environment (HOME, XDG
    /// directories, display): another start of the same installation.
    pub fn app_command(&self) -> Command {
        let home = self.home.path();
        let mut command = Command::new(&self.binary);
        command
            .env("DISPLAY", &self.xvfb.display)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("NO_AT_BRIDGE", "1");
        command
    }

    /// Log output of the driver and the app so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("driver-and-app.log")).unwrap_or_default()
    }

    pub async fn find(&self, css: &str) -> Element {
        self.wait_for_element(Locator::Css(css)).await
    }

    /// The first element whose visible text contains `text`.
    pub async fn find_text(&self, text: &str) -> Element {
        let xpath = format!(
            "//*[contains(normalize-space(.), {})][not(*[contains(normalize-space(.), {})])]",
            xpath_literal(text),
            xpath_literal(text)
        );
        self.wait_for_element(Locator::XPath(&xpath)).await
    }

    async fn wait_for_element(&self, locator: Locator<'_>) -> Element {
        let deadline = Instant::now() + DEFAULT_WAIT;
        loop {
            match self.client().find(locator).await {
                Ok(element) => return element,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(err) => panic!("{locator:?} not found after {DEFAULT_WAIT:?}: {err:?}"),
            }
        }
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// A real double click (pointer actions) in the middle of the element.
    pub async fn double_click(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
        let element = self.find(css).await;
        let mut mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        for _ in 0..2 {
            mouse = mouse
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(PointerAction::Up {
                    button: MOUSE_BUTTON_LEFT,
                });
        }
        self.client()
            .perform_actions(mouse)
            .await
            .expect("double click");
        let _ = self.client().release_actions().await;
    }

    /// Replaces the field's value with `text`. WebKitWebDriver now and then
    /// refuses keys while the page re-renders or refocuses: the field is
    /// found, cleared and typed into again until it holds the text.
    pub async fn type_into(&self, css: &str, text: &str) {
        let deadline = Instant::now() + DEFAULT_WAIT;
        loop {
            let element = self.find(css).await;
            let typed = async {
                element.clear().await?;
                element.send_keys(text).await?;
                element.prop("value").await
            }
            .await;
            match typed {
                Ok(Some(value)) if value == text => return,
                _ if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Ok(value) => panic!("`{css}` holds {value:?} after typing {text:?}"),
                Err(err) => panic!("typing into `{css}` failed: {err}"),
            }
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("read text")
    }

    /// Switches into the `index`th iframe of the current document.
    pub async fn enter_frame(&self, index: u16) {
        self.client().enter_frame(index).await.expect("enter frame");
    }

    pub async fn leave_frames(&self) {
        self.client()
            .enter_parent_frame()
            .await
            .expect("leave frame");
    }

    /// Waits until `condition` holds, polling; fails the test with `what`.
    pub async fn wait_for<F, Fut>(&self, what: &str, timeout: Duration, mut condition: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + timeout;
        while !condition().await {
            if Instant::now() >= deadline {
                panic!("timed out after {timeout:?} waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element's text contains `expected`; returns the text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + DEFAULT_WAIT;
        loop {
            let (text, problem) = match self.client().find(Locator::Css(css)).await {
                Ok(element) => match element.text().await {
                    Ok(text) => (text, None),
                    Err(err) => (String::new(), Some(err)),
                },
                Err(err) => (String::new(), Some(err)),
            };
            if text.contains(expected) {
                return text;
            }
            if Instant::now() >= deadline {
                panic!(
                    "`{css}` never contained {expected:?}; last text: {text:?}{}",
                    problem
                        .map(|err| format!(" (last error: {err:?})"))
                        .unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element matching `css` is in the current document now,
    /// without waiting.
    pub async fn is_present(&self, css: &str) -> bool {
        self.client().find(Locator::Css(css)).await.is_ok()
    }

    /// The handles of the app's open windows.
    pub async fn windows(&self) -> Vec<WindowHandle> {
        self.client().windows().await.expect("window handles")
    }

    /// Waits for a window that is not in `known` and switches to it.
    pub async fn switch_to_new_window(&self, known: &[WindowHandle]) -> WindowHandle {
        let deadline = Instant::now() + DEFAULT_WAIT;
        loop {
            let fresh = self
                .windows()
                .await
                .into_iter()
                .find(|handle| !known.contains(handle));
            if let Some(handle) = fresh {
                self.switch_to_window(handle.clone()).await;
                return handle;
            }
            if Instant::now() >= deadline {
                panic!("no new window opened within {DEFAULT_WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn switch_to_window(&self, handle: WindowHandle) {
        self.client()
            .switch_to_window(handle)
            .await
            .expect("switch window");
    }

    /// Runs JavaScript in the page and returns its JSON result.
    pub async fn execute(&self, script: &str) -> serde_json::Value {
        self.client()
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Saves a PNG of the whole screen under `target/e2e/<test>/<name>.png`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let path = self.shots.join(format!("{name}.png"));
        require_tool("import", "imagemagick");
        if !capture_screen(&self.xvfb.display, &path) {
            panic!("no screenshot of {} after 5 tries", self.xvfb.display)
        }
        path
    }

    /// SIGKILLs the app process (no exit handlers, no flush): a crash or a
    /// power cut as the app sees it. Returns once the process is gone.
    pub fn kill_app(&self) {
        let pids = self.app_pids();
        assert!(!pids.is_empty(), "the app is not running");
        for pid in &pids {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.app_pids().is_empty() {
            assert!(Instant::now() < deadline, "the app survived SIGKILL");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id of the app (the binary started with this app's HOME).
    pub fn app_pid(&self) -> Option<u32> {
        self.app_pids().first().and_then(|pid| pid.parse().ok())
    }

    /// The processes of the app binary started with this app's HOME.
    pub fn app_pids(&self) -> Vec<String> {
        procmem::pids_of(&self.binary, self.home.path())
            .into_iter()
            .map(|pid| pid.to_string())
            .collect()
    }

    /// Ends the WebDriver session (the app exits) and hands over its home,
    /// so a test can look at everything the app left behind.
    pub async fn close(mut self) -> tempfile::TempDir {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.app_pids().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let spare = tempfile::Builder::new()
            .prefix("aeropay-e2e-home")
            .tempdir()
            .expect("temp home");
        std::mem::replace(&mut self.home, spare)
    }

    /// Ends the WebDriver session, which closes the app.
    pub async fn quit(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            // Whatever the test did, the app must have left no secret and no
            // test customer's details in its home.
            let (files, found) = leftovers::scan(self.home.path(), &leftovers::never_left_behind());
            assert!(
                found.is_empty(),
                "{} of {files} files the app left behind hold what they must not:\n{}",
                found.len(),
                found.join("\n")
            );
            return;
        }
        if std::thread::panicking() {
            let path = self.shots.join("failure.png");
            capture_screen(&self.xvfb.display, &path);
            eprintln!(
                "screenshot: {}\n--- driver and app log ---\n{}",
                path.display(),
                self.log()
            );
        }
    }
}

/// Saves the whole X display as a PNG; false if `import` kept failing.
fn capture_screen(display: &str, path: &Path) -> bool {
    // `import` now and then fails while the window is being redrawn.
    for _ in 0..5 {
        let status = Command::new("import")
            .args(["-display", display, "-window", "root"])
            .arg(path)
            .stderr(Stdio::null())
            .status();
        if matches!(status, Ok(s) if s.success()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        format!("concat('{}')", text.replace('\'', "',\"'\",'"))
    }
}
