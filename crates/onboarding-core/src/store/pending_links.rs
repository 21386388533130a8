//! What an enrollment is about to link, written before the link call so a
//! crash or a power cut between the widget's success and the link's answer
//! loses nothing: on the next start (and on a timer) every link still
//! `pending` is settled through the customer's account list, and linked at
//! most once more if it is not there. The v1 `user_password` a link needs is
//! never here: it waits in the keychain (see `vault::SecretKey::PendingLink`).

use super::{EnrollmentRecord, Store, StoreError};
use rusqlite::{params, Row};

/// What a link call is made with: v2's `connectionId`, or the widget's v1
/// `user_id` (its `user_password` is in the keychain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Connection,
    Legacy,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Connection => "connection",
            LinkKind::Legacy => "legacy",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "connection" => Ok(LinkKind::Connection),
            "legacy" => Ok(LinkKind::Legacy),
            other => Err(StoreError::Unreadable(format!("link kind {other:?}"))),
        }
    }
}

/// Where one account's link stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Written before the call; the outcome is not known yet.
    Pending,
    /// In the customer's accounts at Aeropay.
    Linked(LinkedAccount),
    /// Aeropay refused it, with this code.
    Refused { code: String },
}

/// The account a link became, as the record and the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkedAccount {
    pub bank_account_id: i64,
    pub bank_name: Option<String>,
    pub account_last4: Option<String>,
    pub account_type: Option<String>,
    pub selected: bool,
}

/// One account of one enrollment to link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLink {
    pub enrollment_id: String,
    /// The connectionId, or the widget's v1 user_id.
    pub key: String,
    pub kind: LinkKind,
    pub state: LinkState,
    /// The customer's accounts before the widget opened: a v1 link is found
    /// in the account list as an account not among these.
    pub accounts_before: Vec<i64>,
}

const COLUMNS: &str = "enrollment_id, link_key, kind, state, error_code, bank_account_id,
    bank_name, account_last4, account_type, selected, accounts_before";

fn from_row(row: &Row<'_>) -> rusqlite::Result<[Option<String>; 11]> {
    let mut out: [Option<String>; 11] = Default::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = match row.get_ref(i)? {
            rusqlite::types::ValueRef::Null => None,
            rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
            rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            _ => None,
        };
    }
    Ok(out)
}

fn parse_row(columns: [Option<String>; 11]) -> Result<PendingLink, StoreError> {
    let [enrollment_id, key, kind, state, error_code, id, bank, last4, account_type, selected, before] =
        columns;
    let unreadable = |what: &str| StoreError::Unreadable(format!("pending link {what}"));
    let state = match state.as_deref() {
        Some("pending") => LinkState::Pending,
        Some("refused") => LinkState::Refused {
            code: error_code.unwrap_or_default(),
        },
        Some("linked") => LinkState::Linked(LinkedAccount {
            bank_account_id: id
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| unreadable("account id"))?,
            bank_name: bank,
            account_last4: last4,
            account_type,
            selected: selected.as_deref() == Some("1"),
        }),
        _ => return Err(unreadable("state")),
    };
    Ok(PendingLink {
        enrollment_id: enrollment_id.ok_or_else(|| unreadable("enrollment"))?,
        key: key.ok_or_else(|| unreadable("key"))?,
        kind: LinkKind::parse(kind.as_deref().unwrap_or_default())?,
        state,
        accounts_before: before
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect(),
    })
}

