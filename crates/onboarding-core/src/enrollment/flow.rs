use super::{
    AccountView, CustomerDetails, EnrollmentError, EnrollmentView, FieldErrors, Step, ViewError,
};
use crate::config::{Environment, Mode};
use crate::staff::{StaffGuard, STAFF_ACTOR};
use crate::store::{
    mask_phone, AuditAction, AuditEntry, AuditMode, EnrollmentRecord, EnrollmentStatus,
    KnownCustomer, PhoneHasher, Store,
};
use crate::vault::{Secret, SecretKey, StoredToken, TokenScope, Vault};
use aeropay_client::{AeropayClient, BankAccount, LinkedBankAccount, MfaType, NewUser};
use aerosync::{WidgetEvent, WidgetOptions, WidgetOrigin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Called with every new state, so the page can follow long transitions
/// (checking accounts, finishing the link) while a command is still running.
pub type StateListener = Arc<dyn Fn(&EnrollmentView) + Send + Sync>;

/// Aeropay's default: after this many wrong codes it answers AP112.
pub(super) const CODE_ATTEMPTS: u32 = 5;

/// A kiosk sends one phone at most this many codes within
/// [`CODE_SEND_WINDOW_SECS`]: a stranger cannot flood someone's phone with
/// codes, nor keep guessing with fresh ones.
pub const CODE_SENDS_PER_WINDOW: u32 = 3;
pub const CODE_SEND_WINDOW_SECS: i64 = 15 * 60;

/// What an enrollment needs from the rest of the app.
pub struct EnrollmentDeps {
    /// The customer's own calls (widget credentials, linking, accounts).
    pub client: Arc<AeropayClient>,
    /// The merchant's calls: `client` itself, or a fleet's broker
    /// ([`super::FleetMerchant`]).
    pub merchant: Arc<dyn super::MerchantCalls>,
    pub store: Arc<Store>,
    pub vault: Arc<dyn Vault>,
    pub phone_hasher: Arc<PhoneHasher>,
    pub environment: Environment,
    pub widget: WidgetOptions,
    /// Kept in the record and the audit trail.
    pub mode: Mode,
    /// Names staff in the audit trail while they are unlocked; `None` where
    /// no staff lock exists (tests, benches).
    pub staff: Option<Arc<StaffGuard>>,
}

/// The enrollments of this app: at most one in progress at a time.
pub struct Enrollments {
    pub(super) deps: EnrollmentDeps,
    pub(super) session: Mutex<Option<Session>>,
    listener: Option<StateListener>,
    /// The last view's number (see [`Enrollments::view_of`]).
    revision: AtomicU64,
}

pub(super) struct Session {
    pub(super) record: EnrollmentRecord,
    /// Normalized; kept in memory only, to resend the code.
    pub(super) details: CustomerDetails,
    pub(super) user_id: Option<String>,
    /// The id the widget is launched with (`aeroPassUserUuid`), when an
    /// answer named it; see [`aeropay_client::UserIds`].
    pub(super) widget_user_id: Option<String>,
    pub(super) returning: bool,
    /// Whether whoever is at the screen has shown that this customer is
    /// theirs: the code confirmed, or (desk) staff checked the customer's ID.
    /// Until then nothing of the customer's accounts is shown or changed.
    pub(super) verified: bool,
    /// Desk, known customer: where the enrollment goes once staff have
    /// checked the customer's ID.
    pub(super) after_id_check: AfterIdCheck,
    pub(super) code_attempts_left: u32,
    /// Codes asked for in this session: names each `POST /user` (see
    /// [`request_key`]).
    pub(super) codes_asked: u32,
    pub(super) widget: Option<WidgetSession>,
    /// Accounts the customer had before the widget opened: to spot an
    /// account linked twice, and to reconcile a link whose answer was lost.
    pub(super) accounts_before: Vec<BankAccount>,
    pub(super) step: Step,
}

/// Where a desk enrollment of a known customer goes after the ID check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterIdCheck {
    /// Their accounts (use one, or link another).
    Accounts,
    /// Straight to the widget ("Link another account" from the list).
    Widget,
}

pub(super) struct WidgetSession {
    origin: WidgetOrigin,
    success_handled: bool,
}

/// What a widget message led to.
pub struct WidgetOutcome {
    pub view: EnrollmentView,
    /// The bank's sign-in page to open in a popup (`handleOAuthManually`).
    pub open_popup: Option<url::Url>,
}

pub(super) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub(super) fn empty_details() -> Step {
    Step::Details {
        field_errors: FieldErrors::new(),
        error: None,
    }
}

impl Enrollments {
    pub fn new(deps: EnrollmentDeps, listener: Option<StateListener>) -> Self {
        Self {
            deps,
            session: Mutex::new(None),
            listener,
            revision: AtomicU64::new(0),
        }
    }

