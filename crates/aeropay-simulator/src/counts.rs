//! What tests count: tokens minted by scope and `POST /user` calls, since
//! the simulator started.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub(crate) struct Counters {
    merchant_mints: AtomicU64,
    user_mints: AtomicU64,
    create_user_calls: AtomicU64,
    users_created: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Merchant-scope tokens minted.
    pub merchant_mints: u64,
    /// userForMerchant tokens minted.
    pub user_mints: u64,
    /// `POST /user` calls answered with a user (new or known phone).
    pub create_user_calls: u64,
    /// Users that did not exist before (a new phone number).
    pub users_created: u64,
}

impl Counters {
    pub(crate) fn minted(&self, merchant: bool) {
        let counter = if merchant {
            &self.merchant_mints
        } else {
            &self.user_mints
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn user_created(&self, new: bool) {
        self.create_user_calls.fetch_add(1, Ordering::Relaxed);
        if new {
            self.users_created.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> Counts {
        Counts {
            merchant_mints: self.merchant_mints.load(Ordering::Relaxed),
            user_mints: self.user_mints.load(Ordering::Relaxed),
            create_user_calls: self.create_user_calls.load(Ordering::Relaxed),
            users_created: self.users_created.load(Ordering::Relaxed),
        }
    }
}
