//! `aeropay-onboarding kiosk-session`: the supervisor a kiosk's boot session
//! runs (the shipped systemd unit starts it inside the `cage` compositor).
//! It starts the app in kiosk mode and starts it again whenever it ends
//! uncleanly (a crash, a kill, an error exit), after a back-off that doubles
//! from 1 s up to a minute and starts over once a run has lasted two
//! minutes. Each restart is written to the app's audit trail
//! (`kiosk_restarted`, with how the run ended). A run that ends with status
//! 0 (staff chose "Leave kiosk mode") ends the session.
//!
//! Plain Rust and tokio, no tauri: the same binary supervises itself, so the
//! restart can be tested without systemd as PID 1, and Debian 12's systemd
//! (252), which has no growing restart delay (`RestartSteps=` and
//! `RestartMaxDelaySec=` came with 254), only restarts the supervisor.

use crate::store::{AuditAction, AuditEntry, AuditMode, Store};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// How long to wait before each restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    /// A run at least this long counts as healthy: the next delay is
    /// `first` again.
    pub healthy_after: Duration,
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(
            Duration::from_secs(1),
            Duration::from_secs(60),
            Duration::from_secs(120),
        )
    }
}

impl Backoff {
    pub fn new(first: Duration, max: Duration, healthy_after: Duration) -> Self {
        Self {
            first,
            max,
            healthy_after,
            next: first,
        }
    }

    /// The delay before the restart that follows a run of `ran_for`.
    pub fn delay_after(&mut self, ran_for: Duration) -> Duration {
        if ran_for >= self.healthy_after {
            self.next = self.first;
        }
        let delay = self.next.min(self.max);
        self.next = (delay * 2).min(self.max);
        delay
    }
}

/// How one run of the app ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Status 0: staff left kiosk mode; the session ends.
    Quit,
    /// The app installed an update ([`crate::updates::RESTART_FOR_UPDATE_STATUS`]):
    /// started again at once, without back-off (the app's own audit entries
    /// say what was installed).
    Updated,
    /// Anything else: the app is started again. The text says how it ended.
    Unclean(String),
}

impl Ending {
    pub fn of(status: ExitStatus) -> Self {
        if status.success() {
            return Ending::Quit;
        }
        if status.code() == Some(crate::updates::RESTART_FOR_UPDATE_STATUS) {
            return Ending::Updated;
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = status.signal() {
                return Ending::Unclean(format!("killed by signal {signal}"));
            }
        }
        match status.code() {
            Some(code) => Ending::Unclean(format!("exit status {code}")),
            None => Ending::Unclean("ended without a status".into()),
        }
    }
}

/// What the supervisor runs and where it writes the audit trail.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The app's data directory (its SQLite store with the audit trail).
    pub data_dir: PathBuf,
    pub backoff: Backoff,
}

impl SessionConfig {
    /// This binary in kiosk mode, with the app's own data directory.
    pub fn for_this_app(data_dir: PathBuf) -> std::io::Result<Self> {
        Ok(Self {
            program: std::env::current_exe()?,
            args: vec!["--mode".into(), "kiosk".into()],
            data_dir,
            backoff: Backoff::default(),
        })
    }
}

/// How the session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The app quit with status 0.
    AppQuit { restarts: u32 },
    /// The supervisor was asked to stop (SIGTERM, SIGINT); it stopped the app.
    Stopped { restarts: u32 },
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("the kiosk app could not be started ({program}): {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("waiting for the kiosk app failed: {0}")]
    Wait(std::io::Error),
    #[error("signal handling could not be set up: {0}")]
    Signals(std::io::Error),
}

impl SessionError {
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::Spawn { .. } => "KIOSK_SESSION_SPAWN",
            SessionError::Wait(_) => "KIOSK_SESSION_WAIT",
            SessionError::Signals(_) => "KIOSK_SESSION_SIGNALS",
        }
    }
}

/// Resolves when the supervisor is asked to stop.
async fn stop_requested() -> Result<(), SessionError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).map_err(SessionError::Signals)?;
        let mut int = signal(SignalKind::interrupt()).map_err(SessionError::Signals)?;
        let mut hup = signal(SignalKind::hangup()).map_err(SessionError::Signals)?;
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(SessionError::Signals)
    }
}

