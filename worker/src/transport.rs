//! The queue transport: apalis on Redis (production) or on an SQLite file (embedded default).
//!
//! Only a job's id travels; the job itself, its attempts and its state live in `job_outbox`.
//! Queue names are explicit (`<prefix>:<kind>`): apalis would otherwise derive them from Rust type
//! paths, which two binaries need not agree on.

use std::{
    collections::HashMap,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use anyhow::Context as _;
use apalis::prelude::*;
use apalis_core::backend::ext::poll_strategy::{PollSnapshot, PollStrategy, PollWith};
use apalis_redis::{ConnectionManager, RedisStorage};
use apalis_sqlite::{SqlitePool, SqliteStorage};
use futures::{StreamExt, channel::mpsc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::QueueConfig;

/// What travels on the queue: the id of an outbox row.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobEnvelope {
    /// `job_outbox.id`.
    pub id: Uuid,
}

/// A handler the transport calls for each delivered envelope of one kind.
pub type Handler =
    Arc<dyn Fn(JobEnvelope) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Wakes this process's idle consumers of a kind as soon as its relay has pushed jobs of that
/// kind. An idle apalis consumer otherwise looks again only every `queue.poll_interval_ms`, and a
/// conversion crosses two queue hops before its reward is decided: the poll was most of that
/// latency. The interval stays as the fallback (for jobs pushed by another process's relay).
#[derive(Clone, Default)]
pub struct PushWakers {
    by_kind: Arc<Mutex<HashMap<String, Vec<mpsc::Sender<()>>>>>,
}

impl PushWakers {
    /// A wake-up stream for one consumer of `kind` (at most one wake-up waits in it).
    pub fn subscribe(&self, kind: &str) -> mpsc::Receiver<()> {
        let (tx, rx) = mpsc::channel(0);
        self.by_kind
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(kind.to_owned())
            .or_default()
            .push(tx);
        rx
    }

    /// Wake every consumer of `kind`; consumers that have gone are forgotten.
    pub fn wake(&self, kind: &str) {
        let mut by_kind = self.by_kind.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(senders) = by_kind.get_mut(kind) {
            // A full channel already holds a wake-up: nothing is lost by dropping this one.
            senders.retain_mut(|tx| tx.try_send(()).map_or_else(|e| e.is_full(), |()| true));
        }
    }
}

/// When an idle consumer looks for work again: as soon as a push wakes it, or when its poll
/// interval has passed. Both are left armed after every look (a wake-up channel drained to empty
/// holds our waker, the next timer is polled once), so neither can be missed: apalis only asks
/// again when the task is woken.
struct PushOrInterval {
    woken: mpsc::Receiver<()>,
    every: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl PushOrInterval {
    fn new(woken: mpsc::Receiver<()>, every: Duration) -> Self {
        Self {
            woken,
            every,
            timer: Box::pin(tokio::time::sleep(every)),
        }
    }
}

impl PollStrategy for PushOrInterval {
    fn poll_drive(
        &mut self,
        cx: &mut std::task::Context<'_>,
        _: &PollSnapshot,
    ) -> std::task::Poll<Option<()>> {
        use std::task::Poll;
        let mut due = false;
        // Until the channel is empty (it then holds our waker) or closed (the relay is gone).
        while let Poll::Ready(Some(())) = self.woken.poll_next_unpin(cx) {
            due = true;
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            due = true;
            self.timer
                .as_mut()
                .reset(tokio::time::Instant::now() + self.every);
            // Polled once so that it holds our waker.
            let _ = self.timer.as_mut().poll(cx);
        }
        if due {
            Poll::Ready(Some(()))
        } else {
            Poll::Pending
        }
    }
}

/// A connected queue backend.
#[derive(Clone)]
pub enum Transport {
    /// apalis-redis.
    Redis {
        /// Shared multiplexed connection.
        conn: ConnectionManager,
        /// Settings.
        config: QueueConfig,
    },
    /// apalis-sqlite on its own file (apalis sets WAL and `synchronous=OFF` on it).
    Sqlite {
        /// Pool on the queue file.
        pool: SqlitePool,
        /// Settings.
        config: QueueConfig,
    },
}

impl Transport {
    /// Connect to the configured backend (and create apalis's tables for SQLite).
    pub async fn connect(config: &QueueConfig) -> anyhow::Result<Self> {
        if config.is_redis() {
            let conn = tokio::time::timeout(
                Duration::from_secs(5),
                apalis_redis::connect(config.url.expose()),
            )
            .await
            .context("timed out connecting to Redis")?
            .context("connecting to Redis")?;
            Ok(Self::Redis {
                conn,
                config: config.clone(),
            })
        } else if config.url.starts_with("sqlite:") {
            let pool = SqlitePool::connect(config.url.expose())
                .await
                .with_context(|| format!("opening the SQLite queue {}", config.url.expose()))?;
            // The relay and the consumers connect at the same moment; apalis's setup runs its own
            // migrations and must not race itself.
            static SETUP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
            let _guard = SETUP.lock().await;
            SqliteStorage::setup(&pool)
                .await
                .context("creating the SQLite queue tables")?;
            Ok(Self::Sqlite {
                pool,
                config: config.clone(),
            })
        } else {
            anyhow::bail!(
                "queue.url must start with redis://, rediss:// or sqlite:, got {:?}",
                config.url
            )
        }
    }

    fn queue_name(config: &QueueConfig, kind: &str) -> String {
        format!("{}:{kind}", config.prefix)
    }

    /// Put one envelope on the queue of `kind`.
    pub async fn push(&self, kind: &str, envelope: JobEnvelope) -> anyhow::Result<()> {
        match self {
            Self::Redis { conn, config } => {
                let mut storage = RedisStorage::<JobEnvelope>::new(conn.clone())
                    .with_config(redis_config(config, kind));
                storage.push(envelope).await.context("pushing to Redis")?;
            }
            Self::Sqlite { pool, config } => {
                let mut storage = SqliteStorage::<JobEnvelope>::new(pool)
                    .with_config(sqlite_config(config, kind));
                storage
                    .push(envelope)
                    .await
                    .context("pushing to the SQLite queue")?;
            }
        }
        Ok(())
    }

    /// Run a worker for `kind` until `shutdown` resolves, calling `handler` per envelope. When
    /// idle it looks for work when `woken` yields (the relay pushed) or every poll interval.
    pub async fn run_worker(
        &self,
        worker_name: &str,
        (kind, woken): (&'static str, mpsc::Receiver<()>),
        handler: Handler,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let name = format!("{worker_name}:{kind}");
        let signal = async move {
            shutdown.await;
            Ok::<(), std::io::Error>(())
        };
        let service = move |envelope: JobEnvelope| {
            let handler = handler.clone();
            async move {
                handler(envelope).await;
                Ok::<(), std::io::Error>(())
            }
        };
        let wake_up = |config: &QueueConfig| {
            PushOrInterval::new(woken, Duration::from_millis(config.poll_interval_ms))
        };
        match self {
            Self::Redis { conn, config } => {
                let storage = PollWith::new(
                    RedisStorage::<JobEnvelope>::new(conn.clone())
                        .with_config(redis_config(config, kind)),
                    wake_up(config),
                );
                WorkerBuilder::new(name)
                    .backend(storage)
                    .concurrency(config.concurrency)
                    .build(service)
                    .run_until(signal)
                    .await?;
            }
            Self::Sqlite { pool, config } => {
                let storage = PollWith::new(
                    SqliteStorage::<JobEnvelope>::new(pool)
                        .with_config(sqlite_config(config, kind)),
                    wake_up(config),
                );
                WorkerBuilder::new(name)
                    .backend(storage)
                    .concurrency(config.concurrency)
                    .build(service)
                    .run_until(signal)
                    .await?;
            }
        }
        Ok(())
    }

    /// Which life of the queue server this is: Redis's `run_id`, new on every start. Redis here
    /// keeps nothing on disk, so a new one means every message queued before is gone. `None` for
    /// the SQLite queue, whose file outlives the process.
    pub async fn epoch(&self) -> anyhow::Result<Option<String>> {
        match self {
            Self::Redis { conn, .. } => {
                let mut conn = conn.clone();
                let info: String = tokio::time::timeout(
                    Duration::from_secs(1),
                    redis::cmd("INFO").arg("server").query_async(&mut conn),
                )
                .await
                .context("Redis did not answer INFO within 1 s")??;
                Ok(info
                    .lines()
                    .find_map(|l| l.strip_prefix("run_id:"))
                    .map(|id| id.trim().to_owned()))
            }
            Self::Sqlite { .. } => Ok(None),
        }
    }

    /// Cheap liveness check for `/readyz`.
    pub async fn ping(&self) -> anyhow::Result<()> {
        match self {
            Self::Redis { conn, .. } => {
                let mut conn = conn.clone();
                let _: String = tokio::time::timeout(
                    Duration::from_secs(1),
                    redis::cmd("PING").query_async(&mut conn),
                )
                .await
                .context("Redis did not answer PING within 1 s")??;
            }
            Self::Sqlite { pool, .. } => {
                drop(pool.acquire().await.context("opening the SQLite queue")?);
            }
        }
        Ok(())
    }
}

fn redis_config(config: &QueueConfig, kind: &str) -> apalis_redis::Config {
    apalis_redis::Config::default()
        .queue(Transport::queue_name(config, kind))
        .heartbeat_interval(Duration::from_secs(config.heartbeat_secs))
        .missed_heartbeats(3)
}

fn sqlite_config(config: &QueueConfig, kind: &str) -> apalis_sqlite::Config {
    apalis_sqlite::Config::default()
        .queue(Transport::queue_name(config, kind))
        .heartbeat_interval(Duration::from_secs(config.heartbeat_secs))
        .missed_heartbeats(3)
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[tokio::test]
    async fn a_push_wakes_every_consumer_of_its_kind_once_and_forgets_those_gone() {
        let wakers = PushWakers::default();
        let mut a = wakers.subscribe("email.send");
        let mut b = wakers.subscribe("email.send");
        let mut other = wakers.subscribe("referral.validate");
        let gone = wakers.subscribe("email.send");
        drop(gone);
        // Three pushes before anyone looks: each consumer holds one wake-up, not three.
        for _ in 0..3 {
            wakers.wake("email.send");
        }
        assert_eq!(a.next().await, Some(()));
        assert_eq!(b.next().await, Some(()));
        assert!(a.try_recv().is_err(), "no second wake-up waits");
        assert!(other.try_recv().is_err(), "another kind is not woken");
        let senders = wakers
            .by_kind
            .lock()
            .unwrap_or_else(PoisonError::into_inner)["email.send"]
            .len();
        assert_eq!(senders, 2, "the dropped consumer is forgotten");
    }
}
