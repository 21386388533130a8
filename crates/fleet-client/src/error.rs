//! Everything a call to the broker can end in. The broker's own refusals
//! keep its `{code, message, retry}` (its messages are written for the
//! screen); failures to reach it or to read it get codes of their own.
//! No variant carries the device secret, a token or a request body.

use crate::wire::ErrorBody;

/// The broker's code for a device it has removed from the fleet for good.
pub const DEVICE_REVOKED: &str = "BROKER_DEVICE_REVOKED";
/// The broker's code for a device its operator paused.
pub const DEVICE_DISABLED: &str = "BROKER_DEVICE_DISABLED";
/// The broker's code for a user token asked for a customer this device has
/// not confirmed recently.
pub const USER_NOT_VERIFIED_HERE: &str = "BROKER_USER_NOT_VERIFIED_HERE";
/// The broker's code for a device whose group may not read the fleet's
/// audit trail (not in `audit.reader_groups`).
pub const AUDIT_FORBIDDEN: &str = "BROKER_AUDIT_FORBIDDEN";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FleetError {
    /// The broker answered with one of its errors.
    #[error("{}", .body.message)]
    Broker { status: u16, body: ErrorBody },
    /// No answer: refused connection, reset, timeout, DNS.
    #[error("The fleet's server ({host}) could not be reached ({reason}). Check the network and the server's address, then try again.")]
    Unreachable { host: String, reason: &'static str },
    /// An answer that is not the broker's: another server, a proxy's page,
    /// or too large.
    #[error("The fleet's server ({host}) gave an answer this app cannot read (HTTP {status}). Check that the address is the fleet's server.")]
    UnexpectedAnswer { host: String, status: u16 },
    /// The broker's address itself is unusable.
    #[error("The fleet's server address is not usable: {reason}")]
    InvalidUrl { reason: String },
    /// The device has no credential yet (not configured for a broker).
    #[error("{}", crate::messages::NOT_ENROLLED)]
    NotEnrolled,
}

impl FleetError {
    /// The stable code shown beside the message and written to the logs.
    pub fn code(&self) -> &str {
        match self {
            FleetError::Broker { body, .. } => &body.code,
            FleetError::Unreachable { .. } => "BROKER_UNREACHABLE",
            FleetError::UnexpectedAnswer { .. } => "BROKER_UNEXPECTED_ANSWER",
            FleetError::InvalidUrl { .. } => "BROKER_URL_INVALID",
            FleetError::NotEnrolled => "BROKER_DEVICE_CREDENTIAL_MISSING",
        }
    }

    /// Whether trying the same thing again later may work.
    pub fn retryable(&self) -> bool {
        match self {
            FleetError::Broker { body, .. } => body.retry,
            FleetError::Unreachable { .. } => true,
            _ => false,
        }
    }

    /// The HTTP status of a broker's refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            FleetError::Broker { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The broker refuses this device itself (revoked, paused, unknown or
    /// wrong secret): nothing works until the operator acts.
    pub fn is_device_refused(&self) -> bool {
        matches!(self, FleetError::Broker { status: 401 | 403, body } if body.code != USER_NOT_VERIFIED_HERE && body.code != AUDIT_FORBIDDEN)
    }

    /// Every code of this crate's own, with sample data, for a catalog's
    /// check that each has its translation.
    pub fn every_own_error() -> Vec<FleetError> {
        vec![
            FleetError::Unreachable {
                host: "broker.example".into(),
                reason: "connection refused",
            },
            FleetError::UnexpectedAnswer {
                host: "broker.example".into(),
                status: 200,
            },
            FleetError::InvalidUrl {
                reason: "use https".into(),
            },
            FleetError::NotEnrolled,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broker_refusal_keeps_its_code_and_message() {
        let err = FleetError::Broker {
            status: 403,
            body: ErrorBody {
                code: DEVICE_REVOKED.into(),
                message: crate::messages::DEVICE_REVOKED.into(),
                retry: false,
            },
        };
        assert_eq!(err.code(), DEVICE_REVOKED);
        assert!(err.to_string().starts_with("This device has been removed"));
        assert!(err.is_device_refused());
        assert!(!err.retryable());
    }
}
