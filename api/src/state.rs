//! Shared state of the HTTP server, handed to handlers and resolvers.

use grapevine_entity::ops::payouts::Connect;
use std::{sync::Arc, time::Duration};

use grapevine_entity::domain::clock::SharedClock;
use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use std::net::IpAddr;

use crate::tracking::{clicks::ClickSink, links::LinkCache, tally::Tally};
use crate::{
    auth::{api_keys::ApiKeyCache, jwt::JwtKeys},
    cache_bus::Caches,
    config::Config,
    crypto::SecretBoxer,
    http::metrics::HttpMetrics,
    rate_limits::{PerMinute, RateLimits},
};

/// Cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    /// Application database.
    pub db: DatabaseConnection,
    /// Configuration.
    pub config: Arc<Config>,
    /// Staff token keys.
    pub jwt: Arc<JwtKeys>,
    /// Code → redirect target and verified API keys, kept coherent across replicas.
    pub caches: Caches,
    /// Request rate limits.
    pub rate_limits: RateLimits,
    /// Tenant secret encryption.
    pub secrets: Arc<SecretBoxer>,
    /// Injected time.
    pub clock: SharedClock,
    /// Nudges an in-process relay after a commit that enqueued a job.
    pub wake: Arc<Notify>,
    /// Prometheus registry and HTTP metrics.
    pub metrics: Arc<HttpMetrics>,
    /// Where counted clicks go.
    pub clicks: ClickSink,
    /// What the tracking endpoints received, counted apart from what they stored.
    pub tally: Tally,
    /// Key of the visitor hash.
    pub visitor_key: Arc<Vec<u8>>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<IpAddr>>,
    /// The cash provider's connected accounts (payout onboarding).
    pub connect: Arc<dyn Connect>,
}

impl AppState {
    /// Assemble the state from configuration and an open database.
    pub fn new(
        config: Config,
        db: DatabaseConnection,
        clock: SharedClock,
        metrics: Arc<HttpMetrics>,
        (clicks, tally): (ClickSink, Tally),
        connect: Arc<dyn Connect>,
    ) -> anyhow::Result<Self> {
        let jwt = JwtKeys::from_config(&config.auth)?;
        let secrets = SecretBoxer::new(config.secrets.master_key.expose())
            .map_err(|e| anyhow::anyhow!("secrets.master_key: {e}"))?;
        let trusted_proxies = config
            .tracking
            .trusted_proxies
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect();
        let rate_limits = {
            let per_minute = PerMinute {
                login_failures: u64::from(config.auth.login_attempts_per_minute),
                redirect: config.rate_limits.redirect_per_minute,
                track: config.rate_limits.track_per_minute,
                widget: config.rate_limits.widget_per_minute,
            };
            if config.queue.is_redis() {
                RateLimits::redis(per_minute, config.queue.url.expose(), &config.queue.prefix)?
            } else {
                RateLimits::local(per_minute)
            }
        };
        Ok(Self {
            caches: Caches::new(
                Arc::new(LinkCache::new(Duration::from_secs(
                    config.tracking.link_cache_ttl_secs,
                ))),
                Arc::new(ApiKeyCache::new(Duration::from_secs(30))),
                config
                    .queue
                    .is_redis()
                    .then_some((config.queue.url.expose(), config.queue.prefix.as_str())),
            )?,
            clicks,
            tally,
            visitor_key: Arc::new(crate::crypto::derive_key(
                config.secrets.master_key.expose(),
                "visitor-hash",
            )),
            trusted_proxies: Arc::new(trusted_proxies),
            db,
            config: Arc::new(config),
            jwt: Arc::new(jwt),
            rate_limits,
            secrets: Arc::new(secrets),
            clock,
            wake: Arc::new(Notify::new()),
            metrics,
            connect,
        })
    }

    /// Tell the relay new jobs are waiting.
    pub fn nudge_relay(&self) {
        self.wake.notify_one();
    }
}
