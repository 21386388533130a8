//! What the behaviour tests share: a database of each backend, real (a
//! PostgreSQL server of the test's own, or an SQLite file on disk), and a
//! clock the test moves.

#![allow(dead_code)]

use broker_store::testing::TestPostgres;
use broker_store::{ManualClock, Store, StoreOptions};
use std::sync::Arc;
use time::macros::datetime;

pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(TestPostgres),
}

pub struct Ctx {
    pub db: Db,
    pub clock: ManualClock,
}

impl Ctx {
    pub fn sqlite() -> Ctx {
        Ctx {
            db: Db::Sqlite(tempfile::tempdir().expect("temporary folder")),
            clock: ManualClock::new(datetime!(2026-12-05 10:15:30.250 UTC)),
        }
    }

    pub fn postgres() -> Ctx {
        Ctx {
            db: Db::Postgres(TestPostgres::start()),
            clock: ManualClock::new(datetime!(2026-12-05 10:15:30.250 UTC)),
        }
    }

    pub fn url(&self) -> String {
        match &self.db {
            Db::Sqlite(dir) => format!("sqlite://{}", dir.path().join("broker.db").display()),
            Db::Postgres(pg) => pg.url(),
        }
    }

    pub fn options(&self) -> StoreOptions {
        StoreOptions {
            clock: Arc::new(self.clock.clone()),
            ..StoreOptions::default()
        }
    }

    /// A new store on the test's database (another replica, for
    /// PostgreSQL; another connection to the same file, for SQLite).
    pub async fn open(&self) -> Store {
        self.open_with(self.options()).await
    }

    pub async fn open_with(&self, options: StoreOptions) -> Store {
        Store::open_with(&self.url(), options)
            .await
            .unwrap_or_else(|e| panic!("open the store: {e}"))
    }

    pub fn postgres_guard(&mut self) -> &mut TestPostgres {
        match &mut self.db {
            Db::Postgres(pg) => pg,
            Db::Sqlite(_) => panic!("not a PostgreSQL test"),
        }
    }
}

/// Runs a test body against SQLite and against PostgreSQL: one module per
/// body, with a `sqlite` and a `postgres` test.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name(super::common::Ctx::sqlite()).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    super::$name(super::common::Ctx::postgres()).await
                }
            }
        )*
    };
}
