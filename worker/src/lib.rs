//! Grapevine's background work: the transactional outbox, the relay that moves its rows onto the
//! queue (Redis in production, an SQLite file for the embedded default), the job runner that keeps
//! job state in our own tables, and the jobs themselves.
//!
//! The outbox rule (DESIGN.md §2): a state change that needs a job inserts the job row in the same
//! database transaction. The queue is only a transport; `job_outbox` and `job_runs` are the record.

pub mod attempt;
pub mod config;
pub mod context;
pub mod cron;
pub mod email;
pub mod hooks;
pub mod jobs;
pub mod metrics;
pub mod outbox;
pub mod payouts;
pub mod relay;
pub mod runner;
pub mod service;
pub mod transport;

// The domain operations the handlers call live in `grapevine_entity::ops`; these names keep the
// handlers' paths short (`crate::ledger::…`).
use grapevine_entity::ops::{crypto, experiments, fraud, import, ledger, rollups, secrets};

pub use config::{EmailConfig, QueueConfig, WorkerConfig};
pub use context::JobContext;
pub use outbox::{Job, JobError, JobKind, enqueue};
