//! The sink of a device of a fleet: the broker's `POST /v1/audit` through
//! the device's own client, its answers read the one way every sink reads
//! them ([`SinkError::from_answer`]).

use super::{Ack, AuditSink, OutgoingAuditEntry, SinkError};
use fleet_client::wire::AuditEntry;
use fleet_client::{BrokerClient, FleetError};

impl AuditSink for BrokerClient {
    async fn upload(&self, batch: &[OutgoingAuditEntry]) -> Result<Ack, SinkError> {
        let entries = batch.iter().map(to_wire).collect::<Result<Vec<_>, _>>()?;
        match self.upload_audit(&entries).await {
            Ok(uploaded) => Ok(Ack {
                new: usize::try_from(uploaded.new).unwrap_or(usize::MAX),
                duplicates: usize::try_from(uploaded.duplicates).unwrap_or(usize::MAX),
            }),
            Err(err) => Err(sink_error(&err)),
        }
    }
}

fn to_wire(entry: &OutgoingAuditEntry) -> Result<AuditEntry, SinkError> {
    let detail = serde_json::to_value(&entry.detail).map_err(|_| SinkError::Rejected {
        code: "FLEET_AUDIT_ENTRY_UNREADABLE".into(),
    })?;
    Ok(AuditEntry {
        id: entry.id,
        seq: entry.seq,
        at: entry.at,
        kind: entry.kind.clone(),
        detail,
    })
}

fn sink_error(err: &FleetError) -> SinkError {
    match err {
        FleetError::Broker { status, body } => {
            SinkError::from_answer(*status, Some(&body.code), None)
        }
        FleetError::Unreachable { .. } => SinkError::unreachable(),
        // A proxy's error page (502, 503) waits like the broker's own;
        // anything else this side cannot read is not sent again soon.
        FleetError::UnexpectedAnswer { status, .. } => SinkError::from_answer(*status, None, None),
        FleetError::InvalidUrl { .. } | FleetError::NotEnrolled => SinkError::DeviceRefused {
            code: err.code().to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleet_client::wire::ErrorBody;

    #[test]
    fn a_revoked_device_stops_and_an_unreachable_broker_is_retried() {
        let revoked = FleetError::Broker {
            status: 403,
            body: ErrorBody {
                code: fleet_client::DEVICE_REVOKED.into(),
                message: "removed".into(),
                retry: false,
            },
        };
        assert_eq!(
            sink_error(&revoked),
            SinkError::DeviceRefused {
                code: fleet_client::DEVICE_REVOKED.into()
            }
        );
        let down = FleetError::Unreachable {
            host: "broker.example".into(),
            reason: "connection refused",
        };
        assert!(matches!(sink_error(&down), SinkError::Unavailable { .. }));
        let proxy = FleetError::UnexpectedAnswer {
            host: "broker.example".into(),
            status: 502,
        };
        assert!(matches!(sink_error(&proxy), SinkError::Unavailable { .. }));
    }
}
