//! What every job handler is given: the database, the mailer, the clock and configuration.

use std::sync::Arc;

use grapevine_entity::domain::clock::SharedClock;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use crate::{
    attempt::Attempt, config::WorkerConfig, crypto::SecretBoxer, email::Mailer,
    metrics::JobMetrics, outbox::wall_clock,
};

/// Shared, cheaply cloned dependencies of the job handlers.
#[derive(Clone)]
pub struct JobContext {
    /// The application database.
    pub db: DatabaseConnection,
    /// Outgoing email.
    pub mailer: Arc<Mailer>,
    /// Injected time, so tests can move it.
    pub clock: SharedClock,
    /// Worker settings.
    pub config: Arc<WorkerConfig>,
    /// Prometheus counters for jobs.
    pub metrics: JobMetrics,
    /// Opens tenants' stored secrets (Stripe keys, the gift-card API key).
    pub secrets: Arc<SecretBoxer>,
    /// The claimed attempt being run, when the runner runs the handler (none when a handler is
    /// called directly).
    pub attempt: Option<Arc<Attempt>>,
}

impl JobContext {
    /// Record the job being run as done inside `txn`, the handler's last transaction, right
    /// before committing it: the work and the job's outcome then commit together (one commit
    /// fewer per job), and the runner writes nothing after the handler returns `Ok`. Call it only
    /// in a transaction that is committed before returning `Ok`; a handler that fails afterwards
    /// has its failure recorded as usual. Without an attempt (a handler called directly) it does
    /// nothing.
    pub async fn finish_in(&self, txn: &impl ConnectionTrait) -> Result<(), DbErr> {
        match &self.attempt {
            Some(attempt) => attempt.finish_in(txn, wall_clock()).await,
            None => Ok(()),
        }
    }
}
