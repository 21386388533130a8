//! The app's texts in English and Spanish: Fluent catalogs
//! (`crates/onboarding-core/locales/<lang>/*.ftl`) compiled into the binary. Rust formats
//! every message, the page's included: the page gets the messages without
//! variables for the current language (`l10n_bundle`) and asks Rust to
//! format those with variables (`l10n_format`), so plural rules and
//! variables are Fluent's, never the page's.
//!
//! The current language is one per app (one window, one customer at a
//! time): a kiosk's customer picks it on the attract screen and a reset
//! forgets it; a desk follows its setting (or, on automatic, the OS).
//!
//! A message missing from a catalog never panics: the English text is
//! used (and the id logged), else the id itself.

mod errors;
mod format;

pub use errors::{error_id, localize, localize_in, ErrorArg, ErrorText, PageText};

pub use format::format_datetime;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 tag (US English, US Spanish).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en-US",
            Lang::Es => "es-US",
        }
    }

    /// The short code the page and the settings use.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language of a locale name such as `es_US.UTF-8`, `es-MX` or
    /// `en`; English for anything the app does not speak.
    pub fn from_locale(locale: &str) -> Lang {
        let lower = locale.trim().to_ascii_lowercase();
        let primary = lower.split(['_', '-', '.', '@']).next().unwrap_or_default();
        match primary {
            "es" => Lang::Es,
            _ => Lang::En,
        }
    }

    /// The OS's language: `LC_ALL`, `LC_MESSAGES`, `LANG` (in that order,
    /// as POSIX reads them), else what the OS reports (`sys-locale`).
    pub fn from_os() -> Lang {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(name) {
                if !value.is_empty() && value != "C" && value != "POSIX" {
                    return Lang::from_locale(&value);
                }
                if !value.is_empty() {
                    return Lang::En;
                }
            }
        }
        sys_locale::get_locale()
            .map(|locale| Lang::from_locale(&locale))
            .unwrap_or(Lang::En)
    }
}

/// The Settings choice: a language, or the OS's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageSetting {
    #[default]
    Auto,
    En,
    Es,
}

impl LanguageSetting {
    pub fn resolve(self) -> Lang {
        match self {
            LanguageSetting::Auto => Lang::from_os(),
            LanguageSetting::En => Lang::En,
            LanguageSetting::Es => Lang::Es,
        }
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// The language the screen speaks now.
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Es,
        _ => Lang::En,
    }
}

pub fn set_current(lang: Lang) {
    let value = match lang {
        Lang::En => 0,
        Lang::Es => 1,
    };
    CURRENT.store(value, Ordering::Relaxed);
}

/// The catalogs, file by file (the same names in every language).
const SOURCES: &[(Lang, &str, &str)] = &[
    (
        Lang::En,
        "page.ftl",
        include_str!("../../locales/en/page.ftl"),
    ),
    (
        Lang::En,
        "errors.ftl",
        include_str!("../../locales/en/errors.ftl"),
    ),
    (
        Lang::Es,
        "page.ftl",
        include_str!("../../locales/es/page.ftl"),
    ),
    (
        Lang::Es,
        "errors.ftl",
        include_str!("../../locales/es/errors.ftl"),
    ),
];

/// One language's catalog: the bundle that formats, and its resources as
/// parsed (for the checks and the page's list of messages).
pub struct Catalog {
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
}

fn build(lang: Lang) -> Catalog {
    let locale = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // No Unicode isolation marks around placeables: both languages are
    // left-to-right, and the marks would end up in copied text.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    for (_, file, source) in SOURCES.iter().filter(|(l, _, _)| *l == lang) {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                tracing::error!(
                    lang = lang.code(),
                    file,
                    errors = errors.len(),
                    "catalog has syntax errors; the readable messages are used"
                );
                resource
            }
        };
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(message) = entry {
                ids.push(message.id.name.to_owned());
            }
        }
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                lang = lang.code(),
                file,
                errors = errors.len(),
                "catalog has duplicate messages; the first ones are used"
            );
        }
    }
    Catalog { bundle, ids }
}

fn catalogs() -> &'static [Catalog; 2] {
    static CATALOGS: OnceLock<[Catalog; 2]> = OnceLock::new();
    CATALOGS.get_or_init(|| [build(Lang::En), build(Lang::Es)])
}

pub fn catalog(lang: Lang) -> &'static Catalog {
    &catalogs()[match lang {
        Lang::En => 0,
        Lang::Es => 1,
    }]
}

impl Catalog {
    /// Every message id, in catalog order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// The message's value, formatted; `None` when the catalog lacks it (or
    /// it has only attributes). Formatting errors (a missing variable) are
    /// logged with the id, never the arguments.
    pub fn format(&self, id: &str, args: Option<&FluentArgs>) -> Option<String> {
        let message = self.bundle.get_message(id)?;
        let pattern = message.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, errors = errors.len(), "message formatted with errors");
        }
        Some(text.into_owned())
    }

    /// The message's attributes (`.aria-label`, `.placeholder`…), formatted.
    pub fn attributes(&self, id: &str, args: Option<&FluentArgs>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(message) = self.bundle.get_message(id) else {
            return out;
        };
        for attribute in message.attributes() {
            let mut errors = Vec::new();
            let text = self
                .bundle
                .format_pattern(attribute.value(), args, &mut errors);
            out.insert(attribute.id().to_owned(), text.into_owned());
        }
        out
    }

    /// The message's value and attributes when all of them format without
    /// arguments (the page gets these ready-made), each formatted once.
    fn without_args(&self, id: &str) -> Option<PageMessage> {
        let message = self.bundle.get_message(id)?;
        let mut errors = Vec::new();
        let value = message.value().map(|pattern| {
            self.bundle
                .format_pattern(pattern, None, &mut errors)
                .into_owned()
        });
        let mut attributes = BTreeMap::new();
        for attribute in message.attributes() {
            let text = self
                .bundle
                .format_pattern(attribute.value(), None, &mut errors);
            attributes.insert(attribute.id().to_owned(), text.into_owned());
        }
        errors
            .is_empty()
            .then_some(PageMessage { value, attributes })
    }
}

