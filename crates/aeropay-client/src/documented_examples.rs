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
    // Dates come back as RFC 3339 in UTC: the same instant, written with `Z`.
    let mut expected = example.clone();
    expected["userBankInfo"]["createdDate"] = json!("2025-12-11T21:50:22Z");
    assert_eq!(round_trip::<LinkEnvelope>(&example), expected);
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

/// The id rule of [`super::types::UserIds`] on every documented user shape.
mod user_ids {
    use super::*;
    use crate::types::{CreatedUser, UserEnvelope};

    fn user(body: Value) -> crate::User {
        parse_response::<UserEnvelope>(200, None, body.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .user
    }

    #[test]
    fn v2_user_has_one_id_for_everything() {
        let u =
            user(json!({"user": {"id": "2ac82269-9315-4bb6-8a19-f37e20d50238", "firstName": "A"}}));
        assert_eq!(u.id, "2ac82269-9315-4bb6-8a19-f37e20d50238");
        assert_eq!(u.aero_pass_user_uuid, u.id);
    }

    #[test]
    fn v1_user_keeps_user_id_and_launches_the_widget_with_the_uuid() {
        let uuid = "5b7c1a0e-0000-4000-8000-000000000001";
        for body in [
            json!({"user": {"userId": "11622", "aeroPassUserUuid": uuid}}),
            json!({"user": {"userId": 11622, "aeroPassUserUuid": uuid}}),
            json!({"user": {"id": uuid, "userId": "11622", "aeroPassUserUuid": uuid}}),
            json!({"user": {"userId": "11622", "id": uuid}}),
            json!({"user": {"user_id": "11622", "aeropassUUID": uuid}}),
            json!({"user": {"user_id": "11622", "userId": "11622", "aeroPassUserUuid": uuid, "aeropass_user_uuid": uuid}}),
        ] {
            let u = user(body.clone());
            assert_eq!(u.id, "11622", "{body}");
            assert_eq!(u.aero_pass_user_uuid, uuid, "{body}");
        }
    }

    #[test]
    fn a_lone_id_serves_every_purpose() {
        for body in [
            json!({"user": {"userId": "11622"}}),
            json!({"user": {"user_id": 11622}}),
            json!({"user": {"aeroPassUserUuid": "11622"}}),
        ] {
            let u = user(body.clone());
            assert_eq!(
                (u.id.as_str(), u.aero_pass_user_uuid.as_str()),
                ("11622", "11622"),
                "{body}"
            );
        }
    }

    #[test]
    fn no_id_at_all_is_an_error_naming_the_user() {
        for body in [
            json!({"user": {"firstName": "A"}}),
            json!({"user": {"id": "", "userId": null}}),
        ] {
            let e =
                parse_response::<UserEnvelope>(200, None, body.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.code(), "UNEXPECTED_RESPONSE");
            assert_eq!(e.field(), Some("user"), "{body}");
            assert!(
                e.detail().unwrap().contains("has no id"),
                "{:?}",
                e.detail()
            );
        }
    }

    #[test]
    fn created_user_with_v1_flags() {
        let body = json!({"success": "true", "user": {"userId": "11622", "aeroPassUserUuid": "u-1", "createdDate": "1686439169"}, "existingUser": "0", "mfaType": "SMS"});
        let created: CreatedUser = parse_response(200, None, body.to_string().as_bytes()).unwrap();
        assert_eq!(created.existing_user, Some(false));
        assert_eq!(created.mfa_type, Some(crate::MfaType::Sms));
        assert_eq!(
            created.user.created_date.map(|d| d.unix()),
            Some(1686439169)
        );
        for none in [json!(null), json!("")] {
            let body = json!({"user": {"id": "u"}, "mfaType": none});
            let created: CreatedUser =
                parse_response(200, None, body.to_string().as_bytes()).unwrap();
            assert!(!created.needs_confirmation());
        }
    }

    #[test]
    fn a_success_flag_saying_no_is_an_error_in_any_encoding() {
        for flag in [json!(false), json!("0"), json!("false"), json!(0)] {
            let body = json!({"success": flag, "code": "AP300", "error": "We are having issues"});
            let e =
                parse_response::<LinkEnvelope>(200, None, body.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.code(), "AP300", "{flag}");
        }
    }
}
