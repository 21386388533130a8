//! What each webview of a kiosk refuses, decided once from the mode so the
//! platforms' window code only carries it out (and so it is tested here,
//! also for what only Windows or macOS can act on).

use crate::config::Mode;

/// What a webview (the main window or a bank window) refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockdown {
    /// The context menu ("Back", "Reload", "Inspect Element"…), in every
    /// frame: WebKitGTK's `context-menu` signal.
    pub context_menu: bool,
    /// `window.print()` and the print dialog, which opens the system's
    /// file and printer dialogs: WebKitGTK's `print` signal.
    pub print: bool,
    /// `<input type=file>` and its file chooser, a way into the file
    /// system: WebKitGTK's `run-file-chooser` signal.
    pub file_chooser: bool,
    /// WebView2's browser shortcuts (Ctrl+P, Ctrl+F, F5, Ctrl+Shift+I…)
    /// on Windows.
    pub browser_accelerator_keys: bool,
    /// The default application menu macOS gives every app (Quit, Hide,
    /// Services…), which a kiosk must not show.
    pub macos_default_menu: bool,
}

impl Lockdown {
    /// A kiosk refuses all of it; a desk is a normal window for staff.
    pub fn for_mode(mode: Mode) -> Self {
        let kiosk = mode == Mode::Kiosk;
        Self {
            context_menu: kiosk,
            print: kiosk,
            file_chooser: kiosk,
            browser_accelerator_keys: kiosk,
            macos_default_menu: kiosk,
        }
    }

    /// Whether anything is refused at all.
    pub fn any(&self) -> bool {
        self.context_menu
            || self.print
            || self.file_chooser
            || self.browser_accelerator_keys
            || self.macos_default_menu
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_refuses_every_way_out_and_a_desk_none() {
        let kiosk = Lockdown::for_mode(Mode::Kiosk);
        assert_eq!(
            kiosk,
            Lockdown {
                context_menu: true,
                print: true,
                file_chooser: true,
                browser_accelerator_keys: true,
                macos_default_menu: true,
            }
        );
        let desk = Lockdown::for_mode(Mode::Desk);
        assert!(!desk.any(), "{desk:?}");
    }
}
