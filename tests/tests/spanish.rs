//! A whole enrollment in Spanish, in the real window: on a kiosk the
//! customer picks "Español" on the attract screen (and the next customer,
//! after the reset, sees English again); a desk follows its Language
//! setting. Every screen's visible text is checked against the English
//! catalog: no English catalog text longer than a short word may show.

mod common;

use aeropay_onboarding_e2e::{App, Launch};
use common::*;
use onboarding_core::i18n::{text_fragments, Lang};

/// English catalog pieces that could give a screen away as English: at
/// least 5 letters long and not also a piece of the Spanish catalog (names
/// such as "English" and "Aeropay Onboarding" are the same in both).
fn english_fragments() -> Vec<String> {
    let spanish = text_fragments(Lang::Es);
    let mut fragments: Vec<String> = text_fragments(Lang::En)
        .into_iter()
        .map(|text| text.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|text| text.chars().filter(|c| c.is_alphabetic()).count() >= 5)
        .filter(|text| !spanish.iter().any(|es| contains_words(es, text)))
        .collect();
    fragments.sort();
    fragments.dedup();
    assert!(fragments.len() > 150, "only {} fragments", fragments.len());
    fragments
}

/// Whether `needle` occurs in `text` as whole words ("Cancel" is not in
/// "Cancelar").
fn contains_words(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn the_scan_finds_english_and_passes_spanish() {
    let fragments = english_fragments();
    let found = |text: &str| fragments.iter().any(|f| contains_words(text, f));
    assert!(found("Enter the code"));
    assert!(found("Paso 2 · Cancel"));
    assert!(!found("Ingrese el código. Cancelar"));
}

/// Fails when the page's visible text (the widget's frame aside: it is
/// Aerosync's) shows English catalog text or a raw message id.
async fn assert_spanish(app: &App, screen: &str, fragments: &[String]) {
    app.screenshot(&format!("es-{screen}"));
    let visible = app
        .execute("return document.body.innerText")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let english: Vec<_> = fragments
        .iter()
        .filter(|fragment| contains_words(&visible, fragment))
        .collect();
    assert!(
        english.is_empty(),
        "{screen}: English on a Spanish screen: {english:?}\n---\n{visible}"
    );
    assert!(
        !visible.contains("ui-") && !visible.contains("err-"),
        "{screen}: a message id instead of its text:\n{visible}"
    );
    let lang = app.execute("return document.documentElement.lang").await;
    assert_eq!(lang, "es", "{screen}: the page's lang");
}

/// Fails when the page scrolls sideways or a button's text overflows it.
async fn assert_fits(app: &App, screen: &str) {
    app.screenshot(&format!("es-{screen}"));
    let overflow = app
        .execute(
            r#"const out = [];
            if (document.documentElement.scrollWidth > window.innerWidth + 1)
              out.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
            for (const b of document.querySelectorAll("button")) {
              if (b.getClientRects().length === 0) continue;
              if (b.scrollWidth > b.clientWidth + 1) out.push(`${b.id || b.textContent}: ${b.scrollWidth} > ${b.clientWidth}`);
            }
            return out;"#,
        )
        .await;
    assert_eq!(
        overflow,
        serde_json::json!([]),
        "{screen}: text does not fit"
    );
}

/// Details, code and the widget with Spanish screens; returns once the
/// done screen lists the linked account.
async fn enroll_in_spanish(app: &App, customer: &Customer, fragments: &[String]) {
    app.wait_for_text("#screen-title", "Cliente nuevo").await;
    assert_spanish(app, "details", fragments).await;
    // Mistakes are named in Spanish too (Rust's field errors).
    app.click("#details-submit").await;
    app.wait_for_text(".field-error", "Ingrese el nombre del cliente.")
        .await;
    assert_spanish(app, "details-errors", fragments).await;
    app.type_into("#field-firstName", customer.first_name).await;
    app.type_into("#field-lastName", customer.last_name).await;
    app.type_into("#field-phone", &customer.phone).await;
    app.type_into("#field-email", &customer.email).await;
    app.click("#details-submit").await;

    app.wait_for_text("#screen-title", "Ingrese el código")
        .await;
    app.wait_for_text("#code-attempts", "intentos").await;
    assert_spanish(app, "code", fragments).await;
    // Aeropay's refusal of a wrong code (AP111), in Spanish.
    app.type_into("#field-code", "111111").await;
    app.click("#code-submit").await;
    app.wait_for_text(".banner.error", "Ese código de verificación no es correcto")
        .await;
    app.wait_for_text(".banner.error", "Código para soporte: AP111")
        .await;
    assert_spanish(app, "code-wrong", fragments).await;
    app.type_into("#field-code", BYPASS_CODE).await;
    app.click("#code-submit").await;

    app.wait_for_text("#screen-title", "Vincular una cuenta bancaria")
        .await;
    // Aerosync's widget has no language option: the customer is told.
    app.wait_for_text("#widget-language-note", "en inglés")
        .await;
    app.find("#widget-frame").await;
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    app.leave_frames().await;
    assert_spanish(app, "widget", fragments).await;
    link_checking_account(app, Bank::AerosyncMfa).await;

    app.wait_for_text("#screen-title", "Cuenta bancaria vinculada")
        .await;
    let accounts = app
        .wait_for_text("#linked-accounts", "Cuenta de cheques •••• 5016")
        .await;
    assert!(accounts.contains("Aerosync Bank (MFA)"), "{accounts}");
    app.wait_for_text(
        ".card.done .lead",
        &format!("La cuenta de {} está lista", customer.first_name),
    )
    .await;
    assert_spanish(app, "done", fragments).await;
}

#[tokio::test]
async fn a_kiosk_customer_enrolls_in_spanish_and_the_next_one_starts_in_english() {
    let fragments = english_fragments();
    let app = App::launch_with(quiet_kiosk()).await;
    app.wait_for_text(".attract-title", "Link your bank account with Aeropay")
        .await;
    app.wait_for_text("#language-es", "Español").await;
    app.click("#language-es").await;
    app.wait_for_text(".attract-title", "Vincule su cuenta bancaria con Aeropay")
        .await;
    app.wait_for_text("#app-status", "Listo").await;
    assert_spanish(&app, "attract", &fragments).await;
    app.click("#attract-start").await;

    let customer = Customer::new("Lucia", "Moreno", 61);
    enroll_in_spanish(&app, &customer, &fragments).await;

    // The next customer: the reset forgets the language.
    app.click("#next-customer").await;
    app.wait_for_text(".attract-title", "Link your bank account with Aeropay")
        .await;
    app.wait_for_text("#app-status", "Ready").await;
    let pressed = app
        .find("#language-en")
        .await
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    app.screenshot("en-attract-after-reset");
    app.click("#attract-start").await;
    app.wait_for_text("#screen-title", "New customer").await;
    app.close().await;
}

#[tokio::test]
async fn a_desk_set_to_spanish_enrolls_lists_and_can_switch_back() {
    let fragments = english_fragments();
    let app = App::launch_with(Launch {
        settings_json: Some(r#"{"language": "es"}"#.into()),
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#app-status", "Listo").await;
    let customer = Customer::new("Jorge", "Ramos", 62);
    enroll_in_spanish(&app, &customer, &fragments).await;

    // The list: the date in Spanish, as Rust writes it.
    app.click("#nav-list").await;
    app.wait_for_text("#enrollments-count", "1 inscripción")
        .await;
    let date = app.text("#enrollments .date-cell").await;
    let months = [
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
    ];
    assert!(
        months
            .iter()
            .any(|month| date.contains(&format!(" {month} ")))
            && (date.ends_with("a. m.") || date.ends_with("p. m.")),
        "a Spanish date: {date:?}"
    );
    app.wait_for_text("#enrollments", "Vinculada").await;
    assert_spanish(&app, "list", &fragments).await;

    // An update waiting for staff (the event the update check sends once a
    // verified package is in): the banner is Spanish, and so is the refusal
    // when the app itself has nothing waiting.
    app.execute(
        "window.dispatchEvent(new CustomEvent('aeropay:update-available', { detail: '9.9.9' })); return true",
    )
    .await;
    app.wait_for_text("#update-version", "Actualización disponible: versión 9.9.9")
        .await;
    app.wait_for_text("#update-install", "Instalar actualización")
        .await;
    assert_spanish(&app, "update-banner", &fragments).await;
    app.click("#update-install").await;
    app.wait_for_text(
        "#notice",
        "No hay ninguna actualización esperando para instalarse. (código UPDATE_NONE)",
    )
    .await;
    app.execute(
        "document.getElementById('notice').hidden = true; document.getElementById('update-available').hidden = true; return true",
    )
    .await;

    // Settings (no staff PIN on this desk): in Spanish, and switching the
    // language to English applies at once, without a restart.
    app.click("#open-settings").await;
    app.wait_for_text("#screen-title", "Configuración").await;
    assert_spanish(&app, "settings", &fragments).await;
    app.execute(
        "const s = document.getElementById('settings-language'); s.value = 'en'; return s.value",
    )
    .await;
    app.click("#settings-save").await;
    app.wait_for_text("#screen-title", "Settings").await;
    app.wait_for_text("#open-settings", "Settings").await;
    // Only the language changed: nothing asks for a restart.
    app.wait_for_text(".banner.info", "The new language applies now.")
        .await;
    assert!(!app.is_present("#settings-restart").await);
    app.wait_for_text("#app-status", "Ready").await;
    app.close().await;
}

#[tokio::test]
async fn the_idle_warning_counts_down_in_spanish() {
    let fragments = english_fragments();
    let app = App::launch_with(Launch {
        settings_json: Some(
            r#"{"kiosk": {"idleSeconds": 10, "warningSeconds": 60, "widgetIdleSeconds": 600}}"#
                .into(),
        ),
        args: vec!["--mode".into(), "kiosk".into()],
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#language-es", "Español").await;
    app.click("#language-es").await;
    app.wait_for_text(".attract-title", "Vincule su cuenta bancaria")
        .await;
    app.click("#attract-start").await;
    app.wait_for_text("#screen-title", "Cliente nuevo").await;
    // "Larger text" (200 %): the longer Spanish words still fit.
    app.wait_for_text("#larger-text", "Texto más grande").await;
    app.click("#larger-text").await;
    assert_fits(&app, "details-larger-text").await;
    // Quiet: Rust's warning, its countdown written by Fluent in Spanish.
    app.wait_for_text("#idle-warning", "¿Sigue ahí?").await;
    app.wait_for_text("#idle-text", "esta pantalla se reiniciará en")
        .await;
    app.wait_for_text("#idle-text", "segundos.").await;
    app.wait_for_text("#idle-more-time", "Necesito más tiempo")
        .await;
    assert_spanish(&app, "idle-warning", &fragments).await;
    assert_fits(&app, "idle-warning-larger-text").await;
    app.click("#idle-more-time").await;
    app.wait_for_text("#screen-title", "Cliente nuevo").await;
    app.close().await;
}
