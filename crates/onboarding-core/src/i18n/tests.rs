//! The catalogs' own checks: they parse, both languages have the same
//! messages, attributes and variables, and every id the page uses exists.

use super::*;
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(lang: Lang) -> impl Iterator<Item = (&'static str, &'static str)> {
    SOURCES
        .iter()
        .filter(move |(l, _, _)| *l == lang)
        .map(|(_, file, source)| (*file, *source))
}

/// Per message: its attribute names, and the variables of its value and
/// of each attribute.
type Shape = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

fn variables_in_pattern(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            variables_in_expression(expression, out);
        }
    }
}

fn variables_in_expression(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            variables_in_inline(selector, out);
            for variant in variants {
                variables_in_pattern(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => variables_in_inline(inline, out),
    }
}

fn variables_in_inline(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                variables_in_inline(argument, out);
            }
            for named in &arguments.named {
                variables_in_inline(&named.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => variables_in_expression(expression, out),
        _ => {}
    }
}

fn shape(lang: Lang) -> Shape {
    let mut out = Shape::new();
    for (file, source) in sources(lang) {
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("{lang:?} {file}: {errors:?}"));
        for entry in resource.body {
            if let ast::Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(value) = &message.value {
                    variables_in_pattern(value, &mut variables);
                }
                let mut attributes = BTreeSet::new();
                for attribute in &message.attributes {
                    attributes.insert(attribute.id.name.to_owned());
                    let mut attribute_variables = BTreeSet::new();
                    variables_in_pattern(&attribute.value, &mut attribute_variables);
                    for variable in attribute_variables {
                        variables.insert(format!("{}.{variable}", attribute.id.name));
                    }
                }
                let previous = out.insert(message.id.name.to_owned(), (attributes, variables));
                assert!(
                    previous.is_none(),
                    "{lang:?} {file}: {} twice",
                    message.id.name
                );
            }
        }
    }
    out
}

#[test]
fn every_catalog_file_parses_without_errors() {
    for lang in Lang::ALL {
        for (file, source) in sources(lang) {
            if let Err((_, errors)) = fluent_syntax::parser::parse(source) {
                panic!("{lang:?} {file} has parse errors: {errors:?}");
            }
        }
    }
}

#[test]
fn every_language_has_the_same_files() {
    let files = |lang| sources(lang).map(|(file, _)| file).collect::<Vec<_>>();
    assert_eq!(files(Lang::En), files(Lang::Es));
}

#[test]
fn every_message_is_in_both_languages_with_the_same_attributes_and_variables() {
    let english = shape(Lang::En);
    let spanish = shape(Lang::Es);
    let only_english: Vec<_> = english
        .keys()
        .filter(|id| !spanish.contains_key(*id))
        .collect();
    let only_spanish: Vec<_> = spanish
        .keys()
        .filter(|id| !english.contains_key(*id))
        .collect();
    assert!(only_english.is_empty(), "only in English: {only_english:?}");
    assert!(only_spanish.is_empty(), "only in Spanish: {only_spanish:?}");
    for (id, (attributes, variables)) in &english {
        let (es_attributes, es_variables) = &spanish[id];
        assert_eq!(attributes, es_attributes, "attributes of {id}");
        assert_eq!(variables, es_variables, "variables of {id}");
    }
}

#[test]
fn the_checks_see_a_missing_key_and_a_changed_variable() {
    // The same walk as above, on a pair of small catalogs that differ.
    let parse = |source: &'static str| {
        let resource = fluent_syntax::parser::parse(source).expect("parses");
        let mut variables = BTreeMap::new();
        for entry in resource.body {
            if let ast::Entry::Message(message) = entry {
                let mut found = BTreeSet::new();
                variables_in_pattern(message.value.as_ref().unwrap(), &mut found);
                variables.insert(message.id.name.to_owned(), found);
            }
        }
        variables
    };
    let en = parse("a = { $count ->\n [one] one\n *[other] { $count } things\n}\nb = B\n");
    let es = parse("a = { $total } cosas\n");
    assert_ne!(en.get("a"), es.get("a"));
    assert!(!es.contains_key("b"));
    assert!(fluent_syntax::parser::parse("a = { $count").is_err());
}

