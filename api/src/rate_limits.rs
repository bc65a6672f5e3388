//! Request rate limits, per deployment (`rate_limits.*`, per minute; 0 turns one off).
//!
//! Failed logins are counted the same way (`failed_login` / `login_allowed` / `forgive_login`),
//! except that the window starts at the first failure and lasts a minute.
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
    /// `auth.login_attempts_per_minute`: failed logins per email and per client address.
    pub login_failures: u64,
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
/// Login key → (first failure of the window, failures).
type LocalFailures = HashMap<String, (std::time::Instant, u64)>;

/// How long a failed-login window lasts.
const LOGIN_WINDOW: Duration = Duration::from_secs(60);

#[derive(Clone)]
enum Backend {
    Local(Arc<Mutex<LocalWindows>>, Arc<Mutex<LocalFailures>>),
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
            backend: Backend::Local(Arc::default(), Arc::default()),
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
            Backend::Local(windows, _) => {
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
            Backend::Redis { prefix, .. } => {
                let window = format!("{prefix}:rl:{}:{key}:{minute}", limit.name());
                let counted = self
                    .on_redis(|mut conn| async move {
                        let (count,): (u64,) = redis::pipe()
                            .atomic()
                            .incr(&window, 1)
                            .expire(&window, 61)
                            .ignore()
                            .query_async(&mut conn)
                            .await?;
                        Ok(count)
                    })
                    .await;
                // Redis failed or was slow: let the request through uncounted.
                let Some(count) = counted else { return Ok(()) };
                count
            }
        };
        if count > allowed {
            Err(retry_after)
        } else {
            Ok(())
        }
    }
}

impl RateLimits {
    /// May another login be tried under `key` (an email, a client address)? `Err(seconds to
    /// wait)` once it has failed `login_failures` times in the window.
    pub async fn login_allowed(&self, key: &str) -> Result<(), u64> {
        let allowed = self.per_minute.login_failures;
        if allowed == 0 {
            return Ok(());
        }
        let (failures, wait) = match &self.backend {
            Backend::Local(_, failures) => {
                let Ok(failures) = failures.lock() else {
                    return Ok(());
                };
                match failures.get(key) {
                    Some((since, n)) if since.elapsed() < LOGIN_WINDOW => {
                        (*n, LOGIN_WINDOW.saturating_sub(since.elapsed()).as_secs())
                    }
                    _ => (0, 0),
                }
            }
            Backend::Redis { .. } => {
                let key = self.login_key(key);
                let read = self
                    .on_redis(|mut conn| async move {
                        let (n, ttl): (Option<u64>, i64) = redis::pipe()
                            .get(&key)
                            .ttl(&key)
                            .query_async(&mut conn)
                            .await?;
                        Ok((n.unwrap_or(0), u64::try_from(ttl).unwrap_or(0)))
                    })
                    .await;
                read.unwrap_or((0, 0))
            }
        };
        if failures >= allowed {
            Err(wait.max(1))
        } else {
            Ok(())
        }
    }

    /// Count a failed login under `key`.
    pub async fn failed_login(&self, key: &str) {
        if self.per_minute.login_failures == 0 {
            return;
        }
        match &self.backend {
            Backend::Local(_, failures) => {
                let Ok(mut failures) = failures.lock() else {
                    return;
                };
                if failures.len() >= MAX_LOCAL_KEYS {
                    failures.retain(|_, (since, _)| since.elapsed() < LOGIN_WINDOW);
                }
                let entry = failures
                    .entry(key.to_owned())
                    .or_insert((std::time::Instant::now(), 0));
                if entry.0.elapsed() >= LOGIN_WINDOW {
                    *entry = (std::time::Instant::now(), 0);
                }
                entry.1 += 1;
            }
            Backend::Redis { .. } => {
                let key = self.login_key(key);
                let _ = self
                    .on_redis(|mut conn| async move {
                        // The window starts at the first failure: set the expiry only then.
                        let (n,): (u64,) =
                            redis::pipe().incr(&key, 1).query_async(&mut conn).await?;
                        if n == 1 {
                            let () = redis::cmd("EXPIRE")
                                .arg(&key)
                                .arg(LOGIN_WINDOW.as_secs())
                                .query_async(&mut conn)
                                .await?;
                        }
                        Ok(())
                    })
                    .await;
            }
        }
    }

    /// Forget the failures under `key` (after a successful login).
    pub async fn forgive_login(&self, key: &str) {
        match &self.backend {
            Backend::Local(_, failures) => {
                if let Ok(mut failures) = failures.lock() {
                    failures.remove(key);
                }
            }
            Backend::Redis { .. } => {
                let key = self.login_key(key);
                let _ = self
                    .on_redis(|mut conn| async move {
                        let () = redis::cmd("DEL").arg(&key).query_async(&mut conn).await?;
                        Ok(())
                    })
                    .await;
            }
        }
    }

    fn login_key(&self, key: &str) -> String {
        match &self.backend {
            Backend::Redis { prefix, .. } => format!("{prefix}:rl:login:{key}"),
            Backend::Local(..) => key.to_owned(),
        }
    }

    /// Run `f` on the Redis connection within the budget; `None` if Redis failed or was slow.
    async fn on_redis<T, F, Fut>(&self, f: F) -> Option<T>
    where
        F: FnOnce(redis::aio::ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let Backend::Redis { client, conn, .. } = &self.backend else {
            return None;
        };
        let run = async {
            let conn = conn
                .get_or_try_init(|| redis::aio::ConnectionManager::new(client.clone()))
                .await?;
            f(conn.clone()).await
        };
        match tokio::time::timeout(REDIS_BUDGET, run).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "rate limit not counted: Redis failed");
                None
            }
            Err(_) => {
                tracing::debug!("rate limit not counted: Redis is slow");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_refused_past_its_limit_and_others_are_not() {
        let limits = RateLimits::local(PerMinute {
            login_failures: 0,
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

    #[tokio::test]
    async fn failed_logins_block_their_key_until_forgiven() {
        let limits = RateLimits::local(PerMinute {
            login_failures: 2,
            ..PerMinute::default()
        });
        assert!(limits.login_allowed("email:a").await.is_ok());
        limits.failed_login("email:a").await;
        assert!(limits.login_allowed("email:a").await.is_ok());
        limits.failed_login("email:a").await;
        let wait = limits.login_allowed("email:a").await.unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limits.login_allowed("email:b").await.is_ok());
        limits.forgive_login("email:a").await;
        assert!(limits.login_allowed("email:a").await.is_ok());
    }
}
