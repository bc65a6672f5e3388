//! Outgoing webhooks (not to be confused with `api/src/webhooks`, which receives Stripe's):
//! tenants register endpoints for events; each event is stored as one delivery per subscribed
//! endpoint in the same transaction as the change that caused it, with a `webhook.deliver` job;
//! the job POSTs the signed body and the job pipeline retries it with backoff.

pub mod deliver;
pub mod target;

pub use grapevine_entity::domain::webhook_signing as signing;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use grapevine_entity::ops::webhook_events::{
    Event, EventType, emit, emit_to, flags, secret_aad, subscribes,
};

/// Outgoing webhook settings (`webhooks.*`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Allow plain `http://` endpoints (local development and tests); otherwise only `https://`.
    pub allow_http: bool,
    /// Allow endpoints on loopback, private, link-local and other non-public addresses (SSRF
    /// protection off: local development and tests only).
    pub allow_private_targets: bool,
    /// How long one attempt may take (connect + answer), in seconds.
    pub timeout_secs: u64,
    /// Attempts per delivery before it is dead (at most `DeliverWebhook::MAX_ATTEMPTS`).
    pub max_attempts: i32,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_private_targets: false,
            timeout_secs: 10,
            max_attempts: 10,
        }
    }
}

impl WebhooksConfig {
    /// The rules an endpoint's URL must follow.
    pub fn policy(&self) -> target::Policy {
        target::Policy {
            allow_http: self.allow_http,
            allow_private: self.allow_private_targets,
        }
    }
}

/// The waits between a delivery's attempts: the job pipeline's backoff (`queue.backoff_base_ms`
/// doubling per attempt, capped at `queue.backoff_max_secs`), one wait fewer than attempts.
pub fn retry_schedule(queue: &crate::config::QueueConfig, max_attempts: i32) -> Vec<Duration> {
    (1..max_attempts)
        .map(|attempt| queue.backoff(attempt))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QueueConfig;

    #[test]
    fn deliveries_retry_with_doubling_waits_up_to_the_cap() {
        let secs = |v: Vec<Duration>| v.iter().map(Duration::as_secs).collect::<Vec<_>>();
        let defaults = QueueConfig::default();
        let max = WebhooksConfig::default().max_attempts;
        assert_eq!(
            secs(retry_schedule(&defaults, max)),
            [1, 2, 4, 8, 16, 32, 64, 128, 256]
        );
        let long = retry_schedule(&defaults, 12);
        assert_eq!(long.len(), 11);
        assert_eq!(long[9].as_secs(), 300, "capped at queue.backoff_max_secs");
        assert_eq!(long[10].as_secs(), 300);
        assert!(
            retry_schedule(&defaults, 1).is_empty(),
            "one attempt, no retry"
        );
    }
}
