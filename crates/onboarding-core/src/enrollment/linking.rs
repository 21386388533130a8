//! Linking the accounts of a widget success so that none is ever lost or
//! made twice, whatever fails when.
//!
//! 1. Before any link call, what is about to be linked is written down with
//!    the record (status `finishing`, `store::PendingLink` rows; a v1
//!    `user_password` goes to the keychain, never to SQLite).
//! 2. Each link's outcome is written as soon as it is known.
//! 3. A link whose answer is lost is looked up in the customer's account
//!    list; if it is not there it is made once more, no more.
//! 4. Whatever is still pending (the app was killed, the power went, Aeropay
//!    could not be asked) is settled the same way on the next start and on a
//!    timer while the app runs ([`Enrollments::settle_unfinished`]).

use super::flow::{account_view, linked_view, now, Session};
use super::{AccountView, EnrollmentError, EnrollmentView, Enrollments, Step, ViewError};
use crate::store::{
    AuditAction, EnrollmentRecord, EnrollmentStatus, LinkKind, LinkState, LinkedAccount,
    PendingLink,
};
use crate::vault::{Secret, SecretKey};
use aeropay_client::secret::SecretString;
use aeropay_client::{AeropayError, ErrorCategory, LinkSource};
use aerosync::LinkCredentials;

/// How often a running app settles links left pending.
pub const SETTLE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// How one account's link ended this time.
enum Outcome {
    Linked(AccountView),
    Refused(EnrollmentError),
    /// Still unknown: the link stays pending and is settled later.
    Unsettled,
}

/// One account to link, with what its call needs.
struct LinkJob {
    key: String,
    kind: LinkKind,
    source: LinkSource,
}

impl LinkJob {
    fn from_widget(credentials: LinkCredentials) -> Self {
        match credentials {
            LinkCredentials::V2 { connection_id } => Self {
                key: connection_id.clone(),
                kind: LinkKind::Connection,
                source: LinkSource::Connection { connection_id },
            },
            LinkCredentials::V1 {
                user_id,
                user_password,
            } => Self {
                key: user_id.clone(),
                kind: LinkKind::Legacy,
                source: LinkSource::LegacyCredentials {
                    user_id,
                    user_password,
                },
            },
        }
    }
}

/// A debug build can be told to stop at a named point of the link (the
/// crash tests kill it there); a release build has no such points.
async fn pause_point(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("AEROPAY_ONBOARDING_PAUSE_AT").as_deref() == Ok(name) {
        eprintln!("aeropay-onboarding: paused at {name}");
        std::future::pending::<()>().await;
    }
    let _ = name;
}

fn linked_account(view: &AccountView) -> LinkedAccount {
    LinkedAccount {
        bank_account_id: view.bank_account_id,
        bank_name: Some(view.bank_name.clone()),
        account_last4: Some(view.last4.clone()),
        account_type: Some(view.account_type.clone()),
        selected: view.selected,
    }
}

fn view_of_linked(account: &LinkedAccount) -> AccountView {
    AccountView {
        bank_account_id: account.bank_account_id,
        bank_name: account.bank_name.clone().unwrap_or_else(|| "Bank".into()),
        account_type: account
            .account_type
            .clone()
            .unwrap_or_else(|| "account".into()),
        last4: account.account_last4.clone().unwrap_or_default(),
        verified: true,
        selected: account.selected,
    }
}

