//! The desk list: enrollments kept on this machine, continuing one that
//! stopped before the link, and linking another account for a customer who
//! already finished — never with a second `POST /user` for a confirmed
//! customer (it would disconnect them until they redo the code).

use super::flow::{empty_details, now, AfterIdCheck, Session, CODE_ATTEMPTS};
use super::{CustomerDetails, EnrollmentError, EnrollmentView, Enrollments, Step};
use crate::store::{
    AuditAction, EnrollmentQuery, EnrollmentRecord, EnrollmentStatus, ListedEnrollment,
};
use serde::Serialize;

/// Where a stopped enrollment can be picked up again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumePoint {
    /// Aeropay sent a code that was never confirmed: type it now.
    Code,
    /// The customer is confirmed: their accounts, then the widget.
    Accounts,
}

/// `None` when the enrollment cannot be continued: it is linked (link
/// another account instead), or it stopped before Aeropay knew the customer.
pub fn resume_point(record: &EnrollmentRecord, customer_confirmed: bool) -> Option<ResumePoint> {
    record.user_id.as_ref()?;
    match record.status {
        EnrollmentStatus::Linked => None,
        _ if customer_confirmed => Some(ResumePoint::Accounts),
        EnrollmentStatus::WaitingForCode => Some(ResumePoint::Code),
        _ => None,
    }
}

fn can_link_another(record: &EnrollmentRecord, customer_confirmed: bool) -> bool {
    record.status == EnrollmentStatus::Linked && customer_confirmed && record.user_id.is_some()
}

/// One enrollment as the desk list shows it: what staff need to recognise
/// the customer and nothing more (no Aeropay id, no full phone number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRow {
    pub id: String,
    pub started_at: i64,
    /// `started_at` as the reader's language writes it, in their time
    /// zone (filled by the desk command, which knows both).
    pub started_at_text: String,
    pub updated_at: i64,
    pub mode: String,
    /// "Ada L."
    pub customer: String,
    pub phone_masked: String,
    pub bank_name: Option<String>,
    pub last4: Option<String>,
    pub status: EnrollmentStatus,
    pub error_code: Option<String>,
    pub can_resume: bool,
    pub can_link_another: bool,
}

impl From<ListedEnrollment> for ListRow {
    fn from(listed: ListedEnrollment) -> Self {
        let ListedEnrollment {
            record,
            customer_confirmed,
        } = listed;
        ListRow {
            can_resume: resume_point(&record, customer_confirmed).is_some(),
            can_link_another: can_link_another(&record, customer_confirmed),
            customer: record.customer_label(),
            id: record.id,
            started_at: record.started_at,
            started_at_text: String::new(),
            updated_at: record.updated_at,
            mode: record.mode,
            phone_masked: record.phone_masked,
            bank_name: record.bank_name,
            last4: record.account_last4,
            status: record.status,
            error_code: record.error_code,
        }
    }
}

impl Enrollments {
    /// The enrollments of this environment on this machine, newest first.
    pub fn list(&self, query: &EnrollmentQuery) -> Result<Vec<ListRow>, EnrollmentError> {
        Ok(self
            .deps
            .store
            .search_enrollments(&self.environment_id(), query)?
            .into_iter()
            .map(ListRow::from)
            .collect())
    }

    fn stored_record(&self, id: &str) -> Result<(EnrollmentRecord, bool), EnrollmentError> {
        let record = self
            .deps
            .store
            .enrollment(id)?
            .ok_or(EnrollmentError::NotFound)?;
        if record.environment != self.environment_id() {
            return Err(EnrollmentError::OtherEnvironment {
                environment: record.environment,
            });
        }
        let confirmed = self.deps.store.customer_confirmed(&record)?;
        Ok((record, confirmed))
    }

