//! Installs a verified `.deb` with the system's package tool. Called only
//! with bytes whose minisign signature tauri-plugin-updater has checked;
//! before dpkg runs, the package must also name this app and the version the
//! feed announced (and the signature is bound to).
//!
//! tauri-plugin-updater 2.14 would install a `.deb` itself through `pkexec`,
//! then a zenity/kdialog password prompt with `sudo -S`, then plain `sudo`:
//! a kiosk must never show a stranger a password prompt, and a root kiosk
//! session has no pkexec or sudo to go through. So: as root, `dpkg -i`
//! directly; otherwise `pkexec dpkg -i` (a desk's staff authenticate; a
//! kiosk needs a polkit rule), and nothing else.

use super::UpdateError;
use std::path::Path;
use std::process::Command;

pub const PACKAGE: &str = "aeropay-onboarding";

/// How dpkg is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallCommand {
    /// `dpkg -i` (the app runs as root).
    Dpkg,
    /// `pkexec dpkg -i`.
    Pkexec,
}

impl InstallCommand {
    /// Root runs dpkg itself; anyone else goes through polkit.
    pub fn for_this_process() -> Self {
        use std::os::unix::fs::MetadataExt;
        match std::fs::metadata("/proc/self") {
            Ok(meta) if meta.uid() == 0 => InstallCommand::Dpkg,
            _ => InstallCommand::Pkexec,
        }
    }

    fn command(&self, deb: &Path) -> Command {
        let mut command = match self {
            InstallCommand::Dpkg => Command::new("dpkg"),
            InstallCommand::Pkexec => {
                let mut command = Command::new("pkexec");
                command.arg("dpkg");
                command
            }
        };
        command.arg("-i").arg(deb);
        command
    }
}

pub struct DebInstaller {
    pub command: InstallCommand,
    pub package: String,
}

impl Default for DebInstaller {
    fn default() -> Self {
        Self {
            command: InstallCommand::for_this_process(),
            package: PACKAGE.into(),
        }
    }
}

/// Installs `bytes` (a verified `.deb` of `version`) the default way.
pub fn install_deb(bytes: &[u8], version: &str) -> Result<(), UpdateError> {
    DebInstaller::default().install(bytes, version)
}

impl DebInstaller {
    pub fn install(&self, bytes: &[u8], version: &str) -> Result<(), UpdateError> {
        let dir = tempfile::Builder::new()
            .prefix("aeropay-update")
            .tempdir()
            .map_err(|err| UpdateError::Install(format!("no temporary folder: {err}")))?;
        let deb = dir.path().join(format!("{}_{version}.deb", self.package));
        std::fs::write(&deb, bytes)
            .map_err(|err| UpdateError::Install(format!("could not write the package: {err}")))?;
        self.check_package(&deb, version)?;
        let output = self
            .command
            .command(&deb)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|err| {
                UpdateError::Install(format!("{:?} could not run: {err}", self.command))
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(UpdateError::Install(format!(
                "dpkg said {} ({})",
                output.status,
                last.chars().take(300).collect::<String>()
            )));
        }
        Ok(())
    }

    /// The package's own control fields: this app, the announced version.
    fn check_package(&self, deb: &Path, version: &str) -> Result<(), UpdateError> {
        let output = Command::new("dpkg-deb")
            .arg("-f")
            .arg(deb)
            .args(["Package", "Version"])
            .output()
            .map_err(|err| UpdateError::Install(format!("dpkg-deb could not run: {err}")))?;
        if !output.status.success() {
            return Err(UpdateError::WrongPackage(
                "the download is not a .deb package".into(),
            ));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name).and_then(|v| v.strip_prefix(": ")))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let (package, found) = (field("Package"), field("Version"));
        if package != self.package {
            return Err(UpdateError::WrongPackage(format!(
                "the package is {package:?}, not {:?}",
                self.package
            )));
        }
        if found != version {
            return Err(UpdateError::WrongPackage(format!(
                "the package is version {found:?}, the feed announced {version:?}"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real (tiny) .deb built with dpkg-deb.
    fn deb(package: &str, version: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
        std::fs::write(
            root.join("DEBIAN/control"),
            format!("Package: {package}\nVersion: {version}\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: t\n"),
        )
        .unwrap();
        let out = dir.path().join("p.deb");
        let status = Command::new("dpkg-deb")
            .args(["--root-owner-group", "--build"])
            .arg(&root)
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("dpkg-deb (Debian package dpkg) runs");
        assert!(status.success());
        std::fs::read(out).unwrap()
    }

    fn installer() -> DebInstaller {
        // Never reached in these tests: every package is refused first.
        DebInstaller {
            command: InstallCommand::Pkexec,
            package: "aeropay-onboarding-test-never-installed".into(),
        }
    }

    #[test]
    fn another_package_or_version_than_announced_is_refused_before_dpkg_runs() {
        let err = installer()
            .install(&deb("something-else", "0.1.1"), "0.1.1")
            .unwrap_err();
        assert_eq!(err.code(), "UPDATE_WRONG_PACKAGE");
        assert!(err.to_string().contains("\"something-else\""), "{err}");
        assert!(
            err.to_string().contains("installed version keeps running"),
            "{err}"
        );

        let own = deb("aeropay-onboarding-test-never-installed", "0.1.0");
        let err = installer().install(&own, "0.1.1").unwrap_err();
        assert_eq!(err.code(), "UPDATE_WRONG_PACKAGE");
        assert!(err.to_string().contains("version \"0.1.0\""), "{err}");
    }

    #[test]
    fn bytes_that_are_not_a_deb_are_refused() {
        let err = installer()
            .install(b"#!/bin/sh\necho hi\n", "0.1.1")
            .unwrap_err();
        assert_eq!(err.code(), "UPDATE_WRONG_PACKAGE");
        assert!(err.to_string().contains("not a .deb"), "{err}");
    }

    #[test]
    fn root_runs_dpkg_itself_and_anyone_else_goes_through_polkit() {
        let deb = Path::new("/tmp/x.deb");
        let dpkg = InstallCommand::Dpkg.command(deb);
        assert_eq!(dpkg.get_program(), "dpkg");
        assert_eq!(dpkg.get_args().collect::<Vec<_>>(), ["-i", "/tmp/x.deb"]);
        let pkexec = InstallCommand::Pkexec.command(deb);
        assert_eq!(pkexec.get_program(), "pkexec");
        assert_eq!(
            pkexec.get_args().collect::<Vec<_>>(),
            ["dpkg", "-i", "/tmp/x.deb"]
        );
    }
}
