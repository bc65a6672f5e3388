//! Request rate limits, per deployment (`rate_limits.*`, per minute; 0 turns one off).
//!
//! Each limit counts requests per key (a client address, an API key) in fixed one-minute windows.
//! Where the queue is Redis the counts live there (`INCR` on `{prefix}:rl:{limit}:{key}:{minute}`,
//! expiring with the window), so every API replica shares them; otherwise they live in this
//! process. If Redis does not answer within a few milliseconds the request is let through: a
//! limiter must not turn a Redis outage into an API outage.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::Utc;
use tokio::sync::OnceCell;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// `GET /r/{code}`, per client address.
    Redirect,
    /// `trackLead` and `trackConversion`, per API key.
    Track,
    /// The widget's endpoints, per key and client address.
    Widget,
}

impl Limit {
    fn name(self) -> &'static str {
        match self {
            Limit::Redirect => "redirect",
            Limit::Track => "track",
            Limit::Widget => "widget",
        }
    }
}

/// Requests per minute per key, by limit.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerMinute {
    /// `rate_limits.redirect_per_minute`.
    pub redirect: u64,
    /// `rate_limits.track_per_minute`.
    pub track: u64,
    /// `rate_limits.widget_per_minute`.
    pub widget: u64,
}

impl PerMinute {
    fn of(&self, limit: Limit) -> u64 {
        match limit {
            Limit::Redirect => self.redirect,
            Limit::Track => self.track,
            Limit::Widget => self.widget,
        }
    }
}

/// How long Redis may take before a request is let through uncounted.
const REDIS_BUDGET: Duration = Duration::from_millis(50);
/// Most (limit, key) windows kept in memory before old ones are dropped.
const MAX_LOCAL_KEYS: usize = 100_000;

/// The limiter.
#[derive(Clone)]
pub struct RateLimits {
    per_minute: PerMinute,
    backend: Backend,
}

/// (limit, key) → (minute, requests in it).
type LocalWindows = HashMap<(Limit, String), (i64, u64)>;

#[derive(Clone)]
enum Backend {
    Local(Arc<Mutex<LocalWindows>>),
    Redis {
        client: redis::Client,
        prefix: String,
        conn: Arc<OnceCell<redis::aio::ConnectionManager>>,
    },
}

impl RateLimits {
    /// Limits counted in this process.
    pub fn local(per_minute: PerMinute) -> Self {
        Self {
            per_minute,
            backend: Backend::Local(Arc::default()),
        }
    }

    /// Limits counted in Redis at `url`, under `prefix`.
    pub fn redis(per_minute: PerMinute, url: &str, prefix: &str) -> anyhow::Result<Self> {
        Ok(Self {
            per_minute,
            backend: Backend::Redis {
                client: redis::Client::open(url)?,
                prefix: prefix.to_owned(),
                conn: Arc::default(),
            },
        })
    }

    /// Count one request under `key`; `Err(seconds to wait)` when over the limit.
    pub async fn hit(&self, limit: Limit, key: &str) -> Result<(), u64> {
        self.hit_at(limit, key, Utc::now().timestamp()).await
    }

    /// As `hit`, at `now` (Unix seconds).
    async fn hit_at(&self, limit: Limit, key: &str, now: i64) -> Result<(), u64> {
        let allowed = self.per_minute.of(limit);
        if allowed == 0 {
            return Ok(());
        }
        let minute = now.div_euclid(60);
        let retry_after = u64::try_from(60 - now.rem_euclid(60)).unwrap_or(60).max(1);
        let count = match &self.backend {
            Backend::Local(windows) => {
                let Ok(mut windows) = windows.lock() else {
                    return Ok(());
                };
                if windows.len() >= MAX_LOCAL_KEYS {
                    windows.retain(|_, (m, _)| *m == minute);
                }
                let entry = windows
                    .entry((limit, key.to_owned()))
                    .or_insert((minute, 0));
                if entry.0 != minute {
                    *entry = (minute, 0);
                }
                entry.1 += 1;
                entry.1
            }
            Backend::Redis {
                client,
                prefix,
                conn,
            } => {
                let counted = tokio::time::timeout(REDIS_BUDGET, async {
                    let conn = conn
                        .get_or_try_init(|| redis::aio::ConnectionManager::new(client.clone()))
                        .await?;
                    let mut conn = conn.clone();
                    let window = format!("{prefix}:rl:{}:{key}:{minute}", limit.name());
                    let (count,): (u64,) = redis::pipe()
                        .atomic()
                        .incr(&window, 1)
                        .expire(&window, 61)
                        .ignore()
                        .query_async(&mut conn)
                        .await?;
                    Ok::<u64, redis::RedisError>(count)
                })
                .await;
                match counted {
                    Ok(Ok(count)) => count,
                    Ok(Err(err)) => {
                        tracing::debug!(error = %err, "rate limit not counted: Redis failed");
                        return Ok(());
                    }
                    Err(_) => {
                        tracing::debug!("rate limit not counted: Redis is slow");
                        return Ok(());
                    }
                }
            }
        };
        if count > allowed {
            Err(retry_after)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_refused_past_its_limit_and_others_are_not() {
        let limits = RateLimits::local(PerMinute {
            redirect: 3,
            track: 0,
            widget: 1,
        });
        // 15 seconds into a minute (1 800 000 000 is a whole minute).
        let t: i64 = 1_800_000_000 + 15;
        assert_eq!((t - 15) % 60, 0);
        for _ in 0..3 {
            assert!(limits.hit_at(Limit::Redirect, "1.2.3.4", t).await.is_ok());
        }
        assert_eq!(limits.hit_at(Limit::Redirect, "1.2.3.4", t).await, Err(45));
        assert_eq!(
            limits.hit_at(Limit::Redirect, "1.2.3.4", t + 44).await,
            Err(1)
        );
        assert!(limits.hit_at(Limit::Redirect, "5.6.7.8", t).await.is_ok());
        // The next minute starts afresh.
        assert!(
            limits
                .hit_at(Limit::Redirect, "1.2.3.4", t + 45)
                .await
                .is_ok()
        );
        // A limit of 0 is off.
        for _ in 0..100 {
            assert!(limits.hit_at(Limit::Track, "sk", t).await.is_ok());
        }
        // Limits count apart.
        assert!(limits.hit_at(Limit::Widget, "1.2.3.4", t).await.is_ok());
        assert!(limits.hit_at(Limit::Widget, "1.2.3.4", t).await.is_err());
    }
}
