//! Tenant, API keys, audit log, emails and login.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use grapevine_entity::tables;
use uuid::Uuid;

use super::{
    enums::{ApiKeyKind, EmailKind, EmailState},
    people::User,
};

/// The caller's tenant.
#[derive(SimpleObject, Clone)]
pub struct Tenant {
    /// Id.
    pub id: Uuid,
    /// URL-safe slug.
    pub slug: String,
    /// Name.
    pub name: String,
}

/// An API key (the key itself is shown only when created).
#[derive(SimpleObject, Clone)]
pub struct ApiKey {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: ApiKeyKind,
    /// Name.
    pub name: String,
    /// First characters, to recognise it.
    pub prefix: String,
    /// Origins a publishable key may be used from.
    pub allowed_origins: Vec<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Revoked (it no longer works).
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<tables::api_keys::Model> for ApiKey {
    fn from(m: tables::api_keys::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind.into(),
            name: m.name,
            prefix: m.prefix,
            allowed_origins: serde_json::from_value(m.allowed_origins).unwrap_or_default(),
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A key just created.
#[derive(SimpleObject, Clone)]
pub struct CreatedApiKey {
    /// The key: store it now, it is not shown again.
    pub key: String,
    /// Its record.
    pub api_key: ApiKey,
}

/// One audited change.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// Id.
    pub id: Uuid,
    /// Who.
    pub actor: String,
    /// What, e.g. `campaign.launch`.
    pub action: String,
    /// Kind of thing changed.
    pub entity: String,
    /// Its id.
    pub entity_id: Option<Uuid>,
    /// Details.
    pub data: async_graphql::Json<serde_json::Value>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<tables::audit_log::Model> for AuditEntry {
    fn from(m: tables::audit_log::Model) -> Self {
        Self {
            id: m.id,
            actor: m.actor,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            data: async_graphql::Json(m.data),
            created_at: m.created_at,
        }
    }
}

/// One job kind's health (ops): see `queueHealth`.
#[derive(SimpleObject, Clone)]
pub struct QueueKindHealth {
    /// `email.send`, `payout.pay`, …
    pub kind: String,
    /// Due and not yet taken by a worker.
    pub waiting: i64,
    /// Held by a worker now.
    pub running: i64,
    /// Failed at least once, waiting for the next attempt.
    pub retrying: i64,
    /// Every attempt failed (`deadJobs`, `retryJob`).
    pub dead: i64,
    /// Finished in the last hour.
    pub done_last_hour: i64,
    /// Seconds the oldest waiting job has waited.
    pub oldest_waiting_secs: Option<i64>,
    /// 95th percentile of run time over the last hour, in milliseconds.
    pub p95_run_ms: Option<i64>,
}

impl From<grapevine_entity::ops::queue_health::KindHealth> for QueueKindHealth {
    fn from(h: grapevine_entity::ops::queue_health::KindHealth) -> Self {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Self {
            kind: h.kind,
            waiting: n(h.waiting),
            running: n(h.running),
            retrying: n(h.retrying),
            dead: n(h.dead),
            done_last_hour: n(h.done_last_hour),
            oldest_waiting_secs: h.oldest_waiting_secs,
            p95_run_ms: h.p95_run_ms,
        }
    }
}

/// The tenant's queue at a glance (ops): per-kind health plus the outbox's side — what is due
/// but not yet handed to the queue, and how long the oldest of it has waited.
#[derive(SimpleObject, Clone)]
pub struct QueueOverview {
    /// When it was read.
    pub at: DateTime<Utc>,
    /// Per job kind: waiting, running, retrying, dead, done in the last hour, oldest wait, p95.
    pub kinds: Vec<QueueKindHealth>,
    /// Jobs whose time has come that the relay has not yet put on the queue. Normally 0 or a
    /// handful; a growing number means the relay is not running or cannot reach the queue.
    pub outbox_backlog: i64,
    /// Seconds the oldest of those has waited (0 when there is none): the relay's lag.
    pub relay_lag_secs: i64,
}

impl QueueOverview {
    /// From the service's figures.
    pub fn new(
        at: DateTime<Utc>,
        kinds: Vec<grapevine_entity::ops::queue_health::KindHealth>,
        lag: grapevine_entity::ops::queue_health::OutboxLag,
    ) -> Self {
        Self {
            at,
            kinds: kinds.into_iter().map(Into::into).collect(),
            outbox_backlog: i64::try_from(lag.backlog).unwrap_or(i64::MAX),
            relay_lag_secs: lag.lag_secs,
        }
    }
}

/// A background job of the tenant (ops).
#[derive(SimpleObject, Clone)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// Kind, e.g. `email.send`, `payout.pay`.
    pub kind: String,
    /// Where it is.
    pub state: super::enums::JobState,
    /// Attempts so far.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it finished (done or dead).
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<tables::job_outbox::Model> for Job {
    fn from(m: tables::job_outbox::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            state: m.state.into(),
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            last_error: m.last_error,
            created_at: m.created_at,
            finished_at: m.finished_at,
        }
    }
}

/// An email and its delivery state.
#[derive(SimpleObject, Clone)]
pub struct Email {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: EmailKind,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Delivery state.
    pub state: EmailState,
    /// Participant.
    pub participant_id: Option<Uuid>,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Accepted by the SMTP server.
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<tables::emails::Model> for Email {
    fn from(m: tables::emails::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind.into(),
            to: m.to_address,
            subject: m.subject,
            state: m.state.into(),
            participant_id: m.participant_id,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// A successful login.
#[derive(SimpleObject, Clone)]
pub struct LoginPayload {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// Who logged in.
    pub user: User,
}
