//! The page's texts: Rust formats them (Fluent) in the current language.
//! The page asks for its plain messages once per language
//! (`l10n_bundle`), and for those with variables as it shows them
//! (`l10n_format`); a kiosk's customer picks the language on the attract
//! screen (`l10n_choose`), which the next reset forgets.

use super::CommandError;
use crate::config::Mode;
use crate::i18n::{self, Lang, PageBundle, PageMessage};
use crate::AppState;
use serde::Deserialize;
use tauri::State;

/// The most messages one `l10n_format` call formats, and the longest id or
/// argument it takes: the page asks for a screen's worth at a time.
const MAX_REQUESTS: usize = 200;
const MAX_TEXT: usize = 1000;

/// The current language's messages without variables.
#[tauri::command]
pub fn l10n_bundle() -> &'static PageBundle {
    i18n::page_bundle(i18n::current())
}

#[derive(Debug, Deserialize)]
pub struct FormatRequest {
    pub id: String,
    #[serde(default)]
    pub args: serde_json::Map<String, serde_json::Value>,
}

/// Messages with variables, formatted in the current language, in the
/// order asked. A message the catalog lacks comes back in English, or as
/// its id (logged, never an error).
#[tauri::command]
pub fn l10n_format(requests: Vec<FormatRequest>) -> Result<Vec<PageMessage>, CommandError> {
    let too_long = |text: &str| text.len() > MAX_TEXT;
    if requests.len() > MAX_REQUESTS
        || requests.iter().any(|request| {
            too_long(&request.id)
                || request.args.len() > 20
                || request
                    .args
                    .iter()
                    .any(|(name, value)| too_long(name) || too_long(&value.to_string()))
        })
    {
        return Err(CommandError {
            code: "L10N_TOO_LARGE".into(),
            message: i18n::tr_args(
                "err-l10n-too-large",
                &i18n::args([
                    ("count", fluent_bundle::FluentValue::from(MAX_REQUESTS)),
                    ("chars", fluent_bundle::FluentValue::from(MAX_TEXT)),
                ]),
            ),
            retry: false,
        });
    }
    let lang = i18n::current();
    Ok(requests
        .iter()
        .map(|request| i18n::page_format(lang, &request.id, &request.args))
        .collect())
}

/// Kiosk: the customer picks the language on the attract screen. It lasts
/// until the session is reset. Counts as the customer's input, so a
/// customer who picks a language and walks away is reset like any other.
/// A desk follows its setting (`L10N_DESK_SETTING`).
#[tauri::command]
pub fn l10n_choose(
    state: State<'_, AppState>,
    lang: Lang,
) -> Result<&'static PageBundle, CommandError> {
    if state.settings.mode != Mode::Kiosk {
        return Err(CommandError::localized(
            "L10N_DESK_SETTING",
            "A desk's language is chosen in Settings.",
            false,
        ));
    }
    i18n::set_current(lang);
    state
        .idle
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .input(super::now_ms());
    tracing::info!(lang = lang.code(), "the customer chose a language");
    Ok(i18n::page_bundle(lang))
}
