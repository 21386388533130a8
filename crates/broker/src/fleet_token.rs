//! One merchant token for the whole fleet. Every request that needs
//! merchant scope goes through [`FleetToken::ensure`]: the token in this
//! process's client if it has long enough to live; else the one in the
//! database (sealed, see [`crate::seal`]); else, under the fleet-wide mint
//! lock, the database is read again and only if it still holds no usable
//! token is one minted and stored. So all replicas on one database share
//! one mint per token lifetime.

use crate::metrics::Metrics;
use crate::seal::Sealer;
use aeropay_client::{AeropayClient, AeropayError, ScopedToken, TokenScope};
use broker_store::{Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

/// A token with less than this to live is renewed.
pub const RENEW_BEFORE_SECS: i64 = 300;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Aeropay(#[from] AeropayError),
}

#[derive(Clone)]
pub struct FleetToken {
    store: Store,
    client: AeropayClient,
    sealer: Arc<Sealer>,
    mints: Arc<AtomicU64>,
    /// The client's merchant mints already shared through the database.
    shared_client_mints: Arc<AtomicU64>,
    metrics: Arc<Metrics>,
    /// One request of this process at a time looks past its own client:
    /// a burst that finds no token waits here and then finds the one the
    /// first request installed, instead of each taking the fleet-wide lock
    /// and reading the database in turn.
    renewing: Arc<tokio::sync::Mutex<()>>,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Long enough to live for a request that starts now; the renewal margin
/// is at most half a token's usual lifetime.
fn usable(expires_at: i64) -> bool {
    expires_at - now() > RENEW_BEFORE_SECS
}

impl FleetToken {
    pub fn new(store: Store, client: AeropayClient, sealer: Sealer, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            client,
            sealer: Arc::new(sealer),
            mints: Arc::default(),
            shared_client_mints: Arc::default(),
            metrics,
            renewing: Arc::default(),
        }
    }

    /// Merchant tokens this process minted.
    pub fn mints(&self) -> u64 {
        self.mints.load(Ordering::Relaxed)
    }

    /// Makes sure the client holds a merchant token with time to live.
    pub async fn ensure(&self) -> Result<(), TokenError> {
        if self.held().await {
            return Ok(());
        }
        let _renewing = self.renewing.lock().await;
        if self.held().await {
            return Ok(());
        }
        if self.install_stored().await? {
            return Ok(());
        }
        let this = self.clone();
        self.store
            .with_mint_lock(|| async move {
                if this.install_stored().await? {
                    return Ok(());
                }
                let token = this.client.mint_merchant_token().await?;
                this.mints.fetch_add(1, Ordering::Relaxed);
                this.metrics.minted();
                this.shared_client_mints
                    .fetch_max(this.client.mint_counts().merchant, Ordering::Relaxed);
                this.put(&token).await?;
                tracing::info!(
                    expires_at = token.expires_at,
                    "merchant token minted for the fleet"
                );
                Ok(())
            })
            .await?
    }

    /// This process's client holds a merchant token with time to live.
    async fn held(&self) -> bool {
        self.client
            .cached_merchant_token()
            .await
            .is_some_and(|token| usable(token.expires_at))
    }

    async fn put(&self, token: &ScopedToken) -> Result<(), TokenError> {
        let sealed = self.sealer.seal(token.token.expose(), token.expires_at);
        let expires_at = OffsetDateTime::from_unix_timestamp(token.expires_at)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        self.store.put_merchant_token(&sealed, expires_at).await?;
        Ok(())
    }

    /// After a merchant call: when Aeropay refused the shared token
    /// (AP007/AP008) the client minted a new one by itself and repeated the
    /// call; that token replaces the refused one in the database, so other
    /// replicas do not each mint their own. Failures are logged only: the
    /// call itself went through.
    pub async fn share_client_mints(&self) {
        let minted = self.client.mint_counts().merchant;
        if minted
            <= self
                .shared_client_mints
                .fetch_max(minted, Ordering::Relaxed)
        {
            return;
        }
        let Some(token) = self.client.cached_merchant_token().await else {
            return;
        };
        self.mints.fetch_add(1, Ordering::Relaxed);
        self.metrics.minted();
        tracing::info!("the shared merchant token was refused; the new one is shared");
        if let Err(e) = self.put(&token).await {
            tracing::warn!(error = %e, "the new merchant token could not be shared");
        }
    }

    /// Installs the stored token if it is usable; false otherwise (none,
    /// too old, or sealed under another secret).
    async fn install_stored(&self) -> Result<bool, TokenError> {
        let Some(stored) = self.store.merchant_token().await? else {
            return Ok(false);
        };
        let expires_at = stored.expires_at.unix_timestamp();
        if !usable(expires_at) {
            return Ok(false);
        }
        let Some(token) = self.sealer.open(&stored.ciphertext, expires_at) else {
            tracing::warn!(
                "the stored merchant token does not open with this API secret; minting a new one"
            );
            return Ok(false);
        };
        let installed = self
            .client
            .install_merchant_token(ScopedToken {
                token,
                scope: TokenScope::Merchant,
                user_id: None,
                expires_at,
            })
            .await;
        Ok(installed)
    }
}
