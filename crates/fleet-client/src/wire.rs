//! The bodies of the broker's HTTP API, shared by the broker (which writes
//! answers and reads requests) and the device (which does the opposite), so
//! the compiler keeps both sides agreeing on every field's name and type.

use aeropay_client::secret::SecretString;
use aeropay_client::ApiVersion;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

/// The customer to create, as Aeropay's POST /user takes it.
pub use aeropay_client::NewUser;

/// Every error answer: `{"code", "message", "retry"}`, the message fit for
/// a kiosk screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub retry: bool,
}

/// `POST /v1/devices/enroll`: the one-time code `device add` printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: SecretString,
}

/// The answer to `POST /v1/devices/enroll`; `secret` is shown once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enrolled {
    pub device_id: Uuid,
    pub name: String,
    pub group: String,
    pub secret: SecretString,
}

/// `GET /v1/device`: who the device is, and the Aeropay the broker uses,
/// which the device's own userForMerchant calls must use too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    pub device_id: Uuid,
    pub name: String,
    pub group: String,
    pub aeropay: AeropayTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AeropayTarget {
    /// The v1 base URL; v2 paths hang off `<base>/v2`.
    pub base_url: Url,
    pub api_version: ApiVersion,
}

/// `GET /v1/device/settings`: the managed settings of the device's group.
/// `settings` is a managed-settings document (the policy file's shape); the
/// device checks it with `managed_settings` before using it. `version`
/// changes when the document does (also sent as the `ETag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSettings {
    pub group: String,
    pub version: String,
    pub settings: Value,
}

/// A user as the broker's user calls name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    pub id: String,
    pub aero_pass_user_uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_status: Option<String>,
}

/// The answer to `POST /v1/users`. `mfa_type` is `None` when Aeropay sent
/// no code (no confirmation needed), else `"sms"`, `"email"` or `"other"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    pub user: UserRef,
    pub mfa_type: Option<String>,
}

/// `POST /v1/users/{id}/confirm`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfirmRequest {
    pub code: String,
}

/// The answer to `POST /v1/users/{id}/confirm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedUser {
    pub user: UserRef,
}

/// The answer to `POST /v1/users/{id}/token`: a userForMerchant token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserToken {
    pub token: SecretString,
    /// Always `"userForMerchant"`.
    pub scope: String,
    pub user_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// One line of a device's audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: String,
    #[serde(default)]
    pub detail: Value,
}

/// `POST /v1/audit`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditUpload {
    pub entries: Vec<AuditEntry>,
}

/// The answer to `POST /v1/audit`: a batch sent again adds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditUploaded {
    pub new: u64,
    pub duplicates: u64,
}

/// One entry of `GET /v1/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub device_id: Uuid,
    pub device: String,
    pub group: String,
    pub id: Uuid,
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: String,
    pub detail: Value,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

/// The answer to `GET /v1/audit`; `next` is the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn device_info_is_spelled_as_documented() {
        let info = DeviceInfo {
            device_id: Uuid::nil(),
            name: "kiosk-1".into(),
            group: "store-1".into(),
            aeropay: AeropayTarget {
                base_url: Url::parse("https://api.sandbox-pay.aero.inc").unwrap(),
                api_version: ApiVersion::V2,
            },
        };
        assert_eq!(
            serde_json::to_value(&info).unwrap(),
            json!({"deviceId": Uuid::nil(), "name": "kiosk-1", "group": "store-1",
                   "aeropay": {"baseUrl": "https://api.sandbox-pay.aero.inc/", "apiVersion": "v2"}})
        );
    }

    #[test]
    fn a_created_user_without_a_code_reads_as_no_confirmation() {
        let created: CreatedUser = serde_json::from_value(
            json!({"user": {"id": "u", "aeroPassUserUuid": "p"}, "mfaType": null}),
        )
        .unwrap();
        assert_eq!(created.mfa_type, None);
        assert_eq!(created.user.user_status, None);
    }
}
