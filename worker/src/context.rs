//! What every job handler is given: the database, the mailer, the clock and configuration.

use std::sync::Arc;

use grapevine_entity::domain::clock::SharedClock;
use sea_orm::DatabaseConnection;

use crate::{config::WorkerConfig, crypto::SecretBoxer, email::Mailer, metrics::JobMetrics};

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
}
