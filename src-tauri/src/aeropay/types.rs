//! What the client takes and returns. Response types are the v2 shapes
//! (camelCase); aliases accept the snake_case and `userId` spellings older v1
//! answers use. A field is required only when an operation cannot go on
//! without it (a user's id, a token, a bank account's id); everything else
//! is optional, so a harmless change on Aeropay's side does not break
//! enrollment.

use crate::secret::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Which Aeropay API generation to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// `<base>/…`, header `authorizationToken`, snake_case bodies.
    V1,
    /// `<base>/v2/…`, header `authorization`, camelCase bodies.
    V2,
}

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenScope {
    #[serde(rename = "merchant")]
    Merchant,
    #[serde(rename = "userForMerchant")]
    UserForMerchant,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Merchant => "merchant",
            TokenScope::UserForMerchant => "userForMerchant",
        }
    }
}

/// A token as handed to callers, e.g. to keep it in the keychain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedToken {
    pub token: SecretString,
    pub scope: TokenScope,
    /// The customer the token acts for (userForMerchant scope only).
    pub user_id: Option<String>,
    /// Unix seconds at which Aeropay stops accepting the token.
    pub expires_at: i64,
}

/// The customer to enroll. Aeropay wants all four; the phone as `+1XXXXXXXXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub email: String,
}

/// An Aeropay user (POST/GET /user, confirmUser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's UUID in v2 (also the `aeroPassUserUuid` the widget needs).
    #[serde(
        alias = "userId",
        alias = "user_id",
        deserialize_with = "string_or_number"
    )]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "first_name")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "last_name")]
    pub last_name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "phone_number"
    )]
    pub phone_number: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "created_date"
    )]
    pub created_date: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "user_status"
    )]
    pub user_status: Option<String>,
    /// Sent by v1 answers next to a numeric `userId`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "aeropassUUID",
        alias = "aeropass_user_uuid"
    )]
    pub aero_pass_user_uuid: Option<String>,
}

/// How Aeropay sent (or did not send) a verification code after POST /user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaType {
    Sms,
    Email,
    /// A channel this client does not know yet; a code was still sent.
    #[serde(other)]
    Other,
}

/// Answer of POST /user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    pub user: User,
    /// `None` (JSON `null` or absent): no code was sent, no confirmUser needed.
    #[serde(default, alias = "mfa_type")]
    pub mfa_type: Option<MfaType>,
    /// v1 only: the phone number already belonged to an Aeropay user.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "existing_user"
    )]
    pub existing_user: Option<bool>,
}

impl CreatedUser {
    /// Whether the customer must type the code they received (confirmUser).
    pub fn needs_confirmation(&self) -> bool {
        self.mfa_type.is_some()
    }
}

/// Answer of GET /user and POST /confirmUser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserEnvelope {
    pub user: User,
}

/// Answer of GET /aggregatorCredentials: what the Aerosync widget is launched with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregatorCredentials {
    #[serde(
        default,
        rename = "fastlinkURL",
        alias = "fastlinkUrl",
        alias = "fastlink_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub fastlink_url: Option<String>,
    /// The Aerosync widget token (not an Aeropay token).
    pub token: SecretString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A bank account as listed (GET /bankAccounts) or selected (PATCH /userBankAccount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankAccount {
    #[serde(alias = "bank_account_id", deserialize_with = "integer_or_digits")]
    pub bank_account_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "bank_name")]
    pub bank_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "account_last4"
    )]
    pub account_last4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "is_selected"
    )]
    pub is_selected: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "account_type"
    )]
    pub account_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "created_date"
    )]
    pub created_date: Option<String>,
    /// Present only for accounts linked through Aerosync; matches the
    /// widget's `connectionId`, which is how a lost link call is reconciled.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "connection_id"
    )]
    pub connection_id: Option<String>,
}

/// The account created by linkAccountFromAggregator (`userBankInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedBankAccount {
    #[serde(alias = "bank_account_id", deserialize_with = "integer_or_digits")]
    pub bank_account_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "bank_name")]
    pub bank_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "account_last4"
    )]
    pub account_last4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_bank_account_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "is_selected"
    )]
    pub is_selected: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "account_type"
    )]
    pub account_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "created_date"
    )]
    pub created_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_holder_info: Option<Vec<AccountHolderInfo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_fetch_balance: Option<bool>,
    /// As Aeropay sends it (an integer; the unit is not documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountHolderInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<AccountHolderName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountHolderName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LinkEnvelope {
    #[serde(alias = "user_bank_info")]
    pub user_bank_info: LinkedBankAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BankAccountsEnvelope {
    #[serde(alias = "bank_accounts")]
    pub bank_accounts: Vec<BankAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SelectedBankAccountEnvelope {
    #[serde(alias = "bank_account")]
    pub bank_account: BankAccount,
}

/// What the Aerosync widget reported on success, to link the account.
#[derive(Clone, PartialEq, Eq)]
pub enum LinkSource {
    /// SDK 2.x `onSuccess.connectionId`; for API v2.
    Connection { connection_id: String },
    /// SDK 1.x `onSuccess.user_id` / `user_password`; for API v1.
    LegacyCredentials {
        user_id: String,
        user_password: SecretString,
    },
}

impl fmt::Debug for LinkSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkSource::Connection { connection_id } => f
                .debug_struct("Connection")
                .field("connection_id", connection_id)
                .finish(),
            LinkSource::LegacyCredentials { user_id, .. } => f
                .debug_struct("LegacyCredentials")
                .field("user_id", user_id)
                .field("user_password", &"<redacted>")
                .finish(),
        }
    }
}

/// A JSON string or number, as a string (v1 ids are sometimes numbers).
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
    }
    let value = match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text,
        Raw::Number(number) => number.to_string(),
    };
    if value.trim().is_empty() {
        return Err(serde::de::Error::custom("empty id"));
    }
    Ok(value)
}

/// A JSON integer or a string of digits.
fn integer_or_digits<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i64),
        Text(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Number(number) => Ok(number),
        Raw::Text(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom("bank account id is not an integer")),
    }
}
