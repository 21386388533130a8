//! The Aeropay client: one typed async method per operation, for API v1 and v2.

use super::config::ClientConfig;
use super::credentials::{CredentialSource, Credentials};
use super::error::{AeropayError, ErrorCategory};
use super::token::{MintCounters, MintCounts, TokenCache, TokenKey};
use super::transport::{Call, Operation, Transport};
use super::types::{
    AggregatorCredentials, ApiVersion, BankAccount, BankAccountsEnvelope, CreatedUser,
    LinkEnvelope, LinkSource, LinkedBankAccount, NewUser, ScopedToken, SelectedBankAccountEnvelope,
    TokenScope, User, UserEnvelope,
};
use super::wire::{self, AGGREGATOR};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;
use url::Url;

/// Cheap to clone; clones share the HTTP connection pool and the token cache.
#[derive(Clone)]
pub struct AeropayClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    tokens: TokenCache,
    mints: MintCounters,
}

impl std::fmt::Debug for AeropayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = self.inner.transport.config();
        f.debug_struct("AeropayClient")
            .field("base_url", &config.base_url.as_str())
            .field("version", &config.version)
            .finish_non_exhaustive()
    }
}

/// Who a call acts as.
enum Actor<'a> {
    Merchant,
    User(&'a str),
}

impl Actor<'_> {
    fn key(&self) -> TokenKey {
        match self {
            Actor::Merchant => TokenKey::Merchant,
            Actor::User(user_id) => TokenKey::User((*user_id).to_owned()),
        }
    }
}

