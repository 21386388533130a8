//! What can go wrong with an update, each with a code support can look up.

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("no update feed is set: staff set one in Settings")]
    NoFeed,
    #[error("the update channel {0:?} is not a plain word (letters, digits, - _ .)")]
    BadChannel(String),
    #[error(
        "the update address {0} is refused: it must be https, or http on this machine (127.0.0.1)"
    )]
    FeedNotAllowed(String),
    #[error("the update feed could not be read: {0}")]
    Feed(String),
    #[error("the update was refused: its signature does not match the release key ({0}); the installed version keeps running")]
    Signature(String),
    #[error("the update was refused: {0}; the installed version keeps running")]
    WrongPackage(String),
    #[error("this copy of the app was not installed from a .deb package: update it the way it was installed")]
    NotADebInstall,
    #[error("the update could not be installed: {0}; the installed version keeps running")]
    Install(String),
}

impl UpdateError {
    pub fn code(&self) -> &'static str {
        match self {
            UpdateError::NoFeed => "UPDATE_NO_FEED",
            UpdateError::BadChannel(_) => "UPDATE_BAD_CHANNEL",
            UpdateError::FeedNotAllowed(_) => "UPDATE_FEED_NOT_ALLOWED",
            UpdateError::Feed(_) => "UPDATE_FEED_UNREACHABLE",
            UpdateError::Signature(_) => "UPDATE_SIGNATURE_REFUSED",
            UpdateError::WrongPackage(_) => "UPDATE_WRONG_PACKAGE",
            UpdateError::NotADebInstall => "UPDATE_NOT_A_DEB_INSTALL",
            UpdateError::Install(_) => "UPDATE_INSTALL_FAILED",
        }
    }

    /// Whether the next scheduled check may go better.
    pub fn retry(&self) -> bool {
        matches!(self, UpdateError::Feed(_) | UpdateError::Install(_))
    }
}
