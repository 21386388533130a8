//! What the client takes and returns. Response types are read with the one
//! policy of [`super::tolerant`]: keys arrive normalized to snake_case, and
//! every field accepts each encoding Aeropay's documents show. They
//! serialize in the v2 (camelCase) shape. A field is required only when an
//! operation cannot go on without it (a user's id, a token, a bank account's
//! id); everything else is optional, so a harmless change on Aeropay's side
//! does not break enrollment.

use super::tolerant::{self, Timestamp};
use crate::secret::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Which Aeropay API generation to speak (the settings keep it as `"v1"` /
/// `"v2"`; v2 unless chosen otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// `<base>/…`, header `authorizationToken`, snake_case bodies.
    V1,
    /// `<base>/v2/…`, header `authorization`, camelCase bodies.
    #[default]
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

/// An Aeropay user (POST/GET /user, confirmUser), with its ids resolved.
///
/// Read only through [`super::response::parse_response`] (keys normalized
/// to snake_case first, see [`super::tolerant`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawUser", rename_all = "camelCase")]
pub struct User {
    /// The Aeropay user id this app keeps: the `userId` of the
    /// userForMerchant token request and of confirmUser. See [`UserIds`].
    pub id: String,
    /// The network-wide id the Aerosync widget is launched with.
    pub aero_pass_user_uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_status: Option<String>,
}

/// Every id a user answer may carry, under every spelling seen.
///
/// The rule (reference §3 and §4.5):
/// - **kept id** (token `userId`, confirmUser `userId`, the record):
///   `userId` (or `user_id`), else `id`, else the aeroPass UUID. v1 answers
///   carry the merchant-facing id as `userId` — a numeric string, the form
///   v1's confirmUser and userMerchantVerification examples send — and may
///   add an `id` as well; v2 answers carry only `id`, a UUID, which the
///   migration guide says is also v2's `userId`. So `userId` first works for
///   both documented shapes, and for a v2 answer with both they are equal.
/// - **widget's `aeroPassUserUuid`**: `aeroPassUserUuid` (or `aeropassUUID`,
///   the changelog's spelling), else `id` (in v2 the same value, per the
///   migration guide), else the kept id.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
pub struct UserIds {
    #[serde(default, deserialize_with = "tolerant::opt_id")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_id")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_id")]
    pub aero_pass_user_uuid: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_id")]
    pub aeropass_user_uuid: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_id")]
    pub aeropass_uuid: Option<String>,
}

impl UserIds {
    fn aero_pass(&self) -> Option<&String> {
        self.aero_pass_user_uuid
            .as_ref()
            .or(self.aeropass_user_uuid.as_ref())
            .or(self.aeropass_uuid.as_ref())
    }

    /// The id the app keeps and sends as `userId`.
    pub fn kept(&self) -> Option<&str> {
        self.user_id
            .as_ref()
            .or(self.id.as_ref())
            .or(self.aero_pass())
            .map(String::as_str)
    }

    /// The id the Aerosync widget is launched with.
    pub fn widget(&self) -> Option<&str> {
        self.aero_pass()
            .or(self.id.as_ref())
            .map(String::as_str)
            .or(self.kept())
    }
}

#[derive(Deserialize)]
struct RawUser {
    #[serde(flatten)]
    ids: UserIds,
    #[serde(default, deserialize_with = "tolerant::opt_text")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_text")]
    last_name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "tolerant::opt_text")]
    user_type: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_text")]
    phone_number: Option<String>,
    /// v1's spelling of the phone number.
    #[serde(default, deserialize_with = "tolerant::opt_text")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "tolerant::opt_date")]
    created_date: Option<Timestamp>,
    #[serde(default, deserialize_with = "tolerant::opt_text")]
    user_status: Option<String>,
}

impl TryFrom<RawUser> for User {
    type Error = &'static str;

    fn try_from(raw: RawUser) -> Result<Self, Self::Error> {
        const NO_ID: &str = "the user has no id (id, userId, user_id or aeroPassUserUuid)";
        let id = raw.ids.kept().ok_or(NO_ID)?.to_owned();
        let aero_pass_user_uuid = raw.ids.widget().ok_or(NO_ID)?.to_owned();
        Ok(User {
            id,
            aero_pass_user_uuid,
            first_name: raw.first_name,
            last_name: raw.last_name,
            user_type: raw.user_type,
            email: raw.email,
            phone_number: raw.phone_number.or(raw.phone),
            created_date: raw.created_date,
            user_status: raw.user_status,
        })
    }
}

/// How Aeropay sent (or did not send) a verification code after POST /user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaType {
    Sms,
    Email,
    /// A channel this client does not know yet; a code was still sent.
    Other,
}

/// `"sms"`/`"email"` in any case; another word is a channel not known yet;
/// `null` or `""` means no code was sent.
fn opt_mfa_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MfaType>, D::Error> {
    Ok(tolerant::opt_text(d)?.map(|text| {
        if text.eq_ignore_ascii_case("sms") {
            MfaType::Sms
        } else if text.eq_ignore_ascii_case("email") {
            MfaType::Email
        } else {
            MfaType::Other
        }
    }))
}

/// Answer of POST /user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct CreatedUser {
    pub user: User,
    /// `None` (JSON `null`, `""` or absent): no code was sent, no confirmUser needed.
    #[serde(default, deserialize_with = "opt_mfa_type")]
    pub mfa_type: Option<MfaType>,
    /// v1 only: the phone number already belonged to an Aeropay user.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_bool"
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
pub struct AggregatorCredentials {
    #[serde(
        default,
        rename(serialize = "fastlinkURL"),
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub fastlink_url: Option<String>,
    /// The Aerosync widget token (not an Aeropay token).
    pub token: SecretString,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub username: Option<String>,
}

/// A bank account as listed (GET /bankAccounts) or selected (PATCH /userBankAccount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct BankAccount {
    #[serde(deserialize_with = "tolerant::int")]
    pub bank_account_id: i64,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub bank_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub account_last4: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_bool"
    )]
    pub is_selected: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub account_type: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_date"
    )]
    pub created_date: Option<Timestamp>,
    /// Present only for accounts linked through Aerosync; matches the
    /// widget's `connectionId`, which is how a lost link call is reconciled.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_id"
    )]
    pub connection_id: Option<String>,
}

/// The account created by linkAccountFromAggregator (`userBankInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct LinkedBankAccount {
    #[serde(deserialize_with = "tolerant::int")]
    pub bank_account_id: i64,
    /// v1 answers name the user the account was linked to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_id"
    )]
    pub user_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub bank_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub account_last4: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub external_bank_account_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_bool"
    )]
    pub is_selected: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub account_type: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_date"
    )]
    pub created_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_holder_info: Option<Vec<AccountHolderInfo>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_bool"
    )]
    pub can_fetch_balance: Option<bool>,
    /// As Aeropay sends it (an integer; the unit is not documented).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_int"
    )]
    pub balance: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountHolderInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<AccountHolderName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct AccountHolderName {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "tolerant::opt_text"
    )]
    pub full_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub(crate) struct LinkEnvelope {
    pub user_bank_info: LinkedBankAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub(crate) struct BankAccountsEnvelope {
    pub bank_accounts: Vec<BankAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub(crate) struct SelectedBankAccountEnvelope {
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
