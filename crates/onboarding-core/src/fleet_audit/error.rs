use std::time::Duration;
use thiserror::Error;

/// Why a batch was not acknowledged, and so what the upload does next.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SinkError {
    /// The broker could not be reached, failed (5xx) or asked to wait
    /// (429): the same batch is sent again after a back-off, or after
    /// `retry_after` when the broker gave one.
    #[error("the fleet broker is unavailable ({code})")]
    Unavailable {
        code: String,
        retry_after: Option<Duration>,
    },
    /// The broker refuses this device (401/403: unknown, revoked, disabled):
    /// sending stops, the entries stay here, and it is tried again rarely.
    #[error("the fleet broker refuses this device ({code})")]
    DeviceRefused { code: String },
    /// The batch is larger than the broker takes (413): sent again smaller.
    #[error("the audit batch is too large for the fleet broker")]
    TooLarge,
    /// The broker refuses the batch itself (another 4xx, for instance a
    /// sequence number it holds under another id): the same batch would be
    /// refused again, so it is treated as a refused device.
    #[error("the fleet broker refuses the audit batch ({code})")]
    Rejected { code: String },
}

impl SinkError {
    /// The broker's error code, or this side's for what has none.
    pub fn code(&self) -> &str {
        match self {
            SinkError::Unavailable { code, .. }
            | SinkError::DeviceRefused { code }
            | SinkError::Rejected { code } => code,
            SinkError::TooLarge => "FLEET_AUDIT_BATCH_TOO_LARGE",
        }
    }

    /// The error for an HTTP answer that was not a success: its status, the
    /// `code` of its `{code, message, retry}` body when it had one, and its
    /// `Retry-After` (seconds). One reading for every sink.
    pub fn from_answer(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> Self {
        let code = code
            .map(str::to_owned)
            .unwrap_or_else(|| format!("FLEET_HTTP_{status}"));
        match status {
            401 | 403 => SinkError::DeviceRefused { code },
            413 => SinkError::TooLarge,
            408 | 429 | 500..=599 => SinkError::Unavailable { code, retry_after },
            _ => SinkError::Rejected { code },
        }
    }

    /// A request that got no answer (connection refused, reset, timeout).
    pub fn unreachable() -> Self {
        SinkError::Unavailable {
            code: "FLEET_UNREACHABLE".into(),
            retry_after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_retry_stop_or_shrink() {
        let wait = Some(Duration::from_secs(7));
        assert_eq!(
            SinkError::from_answer(429, Some("BROKER_RATE_LIMITED"), wait),
            SinkError::Unavailable {
                code: "BROKER_RATE_LIMITED".into(),
                retry_after: wait
            }
        );
        assert!(matches!(
            SinkError::from_answer(503, None, None),
            SinkError::Unavailable { .. }
        ));
        assert_eq!(
            SinkError::from_answer(403, Some("BROKER_DEVICE_REVOKED"), None),
            SinkError::DeviceRefused {
                code: "BROKER_DEVICE_REVOKED".into()
            }
        );
        assert_eq!(
            SinkError::from_answer(401, None, None).code(),
            "FLEET_HTTP_401"
        );
        assert_eq!(SinkError::from_answer(413, None, None), SinkError::TooLarge);
        assert_eq!(
            SinkError::from_answer(409, Some("BROKER_AUDIT_SEQUENCE_CONFLICT"), None),
            SinkError::Rejected {
                code: "BROKER_AUDIT_SEQUENCE_CONFLICT".into()
            }
        );
    }
}