    pub fn client(&self) -> &AeropayClient {
        &self.deps.client
    }

    pub(super) fn environment_id(&self) -> String {
        self.deps.environment.id()
    }

    /// The current state, for a page that (re)loads.
    pub async fn view(&self) -> EnrollmentView {
        self.view_of(self.session.lock().await.as_ref())
    }

    /// Forgets the current customer entirely: state, details and their
    /// cached tokens. The next customer starts from an empty form.
    pub async fn start_over(&self) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        self.close(guard.take());
        let view = self.view_of(None);
        self.notify(&view);
        view
    }

    /// Step 1: the customer's details. A returning customer (phone known and
    /// confirmed on this machine) skips `POST /user` and the code.
    pub async fn submit_details(&self, details: CustomerDetails) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        if let Some(session) = guard.as_ref() {
            if !matches!(session.step, Step::Details { .. }) {
                return self.view_of(Some(session));
            }
        }
        let details = match details.validated() {
            Ok(details) => details,
            Err(field_errors) => {
                let field_errors = field_errors
                    .into_iter()
                    .map(|(field, message)| {
                        let message = crate::i18n::localize("FIELD", &message);
                        (field, message)
                    })
                    .collect();
                let session =
                    guard.get_or_insert_with(|| self.new_session(&CustomerDetails::default()));
                session.step = Step::Details {
                    field_errors,
                    error: None,
                };
                return self.view_of(Some(session));
            }
        };
        let retry_of = guard.take().map(|s| s.record);
        let mut session = self.new_session(&details);
        if let Some(previous) = retry_of {
            session.record.id = previous.id;
            session.record.started_at = previous.started_at;
        }
        let session = guard.insert(session);
        self.save(session);
        tracing::info!(enrollment = %session.record.id, "enrollment started");
        self.audit(
            session,
            AuditAction::EnrollmentStarted,
            "details accepted",
            None,
        );

        let environment = self.environment_id();
        let known = match self
            .deps
            .store
            .find_customer(&environment, &session.record.phone_hash)
        {
            Ok(known) => known,
            Err(err) => return self.details_error(session, err.into()),
        };
        let known_confirmed = known.as_ref().is_some_and(|c| c.confirmed);
        match (self.deps.mode, known) {
            // A kiosk: whoever types a number proves it is theirs with the
            // code `POST /user` sends, known number or not, and nothing on
            // screen differs until then. (`POST /user` disconnects a known
            // customer from this merchant until they confirm: the check
            // Aeropay itself relies on.)
            (Mode::Kiosk, _) => {
                session.returning = known_confirmed;
                self.create_user(session, false).await
            }
            // A desk: staff decide. Without a code only once they confirm
            // they checked the customer's ID (`confirm_id_checked`).
            (Mode::Desk, Some(customer)) if customer.confirmed => {
                tracing::info!(enrollment = %session.record.id, "returning customer; waiting for the ID check");
                session.user_id = Some(customer.user_id);
                session.record.user_id = session.user_id.clone();
                session.returning = true;
                session.after_id_check = AfterIdCheck::Accounts;
                session.step = Step::IdCheck {
                    can_send_code: !session.details.phone.is_empty(),
                };
                self.save(session);
                self.publish(session)
            }
            (Mode::Desk, _) => self.create_user(session, false).await,
        }
    }

    /// Desk, known customer: staff confirm they checked the customer's photo
    /// ID, and the enrollment goes on without a code. Refused without the
    /// check, and always on a kiosk.
    pub async fn confirm_id_checked(
        &self,
        id_checked: bool,
    ) -> Result<EnrollmentView, EnrollmentError> {
        if self.deps.mode == Mode::Kiosk {
            return Err(EnrollmentError::CodeRequired);
        }
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return Ok(self.view_of(None));
        };
        if !matches!(session.step, Step::IdCheck { .. }) {
            return Ok(self.view_of(Some(session)));
        }
        if !id_checked {
            return Err(EnrollmentError::IdCheckRequired);
        }
        tracing::info!(enrollment = %session.record.id, "customer's ID checked by staff");
        // A device of a fleet gets a customer's token only for a code
        // confirmed on it recently: without one, the customer confirms a
        // new code instead of meeting a dead end.
        let user_id = session.user_id.clone().unwrap_or_default();
        if let Err(err) = self.user_scope(&user_id).await {
            if err.code() == fleet_client::USER_NOT_VERIFIED_HERE
                && !session.details.phone.is_empty()
            {
                tracing::info!(enrollment = %session.record.id, "no token from the fleet without a code; sending one");
                return Ok(self.create_user(session, false).await);
            }
            return Ok(self.fail(session, err));
        }
        // Whoever confirms this at a desk speaks as staff, PIN or not.
        self.audit_by(
            session,
            AuditAction::IdChecked,
            "customer's ID checked by staff; no code sent",
            None,
            Some(STAFF_ACTOR),
        );
        session.verified = true;
        Ok(match session.after_id_check {
            AfterIdCheck::Accounts => self.check_accounts(session).await,
            AfterIdCheck::Widget => match self.read_accounts(session).await {
                Ok(_) => self.open_widget(session).await,
                Err(err) => self.fail(session, err),
            },
        })
    }

    /// Desk, known customer: staff send a code rather than check an ID. The
    /// customer is disconnected from this merchant until they type it.
    pub async fn send_code_instead(&self) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return self.view_of(None);
        };
        if !matches!(session.step, Step::IdCheck { .. }) || session.details.phone.is_empty() {
            return self.view_of(Some(session));
        }
        self.create_user(session, false).await
    }

    pub(super) fn new_session(&self, details: &CustomerDetails) -> Session {
        let at = now();
        let phone_hash = if details.phone.is_empty() {
            String::new()
        } else {
            self.deps.phone_hasher.hash(&details.phone)
        };
        Session {
            record: EnrollmentRecord {
                id: uuid::Uuid::new_v4().to_string(),
                environment: self.environment_id(),
                mode: self.deps.mode.as_str().into(),
                started_at: at,
                updated_at: at,
                first_name: details.first_name.clone(),
                last_initial: details
                    .last_name
                    .chars()
                    .next()
                    .map(String::from)
                    .unwrap_or_default(),
                phone_masked: mask_phone(&details.phone),
                phone_hash,
                user_id: None,
                status: EnrollmentStatus::Started,
                error_code: None,
                bank_name: None,
                account_last4: None,
                account_type: None,
            },
            details: details.clone(),
            user_id: None,
            widget_user_id: None,
            returning: false,
            verified: false,
            after_id_check: AfterIdCheck::Accounts,
            code_attempts_left: CODE_ATTEMPTS,
            codes_asked: 0,
            widget: None,
            accounts_before: Vec::new(),
            step: empty_details(),
        }
    }

    /// `POST /user`, then the code screen or straight on to the accounts.
    async fn create_user(&self, session: &mut Session, resend: bool) -> EnrollmentView {
        if self.deps.mode == Mode::Kiosk {
            if let Err(err) = self.count_code_send(session) {
                self.audit(
                    session,
                    AuditAction::CodeFailed,
                    "no code sent",
                    Some(err.code()),
                );
                return if resend {
                    self.code_error(session, err)
                } else {
                    self.details_error(session, err)
                };
            }
        }
        let new_user = NewUser {
            first_name: session.details.first_name.clone(),
            last_name: session.details.last_name.clone(),
            phone_number: session.details.phone.clone(),
            email: session.details.email.clone(),
        };
        if resend {
            session.codes_asked += 1;
        }
        let key = request_key(
            &session.record.id,
            "create",
            &[
                &new_user.first_name,
                &new_user.last_name,
                &new_user.phone_number,
                &new_user.email,
                &session.codes_asked.to_string(),
            ],
        );
        let created = match self.deps.merchant.create_user(&new_user, &key).await {
            Ok(created) => created,
            Err(err) if resend => return self.code_error(session, err),
            Err(err) => return self.details_error(session, err),
        };
        let user_id = created.user.id.clone();
        let confirmed = !created.needs_confirmation();
        session.user_id = Some(user_id.clone());
        session.widget_user_id = Some(created.user.aero_pass_user_uuid.clone());
        session.record.user_id = Some(user_id.clone());
        if let Err(err) = self.remember(session, confirmed) {
            return self.details_error(session, err);
        }
        if confirmed {
            // The merchant's configuration sends no code (`mfaType` null).
            // At a desk staff are there: as before. On a kiosk nothing proves
            // the number is this person's, so they go on as a new customer
            // would: straight to the widget, with no list of what the
            // customer already has, no "welcome back", no default account
            // to switch. They can only link a bank they sign in to
            // themselves, which Aeropay's configuration allows without a
            // code anyway; nothing about the customer is shown or changed.
            session.verified = self.deps.mode == Mode::Desk;
            if !session.verified {
                session.returning = false;
            }
            return self.check_accounts(session).await;
        }
        let channel = match created.mfa_type {
            Some(MfaType::Email) => "email",
            Some(MfaType::Sms) => "sms",
            _ => "code",
        };
        if !resend {
            session.code_attempts_left = CODE_ATTEMPTS;
        }
        let sent = if resend { "new code sent" } else { "code sent" };
        self.audit(
            session,
            AuditAction::CodeSent,
            &format!("{sent} by {channel}"),
            None,
        );
        session.step = Step::Code {
            channel: channel.into(),
            attempts_left: session.code_attempts_left,
            error: None,
            resent: resend,
            can_resend: true,
        };
        session.record.status = EnrollmentStatus::WaitingForCode;
        self.save(session);
        self.publish(session)
    }

    /// Kiosk: counts a code about to be sent to this phone, or refuses it
    /// once the phone had [`CODE_SENDS_PER_WINDOW`] within the window. Kept
    /// in the store by phone hash, so a restart does not start the count
    /// again. Counted when asked for, whether or not Aeropay then sends it.
    fn count_code_send(&self, session: &Session) -> Result<(), EnrollmentError> {
        let at = now();
        let since = at - CODE_SEND_WINDOW_SECS;
        let environment = self.environment_id();
        let hash = &session.record.phone_hash;
        let (sent, oldest) = self
            .deps
            .store
            .code_sends_since(&environment, hash, since)?;
        if sent >= CODE_SENDS_PER_WINDOW {
            let free_at = oldest.unwrap_or(at) + CODE_SEND_WINDOW_SECS;
            return Err(EnrollmentError::CodeLimit {
                sent,
                window_minutes: CODE_SEND_WINDOW_SECS / 60,
                wait_minutes: ((free_at - at + 59) / 60).max(1),
            });
        }
        self.deps
            .store
            .record_code_send(&environment, hash, at, since)?;
        Ok(())
    }

    fn remember(&self, session: &Session, confirmed: bool) -> Result<(), EnrollmentError> {
        let Some(user_id) = &session.user_id else {
            return Ok(());
        };
        self.deps.store.remember_customer(
            &self.environment_id(),
            &session.record.phone_hash,
            &KnownCustomer {
                user_id: user_id.clone(),
                confirmed,
            },
            now(),
        )?;
        Ok(())
    }

    /// Step 2: the code the customer received.
    pub async fn submit_code(&self, code: &str) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return self.view_of(None);
        };
        if !matches!(session.step, Step::Code { .. }) {
            return self.view_of(Some(session));
        }
        let code = code.trim();
        if code.is_empty() || code.len() > 10 || !code.chars().all(|c| c.is_ascii_digit()) {
            set_code_error(
                session,
                ViewError {
                    code: "CODE_FORMAT".into(),
                    message: crate::i18n::localize("CODE_FORMAT", CODE_FORMAT),
                    retry: true,
                },
            );
            return self.view_of(Some(session));
        }
        let user_id = session.user_id.clone().unwrap_or_default();
        // The same code again (its answer lost) is the same request.
        let key = request_key(&session.record.id, "confirm", &[&user_id, code]);
        match self.deps.merchant.confirm_user(&user_id, code, &key).await {
            Ok(user) => {
                tracing::info!(enrollment = %session.record.id, "code confirmed");
                session.widget_user_id = Some(user.aero_pass_user_uuid);
                self.audit(session, AuditAction::CodeConfirmed, "code confirmed", None);
                session.verified = true;
                if let Err(err) = self.remember(session, true) {
                    return self.fail(session, err);
                }
                self.check_accounts(session).await
            }
            Err(err) if err.aeropay_code() == Some("AP111") => {
                session.code_attempts_left = session.code_attempts_left.saturating_sub(1);
                self.audit(
                    session,
                    AuditAction::CodeFailed,
                    "wrong code",
                    Some(err.code().to_owned()),
                );
                self.code_error(session, err)
            }
            Err(err) if err.aeropay_code() == Some("AP112") => self.fail(session, err),
            Err(err) => self.code_error(session, err),
        }
    }

    /// Sends a new code (`POST /user` again: the customer is not confirmed
    /// yet, so nothing is disconnected).
    pub async fn resend_code(&self) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return self.view_of(None);
        };
        if !matches!(
            session.step,
            Step::Code {
                can_resend: true,
                ..
            }
        ) || session.details.phone.is_empty()
        {
            return self.view_of(Some(session));
        }
        self.create_user(session, true).await
    }

    /// Step 3: the accounts the customer already has (network users may have
    /// linked one elsewhere). None verified: straight to the widget.
    /// Shown only to a verified customer; anyone else goes on to the widget
    /// as a new customer would (the accounts are still read, so the same
    /// account is not linked twice).
    pub(super) async fn check_accounts(&self, session: &mut Session) -> EnrollmentView {
        match self.read_accounts(session).await {
            Err(err) => self.fail(session, err),
            Ok(usable) if usable.is_empty() || !session.verified => self.open_widget(session).await,
            Ok(usable) => {
                session.step = Step::ExistingAccounts { accounts: usable };
                self.publish(session)
            }
        }
    }

    /// Reads the customer's accounts (kept to spot an account linked twice)
    /// and returns the verified ones, showing progress meanwhile. After a
    /// link of this enrollment whose outcome was not known, unverified
    /// accounts are shown too: one of them may be that link, and the
    /// customer must not be sent back to the bank to link it again.
    pub(super) async fn read_accounts(
        &self,
        session: &mut Session,
    ) -> Result<Vec<AccountView>, EnrollmentError> {
        session.step = Step::CheckingAccounts;
        session.record.status = EnrollmentStatus::Linking;
        self.save(session);
        self.publish(session);
        let user_id = session.user_id.clone().unwrap_or_default();
        self.user_scope(&user_id).await?;
        let accounts = self.deps.client.bank_accounts(&user_id).await?;
        let after_a_link = !self.deps.store.links_of(&session.record.id)?.is_empty();
        let usable = accounts
            .iter()
            .filter(|account| after_a_link || is_verified(account.status.as_deref()))
            .map(account_view)
            .collect();
        session.accounts_before = accounts;
        Ok(usable)
    }

    /// Uses an account the customer already has as their default.
    pub async fn use_account(&self, bank_account_id: i64) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return self.view_of(None);
        };
        let Step::ExistingAccounts { accounts } = &session.step else {
            return self.view_of(Some(session));
        };
        if !session.verified {
            return self.view_of(Some(session));
        }
        if !accounts
            .iter()
            .any(|a| a.bank_account_id == bank_account_id)
        {
            return self.view_of(Some(session));
        }
        let user_id = session.user_id.clone().unwrap_or_default();
        match self
            .deps
            .client
            .select_bank_account(&user_id, bank_account_id)
            .await
        {
            Ok(account) => {
                let mut view = account_view(&account);
                view.selected = true;
                self.finish(session, vec![view], None, false).await
            }
            Err(err) => self.fail(session, err.into()),
        }
    }

    /// Opens the widget: from the existing-accounts screen ("link another"),
    /// after the widget was closed, or after a failure that can be retried.
    pub async fn open_widget_again(&self) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return self.view_of(None);
        };
        let may_open = match &session.step {
            Step::ExistingAccounts { .. } | Step::WidgetClosed => true,
            Step::Failed { can_link_again, .. } => *can_link_again,
            _ => false,
        };
        if !may_open {
            return self.view_of(Some(session));
        }
        if matches!(session.step, Step::Failed { .. }) {
            // The failure may have come before the account list was read.
            return self.check_accounts(session).await;
        }
        self.open_widget(session).await
    }

    pub(super) async fn open_widget(&self, session: &mut Session) -> EnrollmentView {
        let user_id = session.user_id.clone().unwrap_or_default();
        if let Err(err) = self.user_scope(&user_id).await {
            return self.fail(session, err);
        }
        let credentials = match self.deps.client.aggregator_credentials(&user_id).await {
            Ok(credentials) => credentials,
            Err(err) => return self.fail(session, err.into()),
        };
        let Some(fastlink_url) = credentials.fastlink_url.as_deref() else {
            return self.fail(session, EnrollmentError::NoWidgetUrl);
        };
        let widget_user_id = self.widget_user_id(session, &user_id).await;
        let launch = match aerosync::widget_url(
            &self.deps.environment,
            fastlink_url,
            &credentials.token,
            &widget_user_id,
            &self.deps.widget,
        ) {
            Ok(launch) => launch,
            Err(err) => return self.fail(session, err.into()),
        };
        tracing::info!(enrollment = %session.record.id, origin = %launch.origin.as_str(), "widget opened");
        self.audit(
            session,
            AuditAction::WidgetOpened,
            &format!("widget opened from {}", launch.origin.as_str()),
            None,
        );
        session.widget = Some(WidgetSession {
            origin: launch.origin.clone(),
            success_handled: false,
        });
        session.step = Step::Linking {
            widget_url: launch.url.clone(),
            widget_origin: launch.origin.as_str().to_owned(),
            simulated: self.deps.environment.is_simulated(),
        };
        session.record.status = EnrollmentStatus::Linking;
        self.save(session);
        self.publish(session)
    }

    /// A message the page relayed from the widget iframe.
    pub async fn widget_message(
        &self,
        origin: &str,
        raw: &str,
    ) -> Result<WidgetOutcome, EnrollmentError> {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return Err(EnrollmentError::WidgetNotOpen);
        };
        let Some(widget) = session.widget.as_ref() else {
            return Err(EnrollmentError::WidgetNotOpen);
        };
        // A 2.x success echoes the aeroPassUserUuid the widget was opened with.
        let customer = session
            .widget_user_id
            .clone()
            .or_else(|| session.user_id.clone())
            .unwrap_or_default();
        let event = match aerosync::parse_message(&widget.origin, origin, raw, &customer) {
            Ok(event) => event,
            Err(err) => {
                tracing::warn!(enrollment = %session.record.id, code = err.code(), "widget message rejected: {err}");
                let success_shaped = matches!(
                    err,
                    aerosync::AerosyncError::BadSuccessPayload { .. }
                        | aerosync::AerosyncError::WrongCustomer
                );
                if success_shaped && matches!(session.step, Step::Linking { .. }) {
                    // A broken success: nothing was linked; say so and offer
                    // to open the widget again.
                    if let Some(widget) = session.widget.as_mut() {
                        widget.success_handled = true;
                    }
                    let view = self.fail(session, err.into());
                    return Ok(WidgetOutcome {
                        view,
                        open_popup: None,
                    });
                }
                return Err(err.into());
            }
        };
        let mut open_popup = None;
        let view = match event {
            WidgetEvent::Success(success) => {
                let handled = session.widget.as_ref().is_some_and(|w| w.success_handled);
                // A close can overtake the success it followed (1.x and 2.0.5
                // widgets send both at once): a first success still counts.
                let open = matches!(session.step, Step::Linking { .. } | Step::WidgetClosed);
                if handled || !open {
                    tracing::info!(enrollment = %session.record.id, "repeated pageSuccess ignored");
                    self.view_of(Some(session))
                } else {
                    if let Some(widget) = session.widget.as_mut() {
                        widget.success_handled = true;
                    }
                    self.link(session, success.links).await
                }
            }
            WidgetEvent::Close => {
                if matches!(session.step, Step::Linking { .. }) {
                    session.step = Step::WidgetClosed;
                    session.record.status = EnrollmentStatus::WidgetClosed;
                    self.save(session);
                    tracing::info!(enrollment = %session.record.id, "widget closed before linking");
                    self.publish(session)
                } else {
                    self.view_of(Some(session))
                }
            }
            WidgetEvent::Error { description } => {
                if matches!(session.step, Step::Linking { .. }) {
                    self.fail(session, EnrollmentError::WidgetReported { description })
                } else {
                    self.view_of(Some(session))
                }
            }
            // Only while the widget is open: a late or stray message must
            // not open a bank window over whatever the screen shows now.
            WidgetEvent::LaunchExternalWindow { url } => {
                if matches!(session.step, Step::Linking { .. }) {
                    open_popup = Some(url);
                } else {
                    tracing::info!(enrollment = %session.record.id, "bank window asked for while the widget is not open; ignored");
                }
                self.view_of(Some(session))
            }
            WidgetEvent::PageLoaded { page_title } => {
                tracing::debug!(enrollment = %session.record.id, page = %page_title, "widget page");
                self.view_of(Some(session))
            }
            WidgetEvent::Unknown { message_type } => {
                tracing::info!(enrollment = %session.record.id, %message_type, "unknown widget message ignored");
                self.view_of(Some(session))
            }
        };
        Ok(WidgetOutcome { view, open_popup })
    }

    /// The widget's `aeroPassUserUuid`. A customer who skipped `POST /user`
    /// (returning, resumed) has only the kept id: in v2 that is the same
    /// UUID; a v1 id is the numeric `userId`, so GET /user names the UUID.
    async fn widget_user_id(&self, session: &mut Session, user_id: &str) -> String {
        if let Some(known) = &session.widget_user_id {
            return known.clone();
        }
        if self.deps.client.version() == aeropay_client::ApiVersion::V2 {
            return user_id.to_owned();
        }
        match self.deps.client.get_user(user_id).await {
            Ok(user) => {
                session.widget_user_id = Some(user.aero_pass_user_uuid.clone());
                user.aero_pass_user_uuid
            }
            Err(err) => {
                // The 1.x widget that pairs with v1 does not read it; the
                // kept id is the best value left.
                tracing::warn!(enrollment = %session.record.id, code = err.code(), "the customer's aeroPass id could not be read; launching with the Aeropay id");
                user_id.to_owned()
            }
        }
    }

    /// Done: keep the customer's token in the keychain, record the link
    /// (`newly_linked`), or the account chosen as the default.
    pub(super) async fn finish(
        &self,
        session: &mut Session,
        accounts: Vec<AccountView>,
        notice: Option<ViewError>,
        newly_linked: bool,
    ) -> EnrollmentView {
        let user_id = session.user_id.clone().unwrap_or_default();
        if let Err(err) = self.keep_token(&user_id).await {
            // The account is linked at Aeropay either way; the token is only
            // a convenience, and there is no plaintext fallback.
            tracing::error!(enrollment = %session.record.id, code = %err.code(), "token not stored: {err}");
        }
        if let Some(first) = accounts.first() {
            session.record.bank_name = Some(first.bank_name.clone());
            session.record.account_last4 = Some(first.last4.clone());
            session.record.account_type = Some(first.account_type.clone());
        }
        session.record.status = EnrollmentStatus::Linked;
        session.record.error_code = None;
        session.step = Step::Done {
            accounts,
            returning_customer: session.returning && session.verified,
            newly_linked,
            notice,
        };
        tracing::info!(enrollment = %session.record.id, "account linked");
        let linked = session
            .record
            .bank_name
            .clone()
            .map(|bank| {
                format!(
                    "{bank} account ending {}",
                    session.record.account_last4.clone().unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "account linked".into());
        self.audit(session, AuditAction::LinkSucceeded, &linked, None);
        self.save(session);
        self.publish(session)
    }

    /// Makes sure the client holds the customer's token for their own
    /// calls: a device of a fleet asks its broker when it has none (the
    /// direct client mints it, as the call itself would have).
    pub(super) async fn user_scope(&self, user_id: &str) -> Result<(), EnrollmentError> {
        if self.deps.client.cached_user_token(user_id).is_some() {
            return Ok(());
        }
        self.deps.merchant.user_token(user_id).await.map(|_| ())
    }

    pub(super) async fn keep_token(&self, user_id: &str) -> Result<(), EnrollmentError> {
        let token = match self.deps.client.cached_user_token(user_id) {
            Some(token) => token,
            None => self.deps.merchant.user_token(user_id).await?,
        };
        let key = SecretKey::UserToken {
            environment: self.environment_id(),
            user_id: user_id.to_owned(),
        };
        let secret = Secret::AeropayToken(StoredToken {
            token: token.token,
            scope: TokenScope::UserForMerchant,
            user_id: Some(user_id.to_owned()),
            expires_at: token.expires_at,
        });
        let vault = self.deps.vault.clone();
        tokio::task::spawn_blocking(move || vault.put(&key, &secret))
            .await
            .map_err(|_| EnrollmentError::Internal)??;
        Ok(())
    }

    /// Deletes expired customer tokens from the keychain (run at start).
    /// Returns how many were removed.
    pub async fn purge_expired_tokens(&self) -> Result<usize, EnrollmentError> {
        let environment = self.environment_id();
        let user_ids = self.deps.store.customer_user_ids(&environment)?;
        let vault = self.deps.vault.clone();
        let purged = tokio::task::spawn_blocking(move || -> Result<usize, EnrollmentError> {
            let mut purged = 0;
            for user_id in user_ids {
                let key = SecretKey::UserToken {
                    environment: environment.clone(),
                    user_id,
                };
                if let Some(Secret::AeropayToken(token)) = vault.get(&key)? {
                    if token.is_expired_at(now()) && vault.delete(&key)? {
                        purged += 1;
                    }
                }
            }
            Ok(purged)
        })
        .await
        .map_err(|_| EnrollmentError::Internal)??;
        Ok(purged)
    }

    /// The customer or staff gave up on this enrollment.
    pub async fn cancel(&self) -> EnrollmentView {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return self.view_of(None);
        };
        // A link that may have gone through is not "cancelled".
        if matches!(
            session.step,
            Step::Done { .. } | Step::Finishing { .. } | Step::NeedsReview { .. }
        ) {
            return self.view_of(Some(session));
        }
        session.step = Step::Cancelled;
        session.widget = None;
        session.record.status = EnrollmentStatus::Cancelled;
        self.save(session);
        tracing::info!(enrollment = %session.record.id, "enrollment cancelled");
        self.audit(session, AuditAction::EnrollmentCancelled, "cancelled", None);
        self.publish(session)
    }

    fn details_error(&self, session: &mut Session, err: EnrollmentError) -> EnrollmentView {
        tracing::warn!(enrollment = %session.record.id, code = %err.code(), "details refused: {err}");
        session.record.status = EnrollmentStatus::Failed;
        session.record.error_code = Some(err.code());
        self.save(session);
        session.step = Step::Details {
            field_errors: FieldErrors::new(),
            error: Some(err.view()),
        };
        self.publish(session)
    }

    fn code_error(&self, session: &mut Session, err: EnrollmentError) -> EnrollmentView {
        tracing::warn!(enrollment = %session.record.id, code = %err.code(), "code refused");
        set_code_error(session, err.view());
        self.publish(session)
    }

    pub(super) fn fail(&self, session: &mut Session, err: EnrollmentError) -> EnrollmentView {
        tracing::warn!(enrollment = %session.record.id, code = %err.code(), "enrollment failed: {err}");
        let action = if matches!(session.step, Step::Code { .. }) {
            AuditAction::CodeFailed
        } else {
            AuditAction::LinkFailed
        };
        self.audit(session, action, &err.message(), Some(err.code()));
        session.record.status = EnrollmentStatus::Failed;
        session.record.error_code = Some(err.code());
        self.save(session);
        let linking_stage = matches!(
            session.step,
            Step::CheckingAccounts
                | Step::ExistingAccounts { .. }
                | Step::Linking { .. }
                | Step::WidgetClosed
                | Step::Finishing { .. }
        );
        session.step = Step::Failed {
            error: err.view(),
            can_link_again: linking_stage && session.user_id.is_some(),
        };
        self.publish(session)
    }

    /// One line in the audit trail (the store scrubs the detail again).
    pub(super) fn audit(
        &self,
        session: &Session,
        action: AuditAction,
        detail: &str,
        error_code: Option<String>,
    ) {
        let staff = self.deps.staff.as_ref().and_then(|guard| guard.actor());
        self.audit_by(session, action, detail, error_code, staff);
    }

    /// An audit line with `staff` in its staff column.
    fn audit_by(
        &self,
        session: &Session,
        action: AuditAction,
        detail: &str,
        error_code: Option<String>,
        staff: Option<&str>,
    ) {
        let entry = AuditEntry {
            at: now(),
            mode: AuditMode::from(self.deps.mode),
            staff: staff.map(str::to_owned),
            action,
            detail: detail.to_owned(),
            error_code,
            correlation_id: Some(session.record.id.clone()),
        };
        if let Err(err) = self.deps.store.audit(&entry) {
            tracing::error!(enrollment = %session.record.id, code = err.code(), "audit entry not written: {err}");
        }
    }

    pub(super) fn save(&self, session: &mut Session) {
        if session.record.phone_hash.is_empty() {
            return; // nothing worth a record until the details are valid
        }
        session.record.updated_at = now();
        if let Err(err) = self.deps.store.save_enrollment(&session.record) {
            tracing::error!(enrollment = %session.record.id, code = err.code(), "record not saved: {err}");
        }
    }

    pub(super) fn publish(&self, session: &Session) -> EnrollmentView {
        let view = self.view_of(Some(session));
        self.notify(&view);
        view
    }

    /// The page's picture of `session` (the current one: callers hold the
    /// session's lock), numbered after every view before it, so a page that
    /// gets views by two roads (command answers, events) keeps the newest.
    pub(super) fn view_of(&self, session: Option<&Session>) -> EnrollmentView {
        let revision = self.revision.fetch_add(1, Ordering::Relaxed) + 1;
        match session {
            Some(session) => EnrollmentView {
                id: Some(session.record.id.clone()),
                first_name: Some(session.details.first_name.clone()).filter(|n| !n.is_empty()),
                step: session.step.clone(),
                revision,
            },
            None => EnrollmentView {
                id: None,
                first_name: None,
                step: empty_details(),
                revision,
            },
        }
    }

    fn notify(&self, view: &EnrollmentView) {
        if let Some(listener) = &self.listener {
            listener(view);
        }
    }
}