impl Enrollments {
    /// Links each account from `pageSuccess` (see the module's steps),
    /// skipping any the customer already had.
    pub(super) async fn link(
        &self,
        session: &mut Session,
        links: Vec<LinkCredentials>,
    ) -> EnrollmentView {
        let jobs: Vec<LinkJob> = links.into_iter().map(LinkJob::from_widget).collect();
        if let Err(err) = self.write_down(session, &jobs).await {
            return self.fail(session, err);
        }
        session.step = Step::Finishing { checking: false };
        self.publish(session);
        pause_point("before-link").await;

        let before: Vec<i64> = session
            .accounts_before
            .iter()
            .map(|a| a.bank_account_id)
            .collect();
        let requested = jobs.len();
        let mut linked: Vec<AccountView> = Vec::new();
        let mut refused: Option<EnrollmentError> = None;
        let mut unsettled = 0;
        for job in jobs {
            let had = session
                .accounts_before
                .iter()
                .find(|a| a.connection_id.as_deref() == Some(job.key.as_str()));
            let outcome = match had {
                Some(existing) => {
                    tracing::info!(enrollment = %session.record.id, "account already linked; not linking it twice");
                    Outcome::Linked(account_view(existing))
                }
                None => {
                    self.make_link(session, &job, &before, &linked, false, true)
                        .await
                }
            };
            self.record_outcome(&session.record.id, &job, &outcome);
            match outcome {
                Outcome::Linked(account) => linked.push(account),
                Outcome::Refused(err) => {
                    tracing::warn!(enrollment = %session.record.id, code = %err.code(), "an account was not linked");
                    refused.get_or_insert(err);
                }
                Outcome::Unsettled => unsettled += 1,
            }
        }
        if unsettled > 0 {
            return self.needs_review(session, linked);
        }
        match refused {
            Some(err) if linked.is_empty() => self.fail(session, err),
            Some(err) => {
                let notice = ViewError {
                    code: err.code(),
                    message: some_not_linked(requested - linked.len(), requested, &err)
                        .show(&err.code()),
                    retry: false,
                };
                self.finish(session, linked, Some(notice), true).await
            }
            None => self.finish(session, linked, None, true).await,
        }
    }

    /// Step 1: the record as `finishing`, each link as pending, and a v1
    /// password in the keychain, before any call leaves.
    async fn write_down(
        &self,
        session: &mut Session,
        jobs: &[LinkJob],
    ) -> Result<(), EnrollmentError> {
        let environment = self.environment_id();
        let enrollment_id = session.record.id.clone();
        let passwords: Vec<(SecretKey, Secret)> = jobs
            .iter()
            .filter_map(|job| match &job.source {
                LinkSource::LegacyCredentials { user_password, .. } => Some((
                    SecretKey::PendingLink {
                        environment: environment.clone(),
                        enrollment_id: enrollment_id.clone(),
                        link_key: job.key.clone(),
                    },
                    Secret::LinkPassword {
                        password: user_password.clone(),
                    },
                )),
                LinkSource::Connection { .. } => None,
            })
            .collect();
        if !passwords.is_empty() {
            let vault = self.deps.vault.clone();
            tokio::task::spawn_blocking(move || {
                passwords
                    .iter()
                    .try_for_each(|(key, secret)| vault.put(key, secret))
            })
            .await
            .map_err(|_| EnrollmentError::Internal)??;
        }
        let accounts_before: Vec<i64> = session
            .accounts_before
            .iter()
            .map(|a| a.bank_account_id)
            .collect();
        let pending: Vec<PendingLink> = jobs
            .iter()
            .map(|job| PendingLink {
                enrollment_id: enrollment_id.clone(),
                key: job.key.clone(),
                kind: job.kind,
                state: LinkState::Pending,
                accounts_before: accounts_before.clone(),
            })
            .collect();
        session.record.status = EnrollmentStatus::Finishing;
        session.record.updated_at = now();
        self.deps
            .store
            .begin_links(&session.record, &pending, now())?;
        Ok(())
    }

