use super::{Store, StoreError};
use rusqlite::{params, OptionalExtension};

/// An Aeropay user this machine has enrolled before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCustomer {
    pub user_id: String,
    /// True once the customer confirmed their code: from then on the app must
    /// not call `POST /user` for them again (it would disconnect them).
    pub confirmed: bool,
}

impl Store {
    pub fn find_customer(
        &self,
        environment: &str,
        phone_hash: &str,
    ) -> Result<Option<KnownCustomer>, StoreError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT user_id, confirmed FROM customers WHERE environment = ?1 AND phone_hash = ?2",
                params![environment, phone_hash],
                |row| {
                    Ok(KnownCustomer {
                        user_id: row.get(0)?,
                        confirmed: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn remember_customer(
        &self,
        environment: &str,
        phone_hash: &str,
        customer: &KnownCustomer,
        now: i64,
    ) -> Result<(), StoreError> {
        self.connection().execute(
            "INSERT INTO customers (environment, phone_hash, user_id, confirmed, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (environment, phone_hash)
             DO UPDATE SET user_id = excluded.user_id, confirmed = excluded.confirmed,
                           updated_at = excluded.updated_at",
            params![
                environment,
                phone_hash,
                customer.user_id,
                customer.confirmed,
                now
            ],
        )?;
        Ok(())
    }
}

impl Store {
    /// Every customer id known in an environment (to purge their expired
    /// tokens from the keychain).
    pub fn customer_user_ids(&self, environment: &str) -> Result<Vec<String>, StoreError> {
        let connection = self.connection();
        let mut statement =
            connection.prepare("SELECT user_id FROM customers WHERE environment = ?1")?;
        let ids = statement.query_map(params![environment], |row| row.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_updates_a_customer_per_environment() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.find_customer("sandbox", "h1").unwrap(), None);
        let pending = KnownCustomer {
            user_id: "u1".into(),
            confirmed: false,
        };
        store
            .remember_customer("sandbox", "h1", &pending, 1)
            .unwrap();
        assert_eq!(store.find_customer("sandbox", "h1").unwrap(), Some(pending));
        let confirmed = KnownCustomer {
            user_id: "u1".into(),
            confirmed: true,
        };
        store
            .remember_customer("sandbox", "h1", &confirmed, 2)
            .unwrap();
        assert_eq!(
            store.find_customer("sandbox", "h1").unwrap(),
            Some(confirmed)
        );
        assert_eq!(store.find_customer("production", "h1").unwrap(), None);
    }
}
