//! The enrollment's merchant-scope calls: creating the customer, confirming
//! their code, and getting their userForMerchant token. Made with the
//! merchant's own API key ([`AeropayClient`]), or, on a device of a fleet,
//! by the broker ([`FleetMerchant`]), which keeps the key; the device then
//! installs the user token the broker hands it into its client, for the
//! customer's own calls (widget credentials, linking, accounts).

use super::EnrollmentError;
use aeropay_client::secret::SecretString;
use aeropay_client::{
    AeropayClient, AeropayError, CreatedUser, MfaType, NewUser, ScopedToken, TokenScope, User,
};
use fleet_client::{BrokerClient, FleetError, IdempotencyKey};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The answer of a call, later.
pub type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, EnrollmentError>> + Send + 'a>>;

/// `request_key` names one request of one enrollment: the same for every
/// repeat of that request, another for a new one (a code sent again).
pub trait MerchantCalls: Send + Sync {
    fn create_user<'a>(
        &'a self,
        user: &'a NewUser,
        request_key: &'a str,
    ) -> Answer<'a, CreatedUser>;
    fn confirm_user<'a>(
        &'a self,
        user_id: &'a str,
        code: &'a str,
        request_key: &'a str,
    ) -> Answer<'a, User>;
    /// The customer's token, also made the one the client's own calls for
    /// this customer use.
    fn user_token<'a>(&'a self, user_id: &'a str) -> Answer<'a, ScopedToken>;
}

/// Straight to Aeropay with the merchant's key (the client mints).
impl MerchantCalls for AeropayClient {
    fn create_user<'a>(&'a self, user: &'a NewUser, _: &'a str) -> Answer<'a, CreatedUser> {
        Box::pin(async move { Ok(AeropayClient::create_user(self, user).await?) })
    }

    fn confirm_user<'a>(&'a self, user_id: &'a str, code: &'a str, _: &'a str) -> Answer<'a, User> {
        Box::pin(async move { Ok(AeropayClient::confirm_user(self, user_id, code).await?) })
    }

    fn user_token<'a>(&'a self, user_id: &'a str) -> Answer<'a, ScopedToken> {
        Box::pin(async move { Ok(AeropayClient::user_token(self, user_id).await?) })
    }
}

/// Through the fleet's broker; `client` is the device's own client, which
/// holds no API key and gets its user tokens from here.
pub struct FleetMerchant {
    pub broker: BrokerClient,
    pub client: Arc<AeropayClient>,
}

impl MerchantCalls for FleetMerchant {
    fn create_user<'a>(
        &'a self,
        user: &'a NewUser,
        request_key: &'a str,
    ) -> Answer<'a, CreatedUser> {
        Box::pin(async move {
            let created = self
                .broker
                .create_user(user, &key(request_key)?)
                .await
                .map_err(from_fleet)?;
            let mfa_type = created.mfa_type.as_deref().map(|mfa| match mfa {
                "sms" => MfaType::Sms,
                "email" => MfaType::Email,
                _ => MfaType::Other,
            });
            Ok(CreatedUser {
                user: user_of(created.user),
                mfa_type,
                existing_user: None,
            })
        })
    }

    fn confirm_user<'a>(
        &'a self,
        user_id: &'a str,
        code: &'a str,
        request_key: &'a str,
    ) -> Answer<'a, User> {
        Box::pin(async move {
            let confirmed = self
                .broker
                .confirm_user(user_id, code, &key(request_key)?)
                .await
                .map_err(from_fleet)?;
            Ok(user_of(confirmed.user))
        })
    }

    fn user_token<'a>(&'a self, user_id: &'a str) -> Answer<'a, ScopedToken> {
        Box::pin(async move {
            let answer = self.broker.user_token(user_id).await.map_err(from_fleet)?;
            if answer.user_id != user_id || answer.scope != TokenScope::UserForMerchant.as_str() {
                return Err(EnrollmentError::Fleet(FleetError::UnexpectedAnswer {
                    host: host_of(self.broker.base_url()),
                    status: 200,
                }));
            }
            let token = ScopedToken {
                token: SecretString::new(answer.token.expose()),
                scope: TokenScope::UserForMerchant,
                user_id: Some(answer.user_id),
                expires_at: answer.expires_at,
            };
            // Refused only when about to expire: the call that needs it
            // then fails on its own, with the client's words.
            if !self.client.install_user_token(token.clone()) {
                tracing::warn!("the broker's user token expires too soon to be used");
            }
            Ok(token)
        })
    }
}

fn key(request_key: &str) -> Result<IdempotencyKey, EnrollmentError> {
    IdempotencyKey::new(request_key).ok_or(EnrollmentError::Internal)
}

fn host_of(url: &url::Url) -> String {
    url.host_str().unwrap_or_default().to_owned()
}

fn user_of(user: fleet_client::wire::UserRef) -> User {
    User {
        id: user.id,
        aero_pass_user_uuid: user.aero_pass_user_uuid,
        first_name: None,
        last_name: None,
        user_type: None,
        email: None,
        phone_number: None,
        created_date: None,
        user_status: user.user_status,
    }
}

/// Aeropay's refusals the broker passed on read as Aeropay's (the flow
/// tells a wrong code, AP111, from others); the broker's own stay its own.
fn from_fleet(err: FleetError) -> EnrollmentError {
    match &err {
        FleetError::Broker { status, body } if !body.code.starts_with("BROKER_") => {
            EnrollmentError::Aeropay(AeropayError::relayed(&body.code, &body.message, *status))
        }
        _ => EnrollmentError::Fleet(err),
    }
}

/// The device's client has no API key in fleet mode: any token it would
/// mint itself is refused with this, so a merchant-scope call can never be
/// made from the device by mistake.
pub struct NoApiKey;

pub const NO_API_KEY: &str = "This device belongs to a fleet and holds no Aeropay API key: its fleet's server makes the merchant's calls.";

impl aeropay_client::CredentialSource for NoApiKey {
    fn credentials(&self) -> Result<aeropay_client::Credentials, aeropay_client::CredentialError> {
        Err(aeropay_client::CredentialError(NO_API_KEY.into()))
    }
}
