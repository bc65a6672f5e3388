//! The job runtime's side of the outbox: what a job's handler is and how it fails. Enqueueing
//! (a row written in the caller's transaction) and the job payloads are domain operations and
//! live in `grapevine_entity::ops::{outbox, jobs}`; they are re-exported here for the runtime.

use std::future::Future;

pub use grapevine_entity::ops::outbox::{
    JobKind, due_time, enqueue, enqueue_at, enqueue_kind, enqueue_once, once_id, wall_clock,
};
use sea_orm::DbErr;

use crate::context::JobContext;

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (a service was down, a lock was busy).
    #[error("{0:#}")]
    Transient(anyhow::Error),
    /// Retrying cannot help (bad payload, a rule refused it): the job goes straight to `dead`.
    #[error("{0:#}")]
    Permanent(anyhow::Error),
}

impl From<DbErr> for JobError {
    fn from(err: DbErr) -> Self {
        Self::Transient(err.into())
    }
}

/// One kind of background job with its handler (the payload, its name and attempt budget are
/// the domain's `JobKind`).
pub trait Job: JobKind {
    /// Do the work. Handlers re-read state first, so running twice is harmless.
    fn run(self, ctx: &JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}