    /// Continues an enrollment from the list where it stopped: at the code,
    /// or (customer confirmed) at their accounts and the widget. Whatever
    /// was on screen is closed first.
    pub async fn resume(&self, id: &str) -> Result<EnrollmentView, EnrollmentError> {
        let (record, confirmed) = self.stored_record(id)?;
        let point = resume_point(&record, confirmed).ok_or(EnrollmentError::NotResumable {
            reason: if record.status == EnrollmentStatus::Linked {
                RESUME_FINISHED
            } else {
                RESUME_TOO_EARLY
            },
        })?;
        let mut guard = self.session.lock().await;
        self.close(guard.take());
        let session = guard.insert(known_customer_session(record));
        tracing::info!(enrollment = %session.record.id, "enrollment resumed");
        self.audit(
            session,
            AuditAction::EnrollmentStarted,
            "resumed from the list",
            None,
        );
        Ok(match point {
            ResumePoint::Code => {
                session.step = Step::Code {
                    channel: "code".into(),
                    attempts_left: CODE_ATTEMPTS,
                    error: None,
                    resent: false,
                    can_resend: false,
                };
                session.record.status = EnrollmentStatus::WaitingForCode;
                self.save(session);
                self.publish(session)
            }
            // No code for a confirmed customer (a new one would disconnect
            // them): staff check the customer's ID first.
            ResumePoint::Accounts => {
                session.returning = true;
                session.after_id_check = AfterIdCheck::Accounts;
                session.step = Step::IdCheck {
                    can_send_code: !session.details.phone.is_empty(),
                };
                self.save(session);
                self.publish(session)
            }
        })
    }

    /// A new enrollment for a customer whose earlier one is linked: once
    /// staff checked the customer's ID, straight to the widget (their current
    /// accounts are read first, so the same account is not linked twice).
    /// No `POST /user`, no code.
    pub async fn link_another(&self, id: &str) -> Result<EnrollmentView, EnrollmentError> {
        let (earlier, confirmed) = self.stored_record(id)?;
        if !can_link_another(&earlier, confirmed) {
            return Err(EnrollmentError::NotResumable {
                reason: LINK_ANOTHER_UNLINKED,
            });
        }
        let mut guard = self.session.lock().await;
        self.close(guard.take());
        let at = now();
        let record = EnrollmentRecord {
            id: uuid::Uuid::new_v4().to_string(),
            mode: self.deps.mode.as_str().into(),
            started_at: at,
            updated_at: at,
            status: EnrollmentStatus::Started,
            error_code: None,
            bank_name: None,
            account_last4: None,
            account_type: None,
            ..earlier
        };
        let session = guard.insert(known_customer_session(record));
        session.returning = true;
        self.save(session);
        tracing::info!(enrollment = %session.record.id, "linking another account for a known customer");
        self.audit(
            session,
            AuditAction::EnrollmentStarted,
            "link another account for a known customer",
            None,
        );
        session.after_id_check = AfterIdCheck::Widget;
        session.step = Step::IdCheck {
            can_send_code: !session.details.phone.is_empty(),
        };
        Ok(self.publish(session))
    }

    /// Drops a session being replaced, with the customer's cached tokens.
    pub(super) fn close(&self, session: Option<Session>) {
        if let Some(session) = session {
            if let Some(user_id) = &session.user_id {
                self.deps.client.forget_user(user_id);
            }
            tracing::info!(enrollment = %session.record.id, "enrollment closed");
        }
    }
}

/// A session for a customer Aeropay already knows, from a stored record.
/// Only the first name and last initial are known: the phone number and
/// e-mail are not kept on this machine.
pub(super) fn known_customer_session(record: EnrollmentRecord) -> Session {
    Session {
        details: CustomerDetails {
            first_name: record.first_name.clone(),
            last_name: record.last_initial.clone(),
            phone: String::new(),
            email: String::new(),
        },
        user_id: record.user_id.clone(),
        widget_user_id: None,
        returning: false,
        verified: false,
        after_id_check: AfterIdCheck::Accounts,
        code_attempts_left: CODE_ATTEMPTS,
        codes_asked: 0,
        widget: None,
        accounts_before: Vec::new(),
        step: empty_details(),
        record,
    }
}

/// Why an enrollment cannot be continued (`EnrollmentError::NotResumable`).
pub(crate) const RESUME_FINISHED: &str =
    "this enrollment is finished; use \"Link another account\" to add one";
pub(crate) const RESUME_TOO_EARLY: &str =
    "this enrollment stopped before Aeropay knew the customer; start a new one with their details";
pub(crate) const LINK_ANOTHER_UNLINKED: &str =
    "only a customer whose account is linked can link another one";