impl AeropayClient {
    pub fn new(
        config: ClientConfig,
        credentials: Arc<dyn CredentialSource>,
    ) -> Result<Self, AeropayError> {
        let tokens = TokenCache::new(config.token_refresh_margin);
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport::new(config)?,
                credentials,
                tokens,
                mints: MintCounters::default(),
            }),
        })
    }

    pub fn version(&self) -> ApiVersion {
        self.inner.transport.config().version
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.transport.config().base_url
    }

    /// Tokens minted so far (to check an enrollment mints no more than needed).
    pub fn mint_counts(&self) -> MintCounts {
        self.inner.mints.snapshot()
    }

    // ---- tokens -----------------------------------------------------------

    /// The merchant token, from the cache or freshly minted.
    pub async fn merchant_token(&self) -> Result<ScopedToken, AeropayError> {
        self.token_for(&Actor::Merchant).await
    }

    /// The cached merchant token if it is fresh; never mints. Waits for a
    /// mint in progress.
    pub async fn cached_merchant_token(&self) -> Option<ScopedToken> {
        self.inner.tokens.peek_wait(&TokenKey::Merchant).await
    }

    /// Mints a merchant token now, whatever the cache holds, and caches it:
    /// for a server that decides itself when the token is renewed (one mint
    /// shared by several processes).
    pub async fn mint_merchant_token(&self) -> Result<ScopedToken, AeropayError> {
        self.inner
            .tokens
            .mint_now(&TokenKey::Merchant, || self.mint(&TokenKey::Merchant))
            .await
    }

    /// Uses a merchant token minted by another process sharing the same
    /// credentials. The cached one stays if it expires later. Returns false
    /// (and keeps nothing) if it is not a merchant token or about to expire.
    pub async fn install_merchant_token(&self, token: ScopedToken) -> bool {
        if token.scope != TokenScope::Merchant || token.user_id.is_some() {
            return false;
        }
        self.inner
            .tokens
            .install_wait(&TokenKey::Merchant, token)
            .await
    }

    /// The customer's userForMerchant token with its scope and expiry, from
    /// the cache or freshly minted (e.g. to keep it in the keychain).
    pub async fn user_token(&self, user_id: &str) -> Result<ScopedToken, AeropayError> {
        require_user_id(user_id)?;
        self.token_for(&Actor::User(user_id)).await
    }

    /// The customer's cached token, if one is fresh; never mints.
    pub fn cached_user_token(&self, user_id: &str) -> Option<ScopedToken> {
        self.inner.tokens.peek(&TokenKey::User(user_id.to_owned()))
    }

    /// Reuses a userForMerchant token kept from an earlier session. Returns
    /// false (and keeps nothing) if it is not a user token or about to expire.
    pub fn install_user_token(&self, token: ScopedToken) -> bool {
        let Some(user_id) = token.user_id.clone() else {
            return false;
        };
        if token.scope != TokenScope::UserForMerchant {
            return false;
        }
        self.inner.tokens.install(&TokenKey::User(user_id), token)
    }

    /// Drops the customer's token from memory (end of their session).
    pub fn forget_user(&self, user_id: &str) {
        self.inner.tokens.forget_user(user_id);
    }

    /// Drops every token from memory.
    pub fn forget_all_tokens(&self) {
        self.inner.tokens.clear();
    }

    async fn token_for(&self, actor: &Actor<'_>) -> Result<ScopedToken, AeropayError> {
        let key = actor.key();
        self.inner.tokens.get(&key, || self.mint(&key)).await
    }

    async fn credentials(&self) -> Result<Credentials, AeropayError> {
        let source = self.inner.credentials.clone();
        // A keychain read blocks; keep it off the async worker threads.
        let result = tokio::task::spawn_blocking(move || source.credentials())
            .await
            .map_err(|_| credentials_error("reading the credentials stopped unexpectedly"))?;
        result.map_err(|e| credentials_error(&e.to_string()))
    }

    /// POST /token (v1) or /v2/token: always asks Aeropay, counts the mint.
    async fn mint(&self, key: &TokenKey) -> Result<(ScopedToken, Instant), AeropayError> {
        let result = self.mint_uncounted(key).await;
        self.inner.mints.record(key, result.is_ok());
        result
    }

    async fn mint_uncounted(&self, key: &TokenKey) -> Result<(ScopedToken, Instant), AeropayError> {
        let credentials = self.credentials().await?;
        let (scope, user_id) = match key {
            TokenKey::Merchant => (TokenScope::Merchant, None),
            TokenKey::User(user_id) => (TokenScope::UserForMerchant, Some(user_id.as_str())),
        };
        let version = self.version();
        let body = match version {
            ApiVersion::V1 => to_body(&wire::TokenRequestV1 {
                api_key: &credentials.api_key,
                api_secret: &credentials.api_secret,
                scope,
                id: credentials.merchant_id,
                user_id,
            }),
            ApiVersion::V2 => to_body(&wire::TokenRequestV2 {
                api_key: &credentials.api_key,
                api_secret: &credentials.api_secret,
                scope,
                id: credentials.merchant_id,
                user_id,
            }),
        }?;
        let call = Call {
            operation: Operation::Token,
            method: Method::POST,
            path: wire::path(version, "token"),
            query: &[],
            body: Some(body),
            bearer: None,
            headers: &[],
        };
        let answer: wire::TokenResponse =
            self.inner.transport.execute(&call).await.map_err(|e| {
                if scope == TokenScope::UserForMerchant {
                    e.for_user_scope_mint()
                } else {
                    e
                }
            })?;
        if answer.token.expose().trim().is_empty() {
            return Err(AeropayError::new(
                ErrorCategory::UnexpectedResponse,
                "UNEXPECTED_RESPONSE",
                "Aeropay sent an empty sign-in token. Please try again or contact support.",
            ));
        }
        let ttl = answer.ttl.unwrap_or(wire::DEFAULT_TTL_SECS);
        tracing::debug!(scope = scope.as_str(), ttl, "Aeropay token minted");
        Ok(self
            .inner
            .tokens
            .fresh(answer.token, scope, user_id.map(str::to_owned), ttl))
    }

    /// Sends an authorized call; on AP007/AP008 the token is replaced once and
    /// the call repeated (the request was refused, so repeating is harmless).
    async fn authorized<T: DeserializeOwned>(
        &self,
        actor: Actor<'_>,
        mut call: Call<'_>,
    ) -> Result<T, AeropayError> {
        let key = actor.key();
        let operation = call.operation;
        let header = wire::auth_header(self.version());
        let token = self.token_for(&actor).await?;
        call.bearer = Some((header, token.token.clone()));
        match self.inner.transport.execute::<T>(&call).await {
            Err(error) if error.is_token_rejected() => {
                tracing::info!(
                    operation = operation.name(),
                    code = error.code(),
                    "Aeropay token rejected, renewing once"
                );
                let fresh = self
                    .inner
                    .tokens
                    .replace_rejected(&key, &token.token, || self.mint(&key))
                    .await?;
                call.bearer = Some((header, fresh.token));
                self.inner.transport.execute::<T>(&call).await
            }
            other => other,
        }
    }

    // ---- users ------------------------------------------------------------

    /// POST /user (v1, with `X-API-Version: 1.1`) or /v2/user, merchant token.
    /// Never repeated by the client: each call disconnects a confirmed user
    /// and sends a new code. A lost answer is an `OutcomeUnknown` error.
    pub async fn create_user(&self, user: &NewUser) -> Result<CreatedUser, AeropayError> {
        let version = self.version();
        let (body, headers): (Value, &[(&str, &str)]) = match version {
            ApiVersion::V1 => (
                to_body(&wire::CreateUserV1::from(user))?,
                &[("X-API-Version", "1.1")],
            ),
            ApiVersion::V2 => (to_body(user)?, &[]),
        };
        let created: CreatedUser = self
            .authorized(
                Actor::Merchant,
                Call {
                    operation: Operation::CreateUser,
                    method: Method::POST,
                    path: wire::path(version, "user"),
                    query: &[],
                    body: Some(body),
                    bearer: None,
                    headers,
                },
            )
            .await?;
        Ok(created)
    }

    /// GET /user or /v2/user: the customer the userForMerchant token is for.
    pub async fn get_user(&self, user_id: &str) -> Result<User, AeropayError> {
        require_user_id(user_id)?;
        let version = self.version();
        let envelope: UserEnvelope = self
            .authorized(
                Actor::User(user_id),
                Call {
                    operation: Operation::GetUser,
                    method: Method::GET,
                    path: wire::path(version, "user"),
                    query: &[],
                    body: None,
                    bearer: None,
                    headers: &[],
                },
            )
            .await?;
        Ok(envelope.user)
    }

    /// POST /confirmUser or /v2/confirmUser `{userId, code, merchantId}`, merchant token.
    pub async fn confirm_user(&self, user_id: &str, code: &str) -> Result<User, AeropayError> {
        require_user_id(user_id)?;
        let merchant_id = self.credentials().await?.merchant_id;
        let version = self.version();
        let body = to_body(&wire::ConfirmUserRequest {
            user_id,
            code,
            merchant_id,
        })?;
        let envelope: UserEnvelope = self
            .authorized(
                Actor::Merchant,
                Call {
                    operation: Operation::ConfirmUser,
                    method: Method::POST,
                    path: wire::path(version, "confirmUser"),
                    query: &[],
                    body: Some(body),
                    bearer: None,
                    headers: &[],
                },
            )
            .await?;
        Ok(envelope.user)
    }

    // ---- bank linking -----------------------------------------------------

    /// GET /aggregatorCredentials?aggregator=aerosync (or /v2/…): what the
    /// Aerosync widget is launched with.
    pub async fn aggregator_credentials(
        &self,
        user_id: &str,
    ) -> Result<AggregatorCredentials, AeropayError> {
        require_user_id(user_id)?;
        let version = self.version();
        let credentials: AggregatorCredentials = self
            .authorized(
                Actor::User(user_id),
                Call {
                    operation: Operation::AggregatorCredentials,
                    method: Method::GET,
                    path: wire::path(version, "aggregatorCredentials"),
                    query: &[("aggregator", AGGREGATOR)],
                    body: None,
                    bearer: None,
                    headers: &[],
                },
            )
            .await?;
        if credentials.token.expose().trim().is_empty() {
            return Err(AeropayError::new(
                ErrorCategory::UnexpectedResponse,
                "UNEXPECTED_RESPONSE",
                "Aeropay sent no bank-linking token. Please try again or contact support.",
            ));
        }
        Ok(credentials)
    }

    /// POST /linkAccountFromAggregator (v1 `{user_id, user_password,
    /// aggregator}`) or /v2/… (`{connectionId, aggregator}`). Never repeated:
    /// when the answer is lost the error's category is `OutcomeUnknown`, and
    /// the caller reconciles through [`Self::bank_accounts`] (v2 lists the
    /// `connectionId` of Aerosync-linked accounts).
    pub async fn link_account(
        &self,
        user_id: &str,
        source: &LinkSource,
    ) -> Result<LinkedBankAccount, AeropayError> {
        require_user_id(user_id)?;
        let version = self.version();
        let body = match (version, source) {
            (ApiVersion::V2, LinkSource::Connection { connection_id }) => {
                to_body(&wire::LinkRequestV2 {
                    connection_id,
                    aggregator: AGGREGATOR,
                })?
            }
            (
                ApiVersion::V1,
                LinkSource::LegacyCredentials {
                    user_id,
                    user_password,
                },
            ) => to_body(&wire::LinkRequestV1 {
                user_id,
                user_password,
                aggregator: AGGREGATOR,
            })?,
            (ApiVersion::V1, LinkSource::Connection { .. }) => {
                return Err(invalid_request(REQUEST_V1_CONNECTION))
            }
            (ApiVersion::V2, LinkSource::LegacyCredentials { .. }) => {
                return Err(invalid_request(REQUEST_V2_LEGACY))
            }
        };
        let envelope: LinkEnvelope = self
            .authorized(
                Actor::User(user_id),
                Call {
                    operation: Operation::LinkAccount,
                    method: Method::POST,
                    path: wire::path(version, "linkAccountFromAggregator"),
                    query: &[],
                    body: Some(body),
                    bearer: None,
                    headers: &[],
                },
            )
            .await?;
        Ok(envelope.user_bank_info)
    }

    /// GET /v2/bankAccounts. For v1 the client calls GET /bankAccounts and
    /// expects the same shape: an inference, as only the v2 form is documented.
    pub async fn bank_accounts(&self, user_id: &str) -> Result<Vec<BankAccount>, AeropayError> {
        require_user_id(user_id)?;
        let version = self.version();
        let envelope: BankAccountsEnvelope = self
            .authorized(
                Actor::User(user_id),
                Call {
                    operation: Operation::BankAccounts,
                    method: Method::GET,
                    path: wire::path(version, "bankAccounts"),
                    query: &[],
                    body: None,
                    bearer: None,
                    headers: &[],
                },
            )
            .await?;
        Ok(envelope.bank_accounts)
    }

    /// PATCH /v2/userBankAccount/{id} (v1: /userBankAccount/{id}): makes the
    /// account the default for transactions.
    pub async fn select_bank_account(
        &self,
        user_id: &str,
        bank_account_id: i64,
    ) -> Result<BankAccount, AeropayError> {
        require_user_id(user_id)?;
        let version = self.version();
        let path = wire::path(version, &format!("userBankAccount/{bank_account_id}"));
        let envelope: SelectedBankAccountEnvelope = self
            .authorized(
                Actor::User(user_id),
                Call {
                    operation: Operation::SelectBankAccount,
                    method: Method::PATCH,
                    path,
                    query: &[],
                    body: None,
                    bearer: None,
                    headers: &[],
                },
            )
            .await?;
        Ok(envelope.bank_account)
    }
}

