//! The broker's messages for the person at the screen, shared with the
//! devices, whose catalogs translate them (by their English text).

pub const NOT_ENROLLED: &str =
    "This device is not enrolled with the fleet. Ask your manager for an enrollment code.";
pub const DEVICE_REVOKED: &str =
    "This device has been removed from the fleet. Ask your manager to enroll it again.";
pub const DEVICE_DISABLED: &str =
    "This device is paused by the fleet's operator. Ask your manager to enable it again.";
pub const USER_NOT_VERIFIED_HERE: &str = "This customer has not confirmed their code on this device recently. Start their enrollment again.";
pub const RATE_LIMITED: &str =
    "Too many attempts from this device. Please wait a little and try again.";
pub const UNAVAILABLE: &str =
    "The fleet's server is briefly unavailable. Please try again in a moment.";
pub const INTERNAL: &str = "Something went wrong on the fleet's server. Please try again.";
pub const BAD_REQUEST: &str = "The request is not valid.";
pub const IDEMPOTENCY_KEY_REUSED: &str =
    "This request was already sent with other details. Start this step again.";
pub const NO_SUCH_CALL: &str = "There is no such call.";
pub const CODE_INVALID: &str = "This enrollment code is not valid. Check it was typed as printed.";
pub const CODE_EXPIRED: &str = "This enrollment code has expired. Ask your manager for a new one.";
pub const AUDIT_FORBIDDEN: &str = "This desk may not read the fleet's trail. Ask the fleet's operator to add this desk's group to audit.reader_groups.";
pub const CODE_USED: &str =
    "This enrollment code was already used. Ask your manager for a new one.";

/// Every message a device may show, with its code (for a catalog's check).
pub const ALL: &[(&str, &str)] = &[
    ("BROKER_DEVICE_CREDENTIAL_INVALID", NOT_ENROLLED),
    ("BROKER_DEVICE_REVOKED", DEVICE_REVOKED),
    ("BROKER_DEVICE_DISABLED", DEVICE_DISABLED),
    ("BROKER_USER_NOT_VERIFIED_HERE", USER_NOT_VERIFIED_HERE),
    ("BROKER_RATE_LIMITED", RATE_LIMITED),
    ("BROKER_STORE_UNAVAILABLE", UNAVAILABLE),
    ("BROKER_INTERNAL", INTERNAL),
    ("BROKER_BAD_REQUEST", BAD_REQUEST),
    ("BROKER_IDEMPOTENCY_KEY_REUSED", IDEMPOTENCY_KEY_REUSED),
    ("BROKER_NOT_FOUND", NO_SUCH_CALL),
    ("BROKER_ENROLLMENT_CODE_INVALID", CODE_INVALID),
    ("BROKER_ENROLLMENT_CODE_EXPIRED", CODE_EXPIRED),
    ("BROKER_ENROLLMENT_CODE_USED", CODE_USED),
    ("BROKER_AUDIT_FORBIDDEN", AUDIT_FORBIDDEN),
];
