//! One HTTP exchange with Aeropay: headers, timeouts, a capped body read,
//! error classification, and retries for operations that are safe to repeat.

use super::config::{is_safe_base_url, ClientConfig};
use super::error::{AeropayError, CatalogMessage, ErrorCategory};
use super::redact::{redact_json, redact_text};
use super::response::parse_response;
use crate::secret::SecretString;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Duration, Instant};
use url::Url;

/// The operations of the client, for logs, retry decisions and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Token,
    CreateUser,
    GetUser,
    ConfirmUser,
    AggregatorCredentials,
    LinkAccount,
    BankAccounts,
    SelectBankAccount,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::CreateUser => "createUser",
            Operation::GetUser => "getUser",
            Operation::ConfirmUser => "confirmUser",
            Operation::AggregatorCredentials => "aggregatorCredentials",
            Operation::LinkAccount => "linkAccountFromAggregator",
            Operation::BankAccounts => "bankAccounts",
            Operation::SelectBankAccount => "selectBankAccount",
        }
    }

    /// Whether sending the request twice has the same effect as once.
    /// Minting a token, reading, and selecting the same default account are;
    /// creating a user (it disconnects a confirmed user and sends a new code),
    /// confirming a code (it counts as an attempt) and linking are not.
    pub fn is_repeatable(self) -> bool {
        !matches!(
            self,
            Operation::CreateUser | Operation::ConfirmUser | Operation::LinkAccount
        )
    }

    fn outcome_unknown_message(self) -> &'static str {
        match self {
            Operation::LinkAccount => "The bank link may or may not have gone through. The app checks the customer's accounts before trying again.",
            Operation::CreateUser => "Aeropay may or may not have created the account (and sent a code). Check with the customer before trying again.",
            Operation::ConfirmUser => "Aeropay may or may not have accepted the code. Check the customer's status before trying again.",
            _ => "Aeropay did not confirm whether the request went through.",
        }
    }
}

/// One request, fully described; the body may hold secrets and is only
/// ever logged through [`redact_json`].
pub(crate) struct Call<'a> {
    pub operation: Operation,
    pub method: Method,
    pub path: String,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<Value>,
    pub bearer: Option<(&'static str, SecretString)>,
    pub headers: &'a [(&'static str, &'static str)],
}

pub(crate) struct Transport {
    http: reqwest::Client,
    config: ClientConfig,
    extra_headers: HeaderMap,
}

