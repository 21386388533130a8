//! The documented request and response examples of aggregatorCredentials and
//! linkAccountFromAggregator (reference §1 rows 5–6, and the v2 OpenAPI)
//! must survive a round trip through the client's types unchanged.

use super::response::parse_response;
use super::types::{AggregatorCredentials, LinkEnvelope};
use super::wire::{LinkRequestV1, LinkRequestV2, AGGREGATOR};
use crate::secret::SecretString;
use serde_json::{json, Value};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(example: &Value) -> Value {
    let parsed: T = parse_response(
        200,
        Some("application/json"),
        example.to_string().as_bytes(),
    )
    .unwrap_or_else(|e| panic!("documented example rejected: {e:?}"));
    serde_json::to_value(parsed).expect("serializes")
}

#[test]
fn aggregator_credentials_v2_response() {
    let example = json!({
        "fastlinkURL": "https://sandbox.aerosync.com/",
        "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...",
        "username": "16d96afbeaf0........"
    });
    assert_eq!(round_trip::<AggregatorCredentials>(&example), example);
}

#[test]
fn aggregator_credentials_v1_response_adds_only_success() {
    let v2 = json!({"fastlinkURL": "https://sandbox.aerosync.com/", "token": "eyJ…", "username": "16d96afb…"});
    let mut v1 = v2.clone();
    v1["success"] = json!(true);
    assert_eq!(round_trip::<AggregatorCredentials>(&v1), v2);
}

#[test]
fn link_v2_response() {
    let example = json!({"userBankInfo": {
        "bankAccountId": 0,
        "bankName": "Aerosync Bank (oAuth)",
        "accountLast4": "1329",
        "name": "Aerosync Checking",
        "externalBankAccountId": "None",
        "isSelected": true,
        "accountType": "checking",
        "status": "verified",
        "createdDate": "2025-12-11T21:50:22+00:00",
        "accountHolderInfo": [{"name": {"fullName": "Dwight Schrute"}}],
        "canFetchBalance": true,
        "balance": 312425
    }});
    assert_eq!(round_trip::<LinkEnvelope>(&example), example);
}

#[test]
fn link_v2_request() {
    let documented = json!({"connectionId": "{{connectionId}}", "aggregator": "aerosync"});
    let request = LinkRequestV2 {
        connection_id: "{{connectionId}}",
        aggregator: AGGREGATOR,
    };
    assert_eq!(serde_json::to_value(&request).unwrap(), documented);
    assert_eq!(documented["connectionId"], request.connection_id);
}

#[test]
fn link_v1_request() {
    let documented =
        json!({"user_id": "e79432cb", "user_password": "8614878a", "aggregator": "aerosync"});
    let password = SecretString::new("8614878a");
    let request = LinkRequestV1 {
        user_id: "e79432cb",
        user_password: &password,
        aggregator: AGGREGATOR,
    };
    assert_eq!(serde_json::to_value(&request).unwrap(), documented);
}

#[test]
fn link_failure_example_is_an_error() {
    let example = json!({"success": false, "code": "AP300", "error": "We are having issues connecting to your bank."});
    let error =
        parse_response::<LinkEnvelope>(200, None, example.to_string().as_bytes()).unwrap_err();
    assert_eq!(error.code(), "AP300");
}