#[test]
fn a_missing_message_falls_back_to_english_then_to_its_id() {
    assert_eq!(tr_in(Lang::Es, "no-such-message", None), "no-such-message");
    assert_eq!(tr_in(Lang::En, "ui-language-en", None), "English");
}

#[test]
fn plurals_are_fluents() {
    let one = args([("count", FluentValue::from(1))]);
    let two = args([("count", FluentValue::from(2))]);
    assert_eq!(
        tr_in(Lang::En, "ui-code-attempts", Some(&one)),
        "1 attempt left"
    );
    assert_eq!(
        tr_in(Lang::En, "ui-code-attempts", Some(&two)),
        "2 attempts left"
    );
    assert_eq!(
        tr_in(Lang::Es, "ui-code-attempts", Some(&one)),
        "Le queda 1 intento"
    );
    assert_eq!(
        tr_in(Lang::Es, "ui-code-attempts", Some(&two)),
        "Le quedan 2 intentos"
    );
}

#[test]
fn the_page_bundle_has_the_plain_messages_and_leaves_out_those_with_variables() {
    let bundle = page_bundle(Lang::Es);
    assert_eq!(bundle.lang, Lang::Es);
    assert_eq!(
        bundle.messages["ui-details-continue"].value.as_deref(),
        Some("Continuar")
    );
    assert!(!bundle.messages.contains_key("ui-code-attempts"));
}

#[test]
fn the_os_locale_names_the_language() {
    assert_eq!(Lang::from_locale("es_US.UTF-8"), Lang::Es);
    assert_eq!(Lang::from_locale("es-MX"), Lang::Es);
    assert_eq!(Lang::from_locale("ES"), Lang::Es);
    assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
    assert_eq!(Lang::from_locale("fr_FR"), Lang::En);
    assert_eq!(Lang::from_locale(""), Lang::En);
}

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui")
}

/// The ids the page names: `data-l10n-id="…"` in the HTML, and every
/// string literal starting with `ui-` in the scripts (ids are written out
/// whole; a template that builds one fails this test).
fn page_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut built = Vec::new();
    for entry in std::fs::read_dir(ui_dir()).expect("ui/") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.ends_with(".html") || name.ends_with(".js")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for quote in ['"', '\'', '`'] {
            let opener = format!("{quote}ui-");
            let mut rest = text.as_str();
            while let Some(at) = rest.find(&opener) {
                let after = &rest[at + 1..];
                let end = after.find(quote).unwrap_or(after.len());
                let id = &after[..end];
                if id.contains("${") || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    built.push(format!("{name}: {id}"));
                } else {
                    ids.insert(id.to_owned());
                }
                rest = &after[end.min(after.len())..];
                if !rest.is_empty() {
                    rest = &rest[1..];
                }
            }
        }
    }
    assert!(built.is_empty(), "ids must be written out whole: {built:?}");
    ids
}

#[test]
fn every_id_the_page_uses_is_in_the_catalog() {
    let ids = page_ids();
    assert!(ids.len() > 50, "the scan found only {ids:?}");
    for lang in Lang::ALL {
        let missing: Vec<_> = ids.iter().filter(|id| !catalog(lang).has(id)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

#[test]
fn the_page_has_no_literal_text_left_in_its_html() {
    // Every element with text of its own in index.html carries an id.
    let html = std::fs::read_to_string(ui_dir().join("index.html")).expect("index.html");
    let body = &html[html.find("<body>").expect("body")..];
    for line in body.lines() {
        let line = line.trim();
        let Some(close) = line.find('>') else {
            continue;
        };
        let text_after = line[close + 1..]
            .split('<')
            .next()
            .unwrap_or_default()
            .trim();
        if !text_after.is_empty() && text_after.chars().any(char::is_alphabetic) {
            assert!(line.contains("data-l10n-id"), "text without an id: {line}");
        }
    }
}