impl Transport {
    pub fn new(config: ClientConfig) -> Result<Self, AeropayError> {
        let mut extra_headers = HeaderMap::new();
        for (name, value) in &config.extra_headers {
            let name = HeaderName::from_bytes(name.as_bytes());
            let value = HeaderValue::from_str(value);
            match (name, value) {
                (Ok(name), Ok(value)) => {
                    extra_headers.append(name, value);
                }
                _ => return Err(setup_error(SETUP_BAD_HEADER)),
            }
        }
        require_safe_scheme(&config.base_url)?;
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            // A redirect would carry the bearer token and the request body
            // somewhere else: it is reported, never followed.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| setup_error(SETUP_NO_CLIENT).with_detail(e.to_string()))?;
        Ok(Self {
            http,
            config,
            extra_headers,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn url(&self, path: &str) -> Result<Url, AeropayError> {
        let base = self.config.base_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|_| setup_error(SETUP_BAD_ADDRESS))
    }

    /// Sends the call (repeating it on transient failures when the operation
    /// allows) and parses the answer.
    pub async fn execute<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, AeropayError> {
        let policy = &self.config.retry;
        let attempts = if call.operation.is_repeatable() {
            policy.max_attempts.max(1)
        } else {
            1
        };
        let mut backoff = policy.initial_backoff;
        let mut attempt = 1;
        loop {
            let result = self.attempt::<T>(call, attempt).await;
            match result {
                Err(error) if attempt < attempts && is_transient(&error) => {
                    let delay = jitter(backoff);
                    tracing::info!(
                        operation = call.operation.name(),
                        attempt,
                        code = error.code(),
                        delay_ms = delay.as_millis() as u64,
                        "Aeropay call failed, retrying"
                    );
                    tokio::time::sleep(delay).await;
                    backoff = (backoff * 2).min(policy.max_backoff);
                    attempt += 1;
                }
                Err(error) => {
                    tracing::warn!(
                        operation = call.operation.name(),
                        attempt,
                        code = error.code(),
                        category = ?error.category(),
                        status = error.http_status(),
                        detail = error.detail().unwrap_or(""),
                        "Aeropay call failed"
                    );
                    return Err(error);
                }
                Ok(value) => return Ok(value),
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        attempt: u32,
    ) -> Result<T, AeropayError> {
        let mut url = self.url(&call.path)?;
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(call.query);
        }
        let started = Instant::now();
        tracing::debug!(
            operation = call.operation.name(),
            method = %call.method,
            %url,
            attempt,
            body = %call.body.as_ref().map(redact_json).unwrap_or(serde_json::Value::Null),
            "Aeropay request"
        );
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .headers(self.extra_headers.clone())
            // The spec marks Content-Type required on every operation, GETs included.
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json");
        for (name, value) in call.headers {
            request = request.header(*name, *value);
        }
        if let Some((header, token)) = &call.bearer {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    AeropayError::new(
                        ErrorCategory::UnexpectedResponse,
                        "UNEXPECTED_RESPONSE",
                        "Aeropay issued a token this app cannot use. Please contact support.",
                    )
                })?;
            value.set_sensitive(true);
            request = request.header(*header, value);
        }
        if let Some(body) = &call.body {
            request = request.body(body.to_string());
        }

        let response = request
            .send()
            .await
            .map_err(|e| self.classify(call.operation, &e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if (300..400).contains(&status) {
            return Err(unknown_outcome_if_unrepeatable(
                call.operation,
                redirect_error(redirect_origin(response.headers())).with_status(status),
            ));
        }
        let body = self.read_capped(call.operation, response).await?;
        tracing::debug!(
            operation = call.operation.name(),
            status,
            bytes = body.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Aeropay response"
        );
        tracing::trace!(
            operation = call.operation.name(),
            body = %redact_text(&String::from_utf8_lossy(&body)),
            "Aeropay response body"
        );
        parse_response::<T>(status, content_type.as_deref(), &body)
            .map_err(|e| unknown_outcome_if_unrepeatable(call.operation, e))
            .map_err(|e| e.during(call.operation.name()))
    }

    /// Reads the body chunk by chunk and stops at the cap, so a huge or
    /// endless answer cannot exhaust memory.
    async fn read_capped(
        &self,
        operation: Operation,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, AeropayError> {
        let cap = self.config.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|len| len > cap as u64)
        {
            return Err(too_large(operation, cap));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        return Err(too_large(operation, cap));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => return Err(self.classify(operation, &e)),
            }
        }
    }

    fn classify(&self, operation: Operation, error: &reqwest::Error) -> AeropayError {
        let chain = error_chain(error);
        if error.is_builder() {
            return setup_error(SETUP_NO_REQUEST).with_detail(chain);
        }
        if error.is_connect() {
            if looks_like_tls(&chain) {
                return AeropayError::new(
                    ErrorCategory::Network,
                    "NETWORK_TLS",
                    "The secure connection to Aeropay failed. Check the device's date and time and the network (a proxy may be interfering).",
                )
                .with_detail(chain);
            }
            // Nothing was sent: safe to report as a plain network failure.
            return AeropayError::new(
                ErrorCategory::Network,
                if error.is_timeout() {
                    "NETWORK_TIMEOUT"
                } else {
                    "NETWORK_UNREACHABLE"
                },
                "Aeropay cannot be reached. Check the internet connection and try again.",
            )
            .with_detail(chain);
        }
        let network = if error.is_timeout() {
            AeropayError::new(
                ErrorCategory::Network,
                "NETWORK_TIMEOUT",
                "Aeropay took too long to answer. Please try again.",
            )
        } else {
            AeropayError::new(
                ErrorCategory::Network,
                "NETWORK_ERROR",
                "The connection to Aeropay broke off. Please try again.",
            )
        }
        .with_detail(chain);
        unknown_outcome_if_unrepeatable(operation, network)
    }
}

fn require_safe_scheme(base: &Url) -> Result<(), AeropayError> {
    if is_safe_base_url(base) {
        Ok(())
    } else {
        Err(setup_error(SETUP_UNSAFE_SCHEME))
    }
}

/// The origin a redirect points to (never its path or query, which may
/// carry a token), if it names one.
fn redirect_origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|location| Url::parse(location).ok())
        .map(|url| url.origin().ascii_serialization())
        .filter(|origin| origin != "null")
}