fn to_body<T: Serialize>(value: &T) -> Result<Value, AeropayError> {
    serde_json::to_value(value).map_err(|_| invalid_request(REQUEST_NOT_ENCODED))
}

// Why a request cannot be sent: each makes one fixed sentence
// (`invalid_request`), in `errors.ftl`.
const REQUEST_NOT_ENCODED: &str = "the request could not be encoded";
const REQUEST_V1_CONNECTION: &str = "API v1 links with the widget's user_id and user_password; this widget sent a connectionId (use API v2)";
const REQUEST_V2_LEGACY: &str = "API v2 links with the widget's connectionId; this widget sent user_id and user_password (use API v1 or a newer widget)";
const REQUEST_NO_USER_ID: &str = "the customer's Aeropay user id is missing";

/// Every refused request the page can show, for the catalog check.
pub(crate) fn every_invalid_request() -> Vec<AeropayError> {
    [
        REQUEST_NOT_ENCODED,
        REQUEST_V1_CONNECTION,
        REQUEST_V2_LEGACY,
        REQUEST_NO_USER_ID,
    ]
    .into_iter()
    .map(invalid_request)
    .collect()
}

fn invalid_request(what: &str) -> AeropayError {
    AeropayError::new(
        ErrorCategory::InvalidInput,
        "INVALID_REQUEST",
        format!("This request cannot be sent: {what}."),
    )
}

fn credentials_error(detail: &str) -> AeropayError {
    AeropayError::new(
        ErrorCategory::Auth,
        "CREDENTIALS_UNAVAILABLE",
        "This device's Aeropay API keys could not be read. Ask a manager to check the setup.",
    )
    .with_detail(detail)
}

fn require_user_id(user_id: &str) -> Result<(), AeropayError> {
    if user_id.trim().is_empty() {
        return Err(invalid_request(REQUEST_NO_USER_ID));
    }
    Ok(())
}