/// `id` in `lang`, falling back to English (and logging the id), then to
/// the id itself. Never panics.
pub fn tr_in(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    if let Some(text) = catalog(lang).format(id, args) {
        return text;
    }
    tracing::warn!(id, lang = lang.code(), "message missing from the catalog");
    if lang != Lang::En {
        if let Some(text) = catalog(Lang::En).format(id, args) {
            return text;
        }
    }
    id.to_owned()
}

/// `id` in the current language.
pub fn tr(id: &str) -> String {
    tr_in(current(), id, None)
}

/// `id` with arguments, in the current language.
pub fn tr_args(id: &str, args: &FluentArgs) -> String {
    tr_in(current(), id, Some(args))
}

/// Arguments from name/value pairs: `args![("count", 3.into())]`.
pub fn args<'a>(pairs: impl IntoIterator<Item = (&'a str, FluentValue<'a>)>) -> FluentArgs<'a> {
    let mut out = FluentArgs::new();
    for (name, value) in pairs {
        out.set(name, value);
    }
    out
}

/// One message for the page: its value and attributes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PageMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// What the page gets for a language: every message that needs no
/// arguments, formatted (English for any the language lacks).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PageBundle {
    pub lang: Lang,
    pub messages: BTreeMap<String, PageMessage>,
}

/// The page's bundle of `lang`, made the first time it is asked for and
/// kept: the catalogs are compiled in, so it never changes.
pub fn page_bundle(lang: Lang) -> &'static PageBundle {
    static BUNDLES: [OnceLock<PageBundle>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = match lang {
        Lang::En => &BUNDLES[0],
        Lang::Es => &BUNDLES[1],
    };
    slot.get_or_init(|| make_page_bundle(lang))
}

fn make_page_bundle(lang: Lang) -> PageBundle {
    let mut messages = BTreeMap::new();
    // English first, for the messages the language lacks; then the
    // language's own over them.
    let sources: &[Lang] = match lang {
        Lang::En => &[Lang::En],
        Lang::Es => &[Lang::En, Lang::Es],
    };
    for source in sources.iter().map(|lang| catalog(*lang)) {
        for id in source.ids() {
            if let Some(message) = source.without_args(id) {
                messages.insert(id.clone(), message);
            }
        }
    }
    PageBundle { lang, messages }
}

/// Arguments as the page sends them (JSON numbers and strings).
pub fn args_from_json(values: &serde_json::Map<String, serde_json::Value>) -> FluentArgs<'_> {
    let mut out = FluentArgs::new();
    for (name, value) in values {
        match value {
            serde_json::Value::Number(number) => {
                out.set(
                    name.as_str(),
                    FluentValue::from(number.as_f64().unwrap_or(0.0)),
                );
            }
            serde_json::Value::String(text) => out.set(name.as_str(), text.as_str()),
            serde_json::Value::Bool(flag) => out.set(name.as_str(), flag.to_string()),
            _ => out.set(name.as_str(), ""),
        }
    }
    out
}

/// A message with arguments, formatted for the page: value and attributes.
pub fn page_format(
    lang: Lang,
    id: &str,
    values: &serde_json::Map<String, serde_json::Value>,
) -> PageMessage {
    let args = args_from_json(values);
    let source = if catalog(lang).has(id) {
        catalog(lang)
    } else {
        catalog(Lang::En)
    };
    // A message of attributes alone (an aria-label) has no value: the
    // element keeps its own text.
    let has_value = source
        .bundle
        .get_message(id)
        .is_some_and(|message| message.value().is_some());
    PageMessage {
        value: (has_value || !source.has(id)).then(|| tr_in(lang, id, Some(&args))),
        attributes: source.attributes(id, Some(&args)),
    }
}

/// The literal pieces of every message of `lang` (values, attributes and
/// select variants, split where a variable goes), trimmed: what a screen
/// in that language can show word for word. For the end-to-end check that
/// a Spanish screen shows no English.
pub fn text_fragments(lang: Lang) -> Vec<String> {
    use fluent_syntax::ast;
    fn walk(pattern: &ast::Pattern<&str>, out: &mut Vec<String>) {
        let mut current = String::new();
        for element in &pattern.elements {
            match element {
                ast::PatternElement::TextElement { value } => current.push_str(value),
                ast::PatternElement::Placeable { expression } => {
                    out.push(std::mem::take(&mut current));
                    if let ast::Expression::Select { variants, .. } = expression {
                        for variant in variants {
                            walk(&variant.value, out);
                        }
                    }
                }
            }
        }
        out.push(current);
    }
    let mut out = Vec::new();
    for (_, _, source) in SOURCES.iter().filter(|(l, _, _)| *l == lang) {
        let resource = match fluent_syntax::parser::parse(*source) {
            Ok(resource) => resource,
            Err((resource, _)) => resource,
        };
        for entry in &resource.body {
            if let ast::Entry::Message(message) = entry {
                if let Some(value) = &message.value {
                    walk(value, &mut out);
                }
                for attribute in &message.attributes {
                    walk(&attribute.value, &mut out);
                }
            }
        }
    }
    out.into_iter()
        .flat_map(|text| {
            text.lines()
                .map(|line| line.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|text| !text.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;
