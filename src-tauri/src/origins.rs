//! The web origins Aeropay needs to know about a deployment: the origin of
//! the app's own page, which hosts the Aerosync widget (the widget's
//! `parent`/embedding origin), per platform, and the origins the page may
//! frame (the CSP's `frame-src`, [`crate::aerosync::frame_origins`]).
//! Plain Rust: the platform is a value, so every platform's answer is
//! unit-tested on any build machine; `doctor` prints this machine's.

/// Where the app runs. Only the page's scheme and host depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
}

/// Whether the Windows build serves its page over `https://tauri.localhost`
/// (Tauri's `useHttpsScheme`) rather than `http://tauri.localhost`. The main
/// window is built with this value, so the origin Aeropay is given and the
/// one the page really has cannot drift apart. Changing it changes the
/// page's origin, and with it its web storage, on machines already
/// installed.
pub const WINDOWS_USE_HTTPS_SCHEME: bool = false;

impl Platform {
    /// The platform this binary was built for (other Unix systems serve the
    /// page like Linux: WebKitGTK's `tauri://` scheme).
    pub const fn current() -> Self {
        if cfg!(target_os = "windows") {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else {
            Platform::Linux
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Platform::Linux => "Linux",
            Platform::MacOs => "macOS",
            Platform::Windows => "Windows",
        }
    }
}

/// The origin of the app's page: `tauri://localhost` where the webview
/// (WebKitGTK, WKWebView) serves it through a custom scheme; on Windows
/// WebView2 serves it from `http(s)://tauri.localhost`.
pub const fn page_origin(platform: Platform, windows_use_https: bool) -> &'static str {
    match platform {
        Platform::Linux | Platform::MacOs => "tauri://localhost",
        Platform::Windows if windows_use_https => "https://tauri.localhost",
        Platform::Windows => "http://tauri.localhost",
    }
}

/// This build's page origin.
pub const fn this_page_origin() -> &'static str {
    page_origin(Platform::current(), WINDOWS_USE_HTTPS_SCHEME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_has_its_page_origin() {
        assert_eq!(page_origin(Platform::Linux, false), "tauri://localhost");
        assert_eq!(page_origin(Platform::Linux, true), "tauri://localhost");
        assert_eq!(page_origin(Platform::MacOs, false), "tauri://localhost");
        assert_eq!(page_origin(Platform::MacOs, true), "tauri://localhost");
        assert_eq!(
            page_origin(Platform::Windows, false),
            "http://tauri.localhost"
        );
        assert_eq!(
            page_origin(Platform::Windows, true),
            "https://tauri.localhost"
        );
    }

    #[test]
    fn this_build_names_its_own_platform() {
        let expected = if cfg!(windows) {
            "http://tauri.localhost"
        } else {
            "tauri://localhost"
        };
        assert_eq!(this_page_origin(), expected);
        #[cfg(target_os = "linux")]
        assert_eq!(Platform::current(), Platform::Linux);
    }

    #[test]
    fn the_page_origin_is_one_the_window_takes_for_its_own() {
        // The app window's check of its own address accepts every origin
        // this module can name.
        for (platform, https) in [
            (Platform::Linux, false),
            (Platform::MacOs, false),
            (Platform::Windows, false),
            (Platform::Windows, true),
        ] {
            let url =
                url::Url::parse(&format!("{}/index.html", page_origin(platform, https))).unwrap();
            assert!(crate::app::is_app_url(&url), "{url}");
        }
    }

    #[test]
    fn the_bundle_config_installs_for_every_user_of_a_shared_machine() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        // Windows: NSIS per machine (MSI installs per machine by itself),
        // so a kiosk's dedicated account and staff get the same app.
        assert_eq!(
            config["bundle"]["windows"]["nsis"]["installMode"],
            "perMachine"
        );
        // No window in the config may set its own scheme: the main window
        // is built in code with WINDOWS_USE_HTTPS_SCHEME.
        let windows = config["app"]["windows"].as_array().unwrap();
        assert!(windows
            .iter()
            .all(|window| window.get("useHttpsScheme").is_none()));
    }
}
