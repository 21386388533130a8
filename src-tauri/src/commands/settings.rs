//! The settings screen: read (never a secret), save (secrets to the keychain
//! first), restart to apply. Staff only: with a staff PIN set each needs an
//! unlocked staff session (and refreshes it); a kiosk without a PIN refuses
//! them.

use super::staff::require_staff;
use super::CommandError;
use crate::config::Settings;
use crate::policy::{managed_refusal, SETTINGS_MANAGED};
use crate::settings_form::{changed_fields, FieldErrors, SettingsForm, SettingsView};
use crate::store::AuditAction;
use crate::vault::{Secret, SecretKey};
use crate::AppState;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsSaved {
    pub saved: bool,
    /// The saved language differs from the one saved before (a desk
    /// speaks it at once; the page then says so instead of asking for a
    /// restart, unless other changes need one).
    pub language_changed: bool,
    pub field_errors: FieldErrors,
}

/// The saved settings (what the next start uses), and whether they differ
/// from the ones this run uses.
#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<SettingsView, CommandError> {
    require_staff(&state).await?;
    // The user's settings with the policy's managed fields: what the
    // screen shows (the managed ones read-only).
    let saved = state
        .policy
        .apply(Settings::load_from(&state.settings_path)?);
    let key = SecretKey::MerchantCredentials {
        environment: saved.environment.id(),
    };
    let vault = state.vault.clone();
    let stored = super::blocking(move || vault.get(&key)).await?;
    let mut view = SettingsView::of(&saved, stored.is_some());
    view.managed = state.policy.fields();
    // What a restart would run with: the saved settings, unless `--mode`
    // keeps overriding the mode (the policy wins over both).
    let mut after_restart = saved;
    if let Some(mode) = state.mode_override {
        after_restart.mode = mode;
        after_restart = state.policy.apply(after_restart);
    }
    // A desk's language applies at once (`settings_save`): no restart for
    // it. A kiosk starts its customers in the language it started with.
    if state.settings.mode == crate::config::Mode::Desk {
        after_restart.language = state.settings.language;
    }
    view.restart_pending = after_restart != state.settings;
    view.staff_pin_set = state.backend().await?.staff.status()?.pin_set;
    Ok(view)
}

/// Validates, stores new credentials in the keychain, then writes the
/// settings file. Takes effect after a restart (`app_restart`).
#[tauri::command]
pub async fn settings_save(
    state: State<'_, AppState>,
    form: SettingsForm,
) -> Result<SettingsSaved, CommandError> {
    require_staff(&state).await?;
    let previous = Settings::load_from(&state.settings_path)?;
    let validated = match &previous.fleet {
        Some(_) => form.validate_in_fleet(&previous).map(|s| (s, None)),
        None => form.validate(),
    };
    let (settings, credentials) = match validated {
        Ok(valid) => valid,
        Err(field_errors) => {
            return Ok(SettingsSaved {
                saved: false,
                language_changed: false,
                field_errors,
            })
        }
    };
    // `--mode kiosk` keeps this machine a kiosk whatever the form says.
    if state.mode_override == Some(crate::config::Mode::Kiosk) && settings.oauth_in_system_browser {
        let mut field_errors = FieldErrors::new();
        field_errors.insert(
            "oauthInSystemBrowser".into(),
            crate::i18n::localize("SETTINGS_FIELD", crate::config::KIOSK_SYSTEM_BROWSER),
        );
        return Ok(SettingsSaved {
            saved: false,
            language_changed: false,
            field_errors,
        });
    }
    // A managed field keeps the policy's value, whatever the page sent.
    let managed = state.policy.changed_by(&settings);
    if !managed.is_empty() {
        tracing::warn!(fields = ?managed, "settings save refused: managed by the policy");
        return Err(CommandError::shown(
            SETTINGS_MANAGED,
            &managed_refusal(&managed),
            false,
        ));
    }
    // The file keeps the user's own values of the managed fields.
    let to_save = state.policy.keep_user_values(settings.clone(), &previous);
    let mut changed = changed_fields(&previous, &to_save);
    if credentials.is_some() {
        changed.push("apiCredentials");
    }
    if let Some(credentials) = credentials {
        let key = SecretKey::MerchantCredentials {
            environment: settings.environment.id(),
        };
        let secret = Secret::MerchantCredentials {
            api_key: credentials.api_key,
            api_secret: credentials.api_secret,
            merchant_id: credentials.merchant_id,
        };
        let vault = state.vault.clone();
        super::blocking(move || vault.put(&key, &secret)).await?;
    }
    to_save.save_to(&state.settings_path)?;
    // A desk speaks the new language at once (the page reloads its
    // texts); a kiosk's next customer starts in it after the next reset.
    if state.settings.mode == crate::config::Mode::Desk {
        crate::i18n::set_current(settings.language.resolve());
    }
    tracing::info!(environment = %settings.environment.id(), "settings saved");
    let detail = if changed.is_empty() {
        "settings saved; nothing changed".to_owned()
    } else {
        format!("settings saved; changed: {}", changed.join(", "))
    };
    super::audit(&state, AuditAction::SettingsChanged, detail);
    Ok(SettingsSaved {
        saved: true,
        language_changed: previous.language != settings.language,
        field_errors: FieldErrors::new(),
    })
}

/// Restarts the app so new settings take effect.
#[tauri::command]
pub async fn app_restart<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), CommandError> {
    require_staff(&state).await?;
    app.restart();
}
