//! Configuration of the queue, the job runner and email delivery.

use std::time::Duration;

use grapevine_entity::ops::config_secret::Secret;
use serde::{Deserialize, Serialize};

/// Where jobs travel and how eagerly they are picked up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// `redis://…` for production, `sqlite://…` for the embedded default.
    pub url: Secret,
    /// Prefix of every queue name (Redis keys), so deployments and tests can share one Redis.
    pub prefix: String,
    /// How often the relay looks for due outbox rows when nothing woke it, in milliseconds.
    pub relay_interval_ms: u64,
    /// Most outbox rows moved per relay pass.
    pub relay_batch: u64,
    /// A dispatched job that has not been claimed after this long is sent again (e.g. Redis lost it).
    pub redeliver_after_secs: u64,
    /// How often an idle worker polls the queue, in milliseconds.
    pub poll_interval_ms: u64,
    /// Worker heartbeat; a worker missing three beats is presumed dead and its jobs re-queued.
    pub heartbeat_secs: u64,
    /// Jobs one worker process runs at once, per job kind.
    pub concurrency: usize,
    /// How long a claimed job may run before another worker may take it over.
    pub lease_secs: u64,
    /// First retry delay; doubles per attempt up to `backoff_max_secs`.
    pub backoff_base_ms: u64,
    /// Longest retry delay.
    pub backoff_max_secs: u64,
    /// How often scheduled work (releasing held rewards, payout runs) is queued, in milliseconds.
    pub cron_interval_ms: u64,
    /// How long finished jobs (and their runs) stay in the outbox, in hours; 0 keeps them forever.
    pub retention_hours: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://grapevine-queue.db?mode=rwc".into(),
            prefix: "grapevine".into(),
            relay_interval_ms: 200,
            relay_batch: 500,
            redeliver_after_secs: 60,
            poll_interval_ms: 100,
            heartbeat_secs: 5,
            concurrency: 8,
            lease_secs: 60,
            backoff_base_ms: 1_000,
            backoff_max_secs: 300,
            cron_interval_ms: 10_000,
            retention_hours: 168,
        }
    }
}

impl QueueConfig {
    /// The delay before retry number `attempt` (1-based): base × 2^(attempt-1), capped.
    pub fn backoff(&self, attempt: i32) -> Duration {
        let exp = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let ms = self.backoff_base_ms.saturating_mul(1u64 << exp);
        Duration::from_millis(ms).min(Duration::from_secs(self.backoff_max_secs))
    }

    /// True when the transport is Redis.
    pub fn is_redis(&self) -> bool {
        self.url.starts_with("redis://") || self.url.starts_with("rediss://")
    }
}

/// Outgoing email.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://host:port` (plain), `smtps://…` or `smtp://…?tls=required`; empty = log only, send nothing.
    pub smtp_url: Secret,
    /// The From header of every email.
    pub from: String,
    /// SMTP command timeout in seconds.
    pub timeout_secs: u64,
}

impl EmailConfig {
    /// Whether `from` is a mailbox the mailer can send as (checked at start-up).
    pub fn check_from(&self) -> Result<(), String> {
        crate::email::mailer::check_from(&self.from)
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            smtp_url: Secret::default(),
            from: "Grapevine <noreply@grapevine.localhost>".into(),
            timeout_secs: 10,
        }
    }
}

/// Reporting: how the rollups that campaign reports read are kept up to date.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyticsConfig {
    /// How often the rollups take in new events, in seconds (reports lag by at most this).
    pub rollup_interval_secs: u64,
    /// How far back each pass looks again, in seconds, for events whose transaction committed
    /// after the previous pass with an earlier time.
    pub rollup_overlap_secs: u64,
    /// Send each live campaign's owner a weekly digest email (at the first scheduler tick of each
    /// ISO week).
    pub weekly_digest: bool,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        Self {
            rollup_interval_secs: 60,
            rollup_overlap_secs: 120,
            weekly_digest: true,
        }
    }
}

/// Everything a worker process needs besides the database.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Queue settings.
    pub queue: QueueConfig,
    /// Email settings.
    pub email: EmailConfig,
    /// Base URL that links in emails point at (referral links, unsubscribe).
    pub public_url: String,
    /// Key for signing unsubscribe links.
    pub link_key: Vec<u8>,
    /// This process's unique worker name.
    pub worker_name: String,
    /// Payout and fulfilment providers.
    pub providers: ProvidersConfig,
    /// Outgoing webhooks.
    pub webhooks: crate::hooks::WebhooksConfig,
    /// Reporting rollups.
    pub analytics: AnalyticsConfig,
}

/// Where the payout and fulfilment providers are.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvidersConfig {
    /// Stripe's API base URL (a local stand-in in tests).
    pub stripe_api_base: String,
    /// Stripe base URL for Connect calls (accounts, account links, transfers).
    pub stripe_connect_api_base: String,
    /// Base URL of the gift-card provider's API (`POST {url}/v1/cards`); empty = none configured.
    pub giftcard_url: String,
}
