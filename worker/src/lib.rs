//! Grapevine's background work: the transactional outbox, the relay that moves its rows onto the
//! queue (Redis in production, an SQLite file for the embedded default), the job runner that keeps
//! job state in our own tables, and the jobs themselves.
//!
//! The outbox rule (DESIGN.md §2): a state change that needs a job inserts the job row in the same
//! database transaction. The queue is only a transport; `job_outbox` and `job_runs` are the record.

pub mod config;
pub mod context;
pub mod cron;
pub mod crypto;
pub mod email;
pub mod experiments;
pub mod fraud;
pub mod hooks;
pub mod import;
pub mod jobs;
pub mod ledger;
pub mod metrics;
pub mod outbox;
pub mod payouts;
pub mod relay;
pub mod rollups;
pub mod runner;
pub mod secrets;
pub mod service;
pub mod transport;

pub use config::{EmailConfig, QueueConfig, WorkerConfig};
pub use context::JobContext;
pub use outbox::{Job, JobError, JobKind, enqueue};
