//! Token cache: the merchant token and one userForMerchant token per user.
//!
//! Each slot sits behind its own async mutex, so concurrent callers wanting
//! the same token wait for one mint instead of minting in parallel. A token
//! is renewed `margin` before it expires (at most half its lifetime early),
//! and replaced once when Aeropay rejects it (AP007/AP008) — unless another
//! caller already replaced it.

use super::error::AeropayError;
use super::types::ScopedToken;
use crate::secret::SecretString;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Successful and failed token mints since the client was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MintCounts {
    pub merchant: u64,
    pub user_for_merchant: u64,
    /// Mints that ended in an error (counted once per mint, not per retry).
    pub failed: u64,
}

impl MintCounts {
    /// Tokens actually issued.
    pub fn total(&self) -> u64 {
        self.merchant + self.user_for_merchant
    }
}

#[derive(Debug, Default)]
pub(crate) struct MintCounters {
    merchant: AtomicU64,
    user_for_merchant: AtomicU64,
    failed: AtomicU64,
}

impl MintCounters {
    pub fn record(&self, key: &TokenKey, ok: bool) {
        let counter = match (key, ok) {
            (_, false) => &self.failed,
            (TokenKey::Merchant, true) => &self.merchant,
            (TokenKey::User(_), true) => &self.user_for_merchant,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> MintCounts {
        MintCounts {
            merchant: self.merchant.load(Ordering::Relaxed),
            user_for_merchant: self.user_for_merchant.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

/// Which cache slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TokenKey {
    Merchant,
    User(String),
}

struct Cached {
    token: ScopedToken,
    /// Monotonic instant after which the token is renewed before use.
    renew_at: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

pub(crate) struct TokenCache {
    merchant: Slot,
    users: Mutex<HashMap<String, Slot>>,
    margin: Duration,
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl TokenCache {
    pub fn new(margin: Duration) -> Self {
        Self {
            merchant: Arc::default(),
            users: Mutex::default(),
            margin,
        }
    }

    fn slot(&self, key: &TokenKey) -> Slot {
        match key {
            TokenKey::Merchant => self.merchant.clone(),
            TokenKey::User(user_id) => {
                let mut users = self
                    .users
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                users.entry(user_id.clone()).or_default().clone()
            }
        }
    }

    /// When to renew a token that lives `ttl` from `minted`.
    fn renew_at(&self, minted: Instant, ttl: Duration) -> Instant {
        minted + ttl.saturating_sub(self.margin.min(ttl / 2))
    }

    /// Wraps a freshly minted token for the cache.
    pub fn fresh(
        &self,
        token: SecretString,
        scope: super::types::TokenScope,
        user_id: Option<String>,
        ttl_secs: u64,
    ) -> (ScopedToken, Instant) {
        let minted = Instant::now();
        let ttl = Duration::from_secs(ttl_secs);
        let scoped = ScopedToken {
            token,
            scope,
            user_id,
            expires_at: unix_now().saturating_add(ttl_secs.min(i64::MAX as u64) as i64),
        };
        (scoped, self.renew_at(minted, ttl))
    }

    /// The cached token if still fresh, else one minted by `mint` (once, even
    /// with many callers waiting).
    pub async fn get<F, Fut>(&self, key: &TokenKey, mint: F) -> Result<ScopedToken, AeropayError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(ScopedToken, Instant), AeropayError>>,
    {
        let slot = self.slot(key);
        let mut guard = slot.lock().await;
        if let Some(cached) = guard.as_ref() {
            if Instant::now() < cached.renew_at {
                return Ok(cached.token.clone());
            }
        }
        let (token, renew_at) = mint().await?;
        *guard = Some(Cached {
            token: token.clone(),
            renew_at,
        });
        Ok(token)
    }

    /// Replaces `rejected` after Aeropay refused it. If another caller has
    /// already replaced it, that newer token is returned without a mint.
    pub async fn replace_rejected<F, Fut>(
        &self,
        key: &TokenKey,
        rejected: &SecretString,
        mint: F,
    ) -> Result<ScopedToken, AeropayError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(ScopedToken, Instant), AeropayError>>,
    {
        let slot = self.slot(key);
        let mut guard = slot.lock().await;
        if let Some(cached) = guard.as_ref() {
            if &cached.token.token != rejected && Instant::now() < cached.renew_at {
                return Ok(cached.token.clone());
            }
        }
        *guard = None;
        let (token, renew_at) = mint().await?;
        *guard = Some(Cached {
            token: token.clone(),
            renew_at,
        });
        Ok(token)
    }

    /// Seeds a slot with a token kept from an earlier run (e.g. the keychain).
    /// Returns false when the token is already too close to expiry to be used.
    pub fn install(&self, key: &TokenKey, token: ScopedToken) -> bool {
        let remaining = token.expires_at.saturating_sub(unix_now());
        if remaining <= 0 {
            return false;
        }
        let renew_at = self.renew_at(Instant::now(), Duration::from_secs(remaining as u64));
        if renew_at <= Instant::now() {
            return false;
        }
        let slot = self.slot(key);
        // A slot being minted right now keeps its own result.
        let Ok(mut guard) = slot.try_lock() else {
            return false;
        };
        *guard = Some(Cached { token, renew_at });
        true
    }

    /// The cached token if fresh, waiting for a mint in progress rather
    /// than answering `None` while the slot is busy.
    pub async fn peek_wait(&self, key: &TokenKey) -> Option<ScopedToken> {
        let slot = self.slot(key);
        let guard = slot.lock().await;
        guard
            .as_ref()
            .filter(|cached| Instant::now() < cached.renew_at)
            .map(|cached| cached.token.clone())
    }

    /// Seeds a slot with a token minted elsewhere, waiting for the slot.
    /// The cached token stays if it expires later. False when the token is
    /// too close to expiry to be used.
    pub async fn install_wait(&self, key: &TokenKey, token: ScopedToken) -> bool {
        let remaining = token.expires_at.saturating_sub(unix_now());
        if remaining <= 0 {
            return false;
        }
        let renew_at = self.renew_at(Instant::now(), Duration::from_secs(remaining as u64));
        if renew_at <= Instant::now() {
            return false;
        }
        let slot = self.slot(key);
        let mut guard = slot.lock().await;
        if let Some(cached) = guard.as_ref() {
            if cached.token.expires_at >= token.expires_at && Instant::now() < cached.renew_at {
                return true;
            }
        }
        *guard = Some(Cached { token, renew_at });
        true
    }

    /// Mints now whatever the slot holds, and caches the result.
    pub async fn mint_now<F, Fut>(
        &self,
        key: &TokenKey,
        mint: F,
    ) -> Result<ScopedToken, AeropayError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(ScopedToken, Instant), AeropayError>>,
    {
        let slot = self.slot(key);
        let mut guard = slot.lock().await;
        let (token, renew_at) = mint().await?;
        *guard = Some(Cached {
            token: token.clone(),
            renew_at,
        });
        Ok(token)
    }

    /// The cached token without minting, if there is one and it is fresh.
    pub fn peek(&self, key: &TokenKey) -> Option<ScopedToken> {
        let slot = self.slot(key);
        let guard = slot.try_lock().ok()?;
        guard
            .as_ref()
            .filter(|cached| Instant::now() < cached.renew_at)
            .map(|cached| cached.token.clone())
    }

    /// Drops one customer's token (end of their session).
    pub fn forget_user(&self, user_id: &str) {
        let mut users = self
            .users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        users.remove(user_id);
    }

    /// Drops every token, merchant included (kiosk reset, settings change).
    pub fn clear(&self) {
        let mut users = self
            .users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        users.clear();
        drop(users);
        if let Ok(mut merchant) = self.merchant.try_lock() {
            *merchant = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::TokenScope;
    use std::sync::atomic::AtomicUsize;

    fn cache() -> TokenCache {
        TokenCache::new(Duration::from_secs(60))
    }

    #[tokio::test]
    async fn cached_until_renewal_time() {
        let cache = cache();
        let mints = AtomicUsize::new(0);
        for _ in 0..3 {
            let token = cache
                .get(&TokenKey::Merchant, || async {
                    mints.fetch_add(1, Ordering::SeqCst);
                    Ok(cache.fresh("t".into(), TokenScope::Merchant, None, 1800))
                })
                .await
                .unwrap();
            assert_eq!(token.token.expose(), "t");
            assert!(token.expires_at > unix_now() + 1700);
        }
        assert_eq!(mints.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_token_minted_elsewhere_is_used_and_a_later_one_kept() {
        let cache = cache();
        let key = TokenKey::Merchant;
        assert!(cache.peek_wait(&key).await.is_none());
        let shared = |name: &str, ttl: i64| ScopedToken {
            token: name.into(),
            scope: TokenScope::Merchant,
            user_id: None,
            expires_at: unix_now() + ttl,
        };
        assert!(!cache.install_wait(&key, shared("gone", 0)).await);
        assert!(cache.install_wait(&key, shared("a", 1800)).await);
        assert!(cache.install_wait(&key, shared("older", 900)).await);
        assert_eq!(cache.peek_wait(&key).await.unwrap().token.expose(), "a");
        // A mint replaces it whatever it holds, and no `get` mints after.
        let minted = cache
            .mint_now(&key, || async {
                Ok(cache.fresh("b".into(), TokenScope::Merchant, None, 1800))
            })
            .await
            .unwrap();
        assert_eq!(minted.token.expose(), "b");
        let got = cache
            .get(&key, || async { panic!("no mint expected") })
            .await
            .unwrap();
        assert_eq!(got.token.expose(), "b");
    }

    #[test]
    fn margin_is_at_most_half_the_lifetime() {
        let cache = cache();
        let now = Instant::now();
        assert_eq!(
            cache.renew_at(now, Duration::from_secs(1800)),
            now + Duration::from_secs(1740)
        );
        assert_eq!(
            cache.renew_at(now, Duration::from_secs(2)),
            now + Duration::from_secs(1)
        );
    }

    #[tokio::test]
    async fn rejected_token_is_replaced_once() {
        let cache = cache();
        let key = TokenKey::User("u".into());
        let first = cache
            .get(&key, || async {
                Ok(cache.fresh(
                    "old".into(),
                    TokenScope::UserForMerchant,
                    Some("u".into()),
                    1800,
                ))
            })
            .await
            .unwrap();
        let second = cache
            .replace_rejected(&key, &first.token, || async {
                Ok(cache.fresh(
                    "new".into(),
                    TokenScope::UserForMerchant,
                    Some("u".into()),
                    1800,
                ))
            })
            .await
            .unwrap();
        assert_eq!(second.token.expose(), "new");
        // A second caller that also saw "old" rejected gets "new" without a mint.
        let third = cache
            .replace_rejected(&key, &first.token, || async {
                panic!("must not mint again")
            })
            .await
            .unwrap();
        assert_eq!(third.token.expose(), "new");
    }

    #[test]
    fn install_and_peek() {
        let cache = cache();
        let key = TokenKey::User("u".into());
        let stale = ScopedToken {
            token: "x".into(),
            scope: TokenScope::UserForMerchant,
            user_id: Some("u".into()),
            expires_at: unix_now() - 5,
        };
        assert!(!cache.install(&key, stale));
        assert!(cache.peek(&key).is_none());
        let good = ScopedToken {
            expires_at: unix_now() + 1000,
            ..ScopedToken {
                token: "y".into(),
                scope: TokenScope::UserForMerchant,
                user_id: Some("u".into()),
                expires_at: 0,
            }
        };
        assert!(cache.install(&key, good));
        assert_eq!(cache.peek(&key).unwrap().token.expose(), "y");
        cache.forget_user("u");
        assert!(cache.peek(&key).is_none());
    }
}