/// Aeropay's address answered with a redirect (to `target`, if it named a
/// usable one).
pub(crate) fn redirect_error(target: Option<String>) -> AeropayError {
    match target {
        Some(target) => AeropayError::new(
            ErrorCategory::UnexpectedResponse,
            "HTTP_REDIRECT",
            format!("Aeropay's address sent this app elsewhere ({target}); the app does not follow redirects. Ask a manager to check the Aeropay address in Settings."),
        )
        .with_text(CatalogMessage::new("err-http-redirect", [("target", target)])),
        None => AeropayError::new(
            ErrorCategory::UnexpectedResponse,
            "HTTP_REDIRECT",
            "Aeropay's address sent this app elsewhere; the app does not follow redirects. Ask a manager to check the Aeropay address in Settings.",
        ),
    }
}

// Why the connection cannot be set up: each makes one fixed sentence
// (`setup_error`), in `errors.ftl`.
const SETUP_BAD_HEADER: &str = "an extra header is not a valid HTTP header";
const SETUP_NO_CLIENT: &str = "the HTTP client could not start";
const SETUP_BAD_ADDRESS: &str = "the Aeropay address is not a valid URL";
const SETUP_NO_REQUEST: &str = "the request could not be built";
const SETUP_UNSAFE_SCHEME: &str =
    "the Aeropay address must start with https:// (plain http is allowed only for 127.0.0.1)";

/// Every setup error the page can show, for the catalog check.
pub(crate) fn every_setup_error() -> Vec<AeropayError> {
    [
        SETUP_BAD_HEADER,
        SETUP_NO_CLIENT,
        SETUP_BAD_ADDRESS,
        SETUP_NO_REQUEST,
        SETUP_UNSAFE_SCHEME,
    ]
    .into_iter()
    .map(setup_error)
    .collect()
}

fn setup_error(what: &str) -> AeropayError {
    AeropayError::new(
        ErrorCategory::InvalidInput,
        "INVALID_REQUEST",
        format!("The Aeropay connection is not set up correctly: {what}. Ask a manager to check the settings."),
    )
}

fn too_large(operation: Operation, cap: usize) -> AeropayError {
    let error = AeropayError::new(
        ErrorCategory::UnexpectedResponse,
        "RESPONSE_TOO_LARGE",
        "Aeropay sent an answer far larger than expected. Please try again or contact support.",
    )
    .with_detail(format!("answer exceeds {cap} bytes"));
    unknown_outcome_if_unrepeatable(operation, error)
}

/// A request that must not be repeated reached the server but no usable
/// answer came back: whether it took effect is unknown. Answers that carry an
/// Aeropay error code, and 4xx refusals, are definite and stay as they are.
fn unknown_outcome_if_unrepeatable(operation: Operation, error: AeropayError) -> AeropayError {
    let undecided = error.aeropay_code().is_none()
        && matches!(
            error.category(),
            ErrorCategory::Network
                | ErrorCategory::UpstreamDown
                | ErrorCategory::UnexpectedResponse
        );
    if operation.is_repeatable() || !undecided {
        return error;
    }
    error.into_outcome_unknown(operation.outcome_unknown_message())
}

/// Worth repeating a repeatable operation: the network or Aeropay hiccupped.
fn is_transient(error: &AeropayError) -> bool {
    error.aeropay_code().is_none()
        && error.retryable()
        && matches!(
            error.category(),
            ErrorCategory::Network | ErrorCategory::UpstreamDown
        )
}

fn jitter(base: Duration) -> Duration {
    let factor = 0.75 + rand::random::<f64>() * 0.5;
    base.mul_f64(factor)
}

fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn looks_like_tls(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    [
        "tls",
        "certificate",
        "handshake",
        "rustls",
        "invalidcontenttype",
        "corrupt message",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}