    /// One account: the link call (unless `reconcile_first`), the account
    /// list when the answer is lost, and at most one more call when the
    /// list shows it was not made.
    async fn make_link(
        &self,
        session: &mut Session,
        job: &LinkJob,
        before: &[i64],
        already: &[AccountView],
        reconcile_first: bool,
        on_screen: bool,
    ) -> Outcome {
        let user_id = session.user_id.clone().unwrap_or_default();
        let user_id = user_id.as_str();
        // Without the customer's token nothing is sent: a new link was
        // not made; one already sent stays to be settled later.
        if let Err(err) = self.user_scope(user_id).await {
            tracing::warn!(enrollment = %session.record.id, code = %err.code(), "no token for the customer's link");
            return if reconcile_first {
                Outcome::Unsettled
            } else {
                Outcome::Refused(err)
            };
        }
        if !reconcile_first {
            match self.deps.client.link_account(user_id, &job.source).await {
                Ok(account) => {
                    pause_point("after-link-answer").await;
                    return Outcome::Linked(linked_view(&account));
                }
                Err(err) if err.category() == ErrorCategory::OutcomeUnknown => {
                    tracing::warn!(enrollment = %session.record.id, code = err.code(), "link outcome unknown; checking the account list");
                }
                Err(err) => return Outcome::Refused(err.into()),
            }
        }
        if on_screen {
            session.step = Step::Finishing { checking: true };
            self.publish(session);
        }
        match self.find_linked(user_id, job, before, already).await {
            Ok(Some(account)) => return Outcome::Linked(account),
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(enrollment = %session.record.id, code = err.code(), "the account list could not settle the link");
                return Outcome::Unsettled;
            }
        }
        // Not in the list: the call never took effect. Make it (once more).
        tracing::info!(enrollment = %session.record.id, "account not in the list; linking it");
        match self.deps.client.link_account(user_id, &job.source).await {
            Ok(account) => Outcome::Linked(linked_view(&account)),
            Err(err) if err.category() == ErrorCategory::OutcomeUnknown => Outcome::Unsettled,
            // Whether repeating a link after a lost answer meets AP415 is an
            // open question (reference §8.10); AP415 is also "same account
            // linked 5 times". Look once more: there, the first call made
            // it; not there, a refusal — never an endless retry.
            Err(err) if err.aeropay_code() == Some("AP415") => {
                match self.find_linked(user_id, job, before, already).await {
                    Ok(Some(account)) => Outcome::Linked(account),
                    Ok(None) => Outcome::Refused(err.into()),
                    Err(_) => Outcome::Unsettled,
                }
            }
            Err(err) => Outcome::Refused(err.into()),
        }
    }

    /// Is this link's account in the customer's list? v2 lists the
    /// `connectionId`; for v1, an account that was not there before and is
    /// not already claimed by another link of this success.
    async fn find_linked(
        &self,
        user_id: &str,
        job: &LinkJob,
        before: &[i64],
        already: &[AccountView],
    ) -> Result<Option<AccountView>, AeropayError> {
        let accounts = self.deps.client.bank_accounts(user_id).await?;
        let found = match job.kind {
            LinkKind::Connection => accounts
                .iter()
                .find(|a| a.connection_id.as_deref() == Some(job.key.as_str())),
            LinkKind::Legacy => accounts.iter().find(|a| {
                !before.contains(&a.bank_account_id)
                    && !already
                        .iter()
                        .any(|v| v.bank_account_id == a.bank_account_id)
            }),
        };
        Ok(found.map(account_view))
    }

    /// Step 2: the outcome on disk; a settled v1 link's password leaves the
    /// keychain.
    fn record_outcome(&self, enrollment_id: &str, job: &LinkJob, outcome: &Outcome) {
        let state = match outcome {
            Outcome::Linked(account) => LinkState::Linked(linked_account(account)),
            Outcome::Refused(err) => LinkState::Refused { code: err.code() },
            Outcome::Unsettled => return,
        };
        if let Err(err) = self
            .deps
            .store
            .settle_link(enrollment_id, &job.key, &state, now())
        {
            tracing::error!(enrollment = %enrollment_id, code = err.code(), "link outcome not saved: {err}");
        }
        if job.kind == LinkKind::Legacy {
            let key = self.password_key(enrollment_id, &job.key);
            if let Err(err) = self.deps.vault.delete(&key) {
                tracing::warn!(enrollment = %enrollment_id, code = err.code(), "a settled link's password stays in the keychain: {err}");
            }
        }
    }

    fn password_key(&self, enrollment_id: &str, link_key: &str) -> SecretKey {
        SecretKey::PendingLink {
            environment: self.environment_id(),
            enrollment_id: enrollment_id.to_owned(),
            link_key: link_key.to_owned(),
        }
    }

    /// Some link's outcome is still unknown (Aeropay could not be asked):
    /// the account may be linked, so this is never "failed", and the widget
    /// is not offered again. The app keeps checking in the background; staff
    /// see "Needs review" until it is settled.
    pub(super) fn needs_review(
        &self,
        session: &mut Session,
        confirmed: Vec<AccountView>,
    ) -> EnrollmentView {
        let err = EnrollmentError::LinkOutcomeUnknown;
        tracing::warn!(enrollment = %session.record.id, code = %err.code(), "link not confirmed; needs review");
        self.audit(
            session,
            AuditAction::LinkUnconfirmed,
            &format!(
                "link not confirmed; {} account(s) confirmed before it",
                confirmed.len()
            ),
            Some(err.code()),
        );
        if let Some(first) = confirmed.first() {
            session.record.bank_name = Some(first.bank_name.clone());
            session.record.account_last4 = Some(first.last4.clone());
            session.record.account_type = Some(first.account_type.clone());
        }
        session.record.status = EnrollmentStatus::NeedsReview;
        session.record.error_code = Some(err.code());
        self.save(session);
        session.step = Step::NeedsReview {
            error: err.view(),
            accounts: confirmed,
        };
        self.publish(session)
    }

    /// Step 4: settles every enrollment of this environment with a link
    /// still pending — after a crash, or when Aeropay could not be asked.
    /// Returns how many enrollments were settled for good.
    pub async fn settle_unfinished(&self) -> Result<usize, EnrollmentError> {
        let records = self
            .deps
            .store
            .unsettled_enrollments(&self.environment_id())?;
        let mut settled = 0;
        for record in records {
            // One at a time with the customer on screen: their own
            // enrollment may be among these.
            let mut guard = self.session.lock().await;
            let live = guard.as_mut().filter(|s| s.record.id == record.id);
            if live
                .as_ref()
                .is_some_and(|s| !matches!(s.step, Step::NeedsReview { .. }))
            {
                continue;
            }
            if self.settle_record(record, live).await? {
                settled += 1;
            }
        }
        Ok(settled)
    }

    /// Settles one enrollment's pending links; true once none is left.
    async fn settle_record(
        &self,
        mut record: EnrollmentRecord,
        live: Option<&mut Session>,
    ) -> Result<bool, EnrollmentError> {
        let Some(user_id) = record.user_id.clone() else {
            return Ok(false);
        };
        let links = self.deps.store.links_of(&record.id)?;
        let mut linked: Vec<AccountView> = links
            .iter()
            .filter_map(|link| match &link.state {
                LinkState::Linked(account) => Some(view_of_linked(account)),
                _ => None,
            })
            .collect();
        let mut refused: Option<String> = links.iter().find_map(|link| match &link.state {
            LinkState::Refused { code } => Some(code.clone()),
            _ => None,
        });
        // Only the customer's own enrollment is ever shown: a settled
        // record of someone else is worked on out of sight.
        let on_screen = live.is_some();
        let mut scratch = None;
        let session = match live {
            Some(session) => session,
            None => scratch.insert(super::resume::known_customer_session(record.clone())),
        };
        let mut pending = 0;
        for link in links.iter().filter(|l| l.state == LinkState::Pending) {
            let Some(source) = self.source_of(&record.id, link).await else {
                // A v1 link whose password is gone can only be found, not made.
                let probe = LinkJob {
                    key: link.key.clone(),
                    kind: link.kind,
                    source: LinkSource::LegacyCredentials {
                        user_id: link.key.clone(),
                        user_password: SecretString::default(),
                    },
                };
                match self
                    .find_linked(&user_id, &probe, &link.accounts_before, &linked)
                    .await
                {
                    Ok(Some(account)) => {
                        self.record_outcome(&record.id, &probe, &Outcome::Linked(account.clone()));
                        linked.push(account);
                    }
                    _ => pending += 1,
                }
                continue;
            };
            let job = LinkJob {
                key: link.key.clone(),
                kind: link.kind,
                source,
            };
            let outcome = self
                .make_link(
                    session,
                    &job,
                    &link.accounts_before,
                    &linked,
                    true,
                    on_screen,
                )
                .await;
            self.record_outcome(&record.id, &job, &outcome);
            match outcome {
                Outcome::Linked(account) => linked.push(account),
                Outcome::Refused(err) => {
                    refused.get_or_insert(err.code());
                }
                Outcome::Unsettled => pending += 1,
            }
        }
        if pending > 0 {
            return Ok(false);
        }
        tracing::info!(enrollment = %record.id, linked = linked.len(), "unfinished links settled");
        if on_screen {
            // The customer (or staff) is still looking at this enrollment.
            let notice = refused.map(|code| ViewError {
                message: crate::i18n::localize(&code, SOME_NOT_LINKED),
                code,
                retry: false,
            });
            if linked.is_empty() {
                let code = notice.map(|n| n.code).unwrap_or_default();
                self.fail(session, EnrollmentError::NotLinked { code });
            } else {
                self.finish(session, linked, notice, true).await;
            }
            return Ok(true);
        }
        match linked.first() {
            Some(first) => {
                if let Err(err) = self.keep_token(&user_id).await {
                    tracing::error!(enrollment = %record.id, code = %err.code(), "token not stored: {err}");
                }
                record.status = EnrollmentStatus::Linked;
                record.error_code = None;
                record.bank_name = Some(first.bank_name.clone());
                record.account_last4 = Some(first.last4.clone());
                record.account_type = Some(first.account_type.clone());
            }
            None => {
                record.status = EnrollmentStatus::Failed;
                record.error_code = refused;
            }
        }
        session.record = record;
        let (action, detail) = match session.record.status {
            EnrollmentStatus::Linked => (
                AuditAction::LinkSucceeded,
                format!(
                    "settled later: {} account ending {}",
                    session.record.bank_name.clone().unwrap_or_default(),
                    session.record.account_last4.clone().unwrap_or_default()
                ),
            ),
            _ => (
                AuditAction::LinkFailed,
                "settled later: not linked".to_owned(),
            ),
        };
        let code = session.record.error_code.clone();
        self.audit(session, action, &detail, code);
        self.save(session);
        Ok(true)
    }

    /// What a pending link is made with; a v1 password from the keychain.
    async fn source_of(&self, enrollment_id: &str, link: &PendingLink) -> Option<LinkSource> {
        match link.kind {
            LinkKind::Connection => Some(LinkSource::Connection {
                connection_id: link.key.clone(),
            }),
            LinkKind::Legacy => {
                let key = self.password_key(enrollment_id, &link.key);
                let vault = self.deps.vault.clone();
                let stored = tokio::task::spawn_blocking(move || vault.get(&key))
                    .await
                    .ok()?;
                match stored {
                    Ok(Some(Secret::LinkPassword { password })) => {
                        Some(LinkSource::LegacyCredentials {
                            user_id: link.key.clone(),
                            user_password: SecretString::new(password.expose()),
                        })
                    }
                    Ok(_) => None,
                    Err(err) => {
                        tracing::warn!(enrollment = %enrollment_id, code = err.code(), "a pending link's password could not be read: {err}");
                        None
                    }
                }
            }
        }
    }
}

/// Some of the accounts were linked, the others not, for reasons unknown.
pub(crate) const SOME_NOT_LINKED: &str = "Some accounts could not be linked.";

/// `failed` of `requested` accounts were refused, the last one for `err`
/// (its message, in the same language, is the `reason`).
pub(crate) fn some_not_linked(
    failed: usize,
    requested: usize,
    err: &EnrollmentError,
) -> crate::i18n::ErrorText {
    crate::i18n::ErrorText::message(
        "err-some-not-linked",
        [
            ("failed", failed.into()),
            ("requested", requested.into()),
            ("reason", err.message().into()),
        ],
    )
}