impl Store {
    /// Saves the record (now `finishing`) and the links it is about to make,
    /// in one transaction: both are on disk before any link call leaves.
    /// A link already written for this enrollment keeps its state.
    pub fn begin_links(
        &self,
        record: &EnrollmentRecord,
        links: &[PendingLink],
        at: i64,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        super::enrollments::upsert(&transaction, record)?;
        for link in links {
            let before = link
                .accounts_before
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            transaction.execute(
                "INSERT INTO pending_links (enrollment_id, link_key, kind, state, accounts_before,
                     created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?5)
                 ON CONFLICT (enrollment_id, link_key) DO NOTHING",
                params![link.enrollment_id, link.key, link.kind.as_str(), before, at],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Records how one link ended.
    pub fn settle_link(
        &self,
        enrollment_id: &str,
        key: &str,
        state: &LinkState,
        at: i64,
    ) -> Result<(), StoreError> {
        let (name, code, account) = match state {
            LinkState::Pending => ("pending", None, None),
            LinkState::Refused { code } => ("refused", Some(code.as_str()), None),
            LinkState::Linked(account) => ("linked", None, Some(account)),
        };
        self.connection().execute(
            "UPDATE pending_links SET state = ?3, error_code = ?4, bank_account_id = ?5,
                 bank_name = ?6, account_last4 = ?7, account_type = ?8, selected = ?9,
                 updated_at = ?10
             WHERE enrollment_id = ?1 AND link_key = ?2",
            params![
                enrollment_id,
                key,
                name,
                code,
                account.map(|a| a.bank_account_id),
                account.and_then(|a| a.bank_name.clone()),
                account.and_then(|a| a.account_last4.clone()),
                account.and_then(|a| a.account_type.clone()),
                account.map(|a| a.selected as i64),
                at,
            ],
        )?;
        Ok(())
    }

    /// The links of one enrollment, in the order they were written.
    pub fn links_of(&self, enrollment_id: &str) -> Result<Vec<PendingLink>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare(&format!(
            "SELECT {COLUMNS} FROM pending_links WHERE enrollment_id = ?1 ORDER BY rowid"
        ))?;
        let rows = statement
            .query_map(params![enrollment_id], from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(parse_row).collect()
    }

    /// Enrollments of this environment with a link still pending, oldest
    /// first: what a settling pass works through.
    pub fn unsettled_enrollments(
        &self,
        environment: &str,
    ) -> Result<Vec<EnrollmentRecord>, StoreError> {
        let ids: Vec<String> = {
            let connection = self.connection();
            let mut statement = connection.prepare(
                "SELECT DISTINCT e.id FROM enrollments e
                 JOIN pending_links p ON p.enrollment_id = e.id
                 WHERE e.environment = ?1 AND p.state = 'pending'
                 ORDER BY e.started_at, e.rowid",
            )?;
            let ids = statement
                .query_map(params![environment], |row| row.get(0))?
                .collect::<Result<Vec<_>, _>>()?;
            ids
        };
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(record) = self.enrollment(&id)? {
                records.push(record);
            }
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EnrollmentStatus;

    fn record(id: &str) -> EnrollmentRecord {
        EnrollmentRecord {
            id: id.into(),
            environment: "simulator".into(),
            mode: "desk".into(),
            started_at: 1,
            updated_at: 1,
            first_name: "Ada".into(),
            last_initial: "L".into(),
            phone_masked: "•••-•••-••41".into(),
            phone_hash: "h".into(),
            user_id: Some("u-1".into()),
            status: EnrollmentStatus::Finishing,
            error_code: None,
            bank_name: None,
            account_last4: None,
            account_type: None,
        }
    }

    fn link(enrollment: &str, key: &str) -> PendingLink {
        PendingLink {
            enrollment_id: enrollment.into(),
            key: key.into(),
            kind: LinkKind::Connection,
            state: LinkState::Pending,
            accounts_before: vec![7, 9],
        }
    }

    #[test]
    fn links_are_written_with_the_record_and_settled_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("app.sqlite3")).unwrap();
        store
            .begin_links(&record("e1"), &[link("e1", "c-1"), link("e1", "c-2")], 5)
            .unwrap();
        assert_eq!(
            store.enrollment("e1").unwrap().unwrap().status,
            EnrollmentStatus::Finishing
        );
        assert_eq!(store.unsettled_enrollments("simulator").unwrap().len(), 1);
        assert!(store.unsettled_enrollments("sandbox").unwrap().is_empty());

        let account = LinkedAccount {
            bank_account_id: 12,
            bank_name: Some("Aerobank".into()),
            account_last4: Some("6789".into()),
            account_type: Some("checking".into()),
            selected: true,
        };
        store
            .settle_link("e1", "c-1", &LinkState::Linked(account.clone()), 6)
            .unwrap();
        // Writing the same links again (a repeated success) keeps their state.
        store
            .begin_links(&record("e1"), &[link("e1", "c-1")], 7)
            .unwrap();
        let links = store.links_of("e1").unwrap();
        assert_eq!(links[0].state, LinkState::Linked(account));
        assert_eq!(links[0].accounts_before, vec![7, 9]);
        assert_eq!(links[1].state, LinkState::Pending);

        store
            .settle_link(
                "e1",
                "c-2",
                &LinkState::Refused {
                    code: "AP411".into(),
                },
                8,
            )
            .unwrap();
        assert!(store.unsettled_enrollments("simulator").unwrap().is_empty());
        // A new connection opened on the same file sees it all (it is on disk).
        let again = Store::open(&dir.path().join("app.sqlite3")).unwrap();
        assert_eq!(
            again.links_of("e1").unwrap()[1].state,
            LinkState::Refused {
                code: "AP411".into()
            }
        );
    }
}
