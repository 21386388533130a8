//! The page's Content Security Policy, built when the app starts from the
//! environment it runs against. Plain Rust, no tauri: `app` puts the result
//! into the tauri context before the window exists.
//!
//! Everything but `frame-src` is fixed: scripts, styles, images and fonts
//! from the app only, IPC only to Rust. `frame-src` names exactly the
//! origins the widget may come from ([`crate::aerosync::frame_origins`]):
//! Aerosync's hosts in sandbox and production, the simulator's own origin
//! (with its port) on the simulator. `tauri.conf.json` holds the same policy
//! with `frame-src 'none'`, what a build would serve if start-up never set
//! it (a unit test keeps the two in step).

use crate::aerosync::frame_origins;
use crate::config::Environment;

/// Every directive but `frame-src`, in the order they are written.
pub const FIXED_DIRECTIVES: &[(&str, &str)] = &[
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "ipc: http://ipc.localhost"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
];

/// The `frame-src` sources for an environment; `'none'` when nothing may be
/// framed (the simulator's origin not given).
pub fn frame_src(environment: &Environment, simulator_origin: Option<&str>) -> String {
    let origins = frame_origins(environment, simulator_origin);
    if origins.is_empty() {
        "'none'".to_owned()
    } else {
        origins.join(" ")
    }
}

/// The page's whole CSP for an environment. `simulator_origin` is the
/// built-in simulator's `http://127.0.0.1:<port>` when the environment is
/// `simulator` (its port is chosen when it binds, before the window).
pub fn csp_for(environment: &Environment, simulator_origin: Option<&str>) -> String {
    FIXED_DIRECTIVES
        .iter()
        .map(|(name, sources)| format!("{name} {sources}"))
        .chain(std::iter::once(format!(
            "frame-src {}",
            frame_src(environment, simulator_origin)
        )))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aerosync::KNOWN_AEROSYNC_ORIGINS;

    /// `directive -> sources` of a policy string.
    fn directives(csp: &str) -> Vec<(String, String)> {
        csp.split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| match d.split_once(' ') {
                Some((name, sources)) => (name.to_owned(), sources.trim().to_owned()),
                None => (d.to_owned(), String::new()),
            })
            .collect()
    }

    fn frame_src_of(csp: &str) -> String {
        let frame: Vec<String> = directives(csp)
            .into_iter()
            .filter(|(name, _)| name == "frame-src")
            .map(|(_, sources)| sources)
            .collect();
        assert_eq!(frame.len(), 1, "one frame-src in {csp}");
        frame[0].clone()
    }

    #[test]
    fn production_and_sandbox_frame_only_aerosync_hosts() {
        for environment in [Environment::Production, Environment::Sandbox] {
            let csp = csp_for(&environment, None);
            assert_eq!(frame_src_of(&csp), KNOWN_AEROSYNC_ORIGINS.join(" "));
            assert!(!csp.contains("127.0.0.1"), "{csp}");
            assert!(!csp.contains("http://localhost"), "{csp}");
            assert!(!csp.contains('*'), "{csp}");
        }
    }

    #[test]
    fn the_simulator_frames_its_exact_origin() {
        let csp = csp_for(&Environment::Simulator, Some("http://127.0.0.1:41234"));
        assert_eq!(frame_src_of(&csp), "http://127.0.0.1:41234");
        assert!(!csp.contains('*'), "{csp}");
        assert!(!csp.contains("aerosync.com"), "{csp}");
    }

    #[test]
    fn a_simulator_without_an_origin_frames_nothing() {
        let csp = csp_for(&Environment::Simulator, None);
        assert_eq!(frame_src_of(&csp), "'none'");
    }

    #[test]
    fn a_custom_environment_frames_its_base_origin_and_aerosync_hosts() {
        let environment = Environment::Custom {
            base_url: "http://127.0.0.1:47811".parse().unwrap(),
        };
        let csp = csp_for(&environment, Some("http://127.0.0.1:41234"));
        let sources = frame_src_of(&csp);
        let sources: Vec<&str> = sources.split(' ').collect();
        assert_eq!(sources[0], "http://127.0.0.1:47811");
        assert_eq!(&sources[1..], KNOWN_AEROSYNC_ORIGINS);
        assert!(!csp.contains('*'), "{csp}");
    }

    #[test]
    fn every_other_directive_is_fixed_and_strict() {
        for environment in [Environment::Production, Environment::Simulator] {
            let csp = csp_for(&environment, Some("http://127.0.0.1:1"));
            let got: Vec<(String, String)> = directives(&csp)
                .into_iter()
                .filter(|(name, _)| name != "frame-src")
                .collect();
            let want: Vec<(String, String)> = FIXED_DIRECTIVES
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect();
            assert_eq!(got, want);
        }
    }

    /// The static policy in `tauri.conf.json` is the fallback: the same
    /// fixed directives, and no frames at all.
    #[test]
    fn the_configured_fallback_matches_and_frames_nothing() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = conf["app"]["security"]["csp"]
            .as_object()
            .expect("the CSP is a directive map");
        let mut want: Vec<(String, String)> = FIXED_DIRECTIVES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        want.push(("frame-src".into(), "'none'".into()));
        want.sort();
        let mut got: Vec<(String, String)> = csp
            .iter()
            .map(|(n, s)| (n.clone(), s.as_str().unwrap_or_default().to_owned()))
            .collect();
        got.sort();
        assert_eq!(got, want);
    }
}
