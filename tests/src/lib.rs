//! The Grapevine test harness: a migrated database per test, a real SMTP server, and the real
//! `grapevine` binary as a child process. The end-to-end tests live in `tests/tests/`.
//!
//! Backends: `GRAPEVINE_TEST_BACKEND=postgres` (default; PostgreSQL + Redis) or `sqlite` (the embedded
//! default). `bash tests/run.sh` starts the services and runs everything on both.

// A harness reports trouble by panicking: that is how a test fails with a useful message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod client;
pub mod db;
pub mod env;
pub mod process;
pub mod shop;
pub mod smtp;
pub mod stripe;
pub mod stripe_shaped;
pub mod visit;

use std::future::Future;
use std::time::{Duration, Instant};

pub use app::{
    TestApp, spawn_api_only, spawn_api_only_with, spawn_app, spawn_app_on, spawn_app_with,
    spawn_app_with_clock,
};
pub use db::TestDatabase;
pub use env::{Backend, admin_database_url, redis_url, require_services};
pub use process::{GrapevineProcess, grapevine_binary};
pub use smtp::{ReceivedEmail, SmtpServer};
pub use visit::{FIREFOX, Visit, click_id};

/// A tiny deterministic random sequence (an LCG with Knuth's MMIX constants) for seeded,
/// reproducible test choices such as the moments a process is killed.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let span = u64::try_from(high - low + 1).expect("a small range");
        low + usize::try_from((self.0 >> 33) % span).expect("fits")
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("find a free port on 127.0.0.1: {e}"))
}

/// Calls `check` until it returns `Some`, backing off from 10 ms to 200 ms; `None` at the timeout.
pub async fn try_poll_until<T, F, Fut>(timeout: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// Calls `check` until it returns `Some` and returns the value; panics at the timeout.
/// Use [`try_poll_until`] to fail with a message of your own.
pub async fn poll_until<T, F, Fut>(timeout: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    match try_poll_until(timeout, check).await {
        Some(value) => value,
        None => panic!("condition not met within {timeout:?}"),
    }
}

/// The `extensions.code` of each error in a GraphQL response body, in order.
pub fn error_codes(body: &serde_json::Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How many event jobs (validation, settlement, emails, webhooks, payouts…) are waiting or
/// running: every kind but the scheduler's own timer jobs, which may be under way at any moment,
/// and `also_ignoring`. Zero means the pipeline has caught up with what the test did.
pub async fn busy_jobs(db: &sea_orm::DatabaseConnection, also_ignoring: &[&str]) -> u64 {
    use grapevine_entity::tables::{JobState, job_outbox};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let ignored = grapevine_worker::cron::SCHEDULED_KINDS
        .iter()
        .chain(also_ignoring)
        .copied();
    job_outbox::Entity::find()
        .filter(job_outbox::Column::State.is_in([
            JobState::Pending,
            JobState::Dispatched,
            JobState::Running,
        ]))
        .filter(job_outbox::Column::Kind.is_not_in(ignored))
        .count(db)
        .await
        .unwrap_or_else(|e| panic!("count the busy jobs: {e}"))
}