/// Runs the app until it quits with status 0 or the supervisor is asked to
/// stop, restarting it after each unclean end.
pub async fn supervise(config: SessionConfig) -> Result<SessionEnd, SessionError> {
    let mut backoff = config.backoff.clone();
    let mut restarts: u32 = 0;
    let stop = stop_requested();
    tokio::pin!(stop);
    loop {
        let mut command = tokio::process::Command::new(&config.program);
        command
            .args(&config.args)
            .env(crate::updates::SUPERVISED_ENV, "1")
            .kill_on_drop(true);
        // Debug builds only: a test's pause point holds the first run, not
        // the runs that settle what it left.
        #[cfg(debug_assertions)]
        if restarts > 0 {
            command.env_remove("AEROPAY_ONBOARDING_PAUSE_AT");
        }
        let mut child = command.spawn().map_err(|source| SessionError::Spawn {
            program: config.program.display().to_string(),
            source,
        })?;
        let started = Instant::now();
        tracing::info!(pid = child.id(), restarts, "kiosk app started");
        let status = tokio::select! {
            status = child.wait() => status.map_err(SessionError::Wait)?,
            stopped = &mut stop => {
                stopped?;
                tracing::info!("kiosk session asked to stop: stopping the app");
                let _ = child.kill().await;
                return Ok(SessionEnd::Stopped { restarts });
            }
        };
        let ran_for = started.elapsed();
        let how = match Ending::of(status) {
            Ending::Quit => {
                tracing::info!(restarts, "kiosk app quit: the kiosk session ends");
                return Ok(SessionEnd::AppQuit { restarts });
            }
            Ending::Updated => {
                tracing::info!("kiosk app installed an update: starting the new version");
                continue;
            }
            Ending::Unclean(how) => how,
        };
        let delay = backoff.delay_after(ran_for);
        restarts += 1;
        let detail = format!(
            "the kiosk app ended uncleanly ({how}) after {} s; started again after {} s (restart {restarts} of this session)",
            ran_for.as_secs(),
            delay.as_secs_f32()
        );
        tracing::warn!("{detail}");
        audit_restart(&config, &detail);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            stopped = &mut stop => {
                stopped?;
                return Ok(SessionEnd::Stopped { restarts });
            }
        }
    }
}

/// Writes the restart to the audit trail. A store that cannot be written
/// does not keep the kiosk down: the failure is logged and the app restarts.
fn audit_restart(config: &SessionConfig, detail: &str) {
    let written = Store::open_in(&config.data_dir).and_then(|store| {
        store.audit(&AuditEntry {
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
            mode: AuditMode::Kiosk,
            staff: None,
            action: AuditAction::KioskRestarted,
            detail: detail.into(),
            error_code: None,
            correlation_id: None,
        })
    });
    if let Err(err) = written {
        tracing::warn!(code = %err.code(), "the restart could not be written to the audit trail: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_up_to_the_maximum_and_starts_over_after_a_healthy_run() {
        let mut backoff = Backoff::default();
        let quick = Duration::from_secs(3);
        let delays: Vec<u64> = (0..9)
            .map(|_| backoff.delay_after(quick).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff.delay_after(Duration::from_secs(120)).as_secs(), 1);
        assert_eq!(backoff.delay_after(quick).as_secs(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn endings_name_the_signal_or_the_status() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(Ending::of(ExitStatus::from_raw(0)), Ending::Quit);
        assert_eq!(
            Ending::of(ExitStatus::from_raw(
                crate::updates::RESTART_FOR_UPDATE_STATUS << 8
            )),
            Ending::Updated
        );
        assert_eq!(
            Ending::of(ExitStatus::from_raw(9)),
            Ending::Unclean("killed by signal 9".into())
        );
        assert_eq!(
            Ending::of(ExitStatus::from_raw(3 << 8)),
            Ending::Unclean("exit status 3".into())
        );
    }

    /// A real child process: it kills itself on its first two runs and quits
    /// cleanly on the third. The supervisor restarts it twice, audits both
    /// restarts and ends with the clean quit.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_killed_app_is_restarted_and_audited_until_it_quits() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let script = format!(
            "echo run >> '{}'; n=$(wc -l < '{}'); if [ \"$n\" -lt 3 ]; then kill -KILL $$; fi; exit 0",
            runs.display(),
            runs.display()
        );
        let config = SessionConfig {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            data_dir: dir.path().to_path_buf(),
            backoff: Backoff::new(
                Duration::from_millis(10),
                Duration::from_millis(20),
                Duration::from_secs(60),
            ),
        };
        let end = supervise(config).await.unwrap();
        assert_eq!(end, SessionEnd::AppQuit { restarts: 2 });
        assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 3);
        let store = Store::open_in(dir.path()).unwrap();
        let audit = store.audit_entries(0, i64::MAX).unwrap();
        let restarts: Vec<_> = audit
            .iter()
            .filter(|e| e.action == AuditAction::KioskRestarted)
            .collect();
        assert_eq!(restarts.len(), 2, "{audit:?}");
        assert!(
            restarts[0].detail.contains("killed by signal 9"),
            "{audit:?}"
        );
        assert!(restarts[1].detail.contains("restart 2"), "{audit:?}");
        assert_eq!(restarts[0].mode, AuditMode::Kiosk);
    }

    #[tokio::test]
    async fn a_missing_program_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let config = SessionConfig {
            program: dir.path().join("no-such-app"),
            args: Vec::new(),
            data_dir: dir.path().to_path_buf(),
            backoff: Backoff::default(),
        };
        let err = supervise(config).await.unwrap_err();
        assert_eq!(err.code(), "KIOSK_SESSION_SPAWN");
        assert!(err.to_string().contains("no-such-app"), "{err}");
    }
}