fn set_code_error(session: &mut Session, error: ViewError) {
    if let Step::Code {
        error: slot,
        attempts_left,
        ..
    } = &mut session.step
    {
        *slot = Some(error);
        *attempts_left = session.code_attempts_left;
    }
}

fn is_verified(status: Option<&str>) -> bool {
    status.is_none_or(|s| s.eq_ignore_ascii_case("verified"))
}

pub(super) fn account_view(account: &BankAccount) -> AccountView {
    view_from(
        account.bank_account_id,
        &account.bank_name,
        &account.account_type,
        &account.account_last4,
        account.status.as_deref(),
        account.is_selected,
    )
}

pub(super) fn linked_view(account: &LinkedBankAccount) -> AccountView {
    view_from(
        account.bank_account_id,
        &account.bank_name,
        &account.account_type,
        &account.account_last4,
        account.status.as_deref(),
        account.is_selected,
    )
}

/// Listed and freshly linked accounts carry the same fields under two types.
fn view_from(
    bank_account_id: i64,
    bank_name: &Option<String>,
    account_type: &Option<String>,
    last4: &Option<String>,
    status: Option<&str>,
    selected: Option<bool>,
) -> AccountView {
    AccountView {
        bank_account_id,
        bank_name: bank_name.clone().unwrap_or_else(|| "Bank".into()),
        account_type: account_type.clone().unwrap_or_else(|| "account".into()),
        last4: last4.clone().unwrap_or_default(),
        verified: is_verified(status),
        selected: selected.unwrap_or(false),
    }
}

/// The `Idempotency-Key` of one merchant request of one enrollment: the
/// same request (its kind and what it sends) gets the same key, so a repeat
/// after a lost answer gets the broker's kept answer, not a second code;
/// anything else gets another. A digest, so the key names no customer.
pub(super) fn request_key(enrollment_id: &str, kind: &str, parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in std::iter::once(enrollment_id)
        .chain(std::iter::once(kind))
        .chain(parts.iter().copied())
    {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}-{hex}")
}

/// A code that is not digits, or is too long.
pub(crate) const CODE_FORMAT: &str = "Type the code from the message: digits only.";
