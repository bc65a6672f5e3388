//! Queue health per job kind, from our outbox (the record of every job): how many wait, run, wait
//! for a retry and are dead, how long the oldest has waited, and how long runs take.

use std::collections::BTreeMap;

use crate::tables::{JobRunOutcome, JobState, job_outbox, job_runs};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
    RelationTrait, TransactionSession, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

/// One job kind's health.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindHealth {
    /// `email.send`, `payout.pay`, …
    pub kind: String,
    /// Due and not yet taken (pending whose time has come, or on the queue).
    pub waiting: u64,
    /// A worker holds them.
    pub running: u64,
    /// Failed at least once and waiting for their next attempt.
    pub retrying: u64,
    /// Every attempt failed.
    pub dead: u64,
    /// Finished in the last hour.
    pub done_last_hour: u64,
    /// How long the oldest waiting job has waited, in seconds.
    pub oldest_waiting_secs: Option<i64>,
    /// 95th percentile of run time over the last hour, in milliseconds.
    pub p95_run_ms: Option<i64>,
}

/// kind, state, attempts, available_at, dispatched_at, finished_at.
type JobRow = (
    String,
    JobState,
    i32,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// Counts by kind and state, for one tenant (`Some`) or all (`None`, the operator's view).
pub async fn states(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
) -> Result<Vec<(String, JobState, i64)>, DbErr> {
    let mut q = job_outbox::Entity::find()
        .select_only()
        .column(job_outbox::Column::Kind)
        .column(job_outbox::Column::State)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(job_outbox::Column::Kind)
        .group_by(job_outbox::Column::State);
    if let Some(tenant) = tenant_id {
        q = q.filter(job_outbox::Column::TenantId.eq(tenant));
    }
    q.into_tuple().all(conn).await
}

/// The health of every kind the tenant has jobs of, by kind.
pub async fn snapshot(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<KindHealth>, DbErr> {
    let hour_ago = now - Duration::hours(1);
    let jobs: Vec<JobRow> = job_outbox::Entity::find()
        .select_only()
        .column(job_outbox::Column::Kind)
        .column(job_outbox::Column::State)
        .column(job_outbox::Column::Attempts)
        .column(job_outbox::Column::AvailableAt)
        .column(job_outbox::Column::DispatchedAt)
        .column(job_outbox::Column::FinishedAt)
        .filter(job_outbox::Column::TenantId.eq(tenant_id))
        .filter(
            sea_orm::Condition::any()
                .add(job_outbox::Column::State.is_not_in([JobState::Done, JobState::Discarded]))
                .add(job_outbox::Column::FinishedAt.gte(hour_ago)),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_kind: BTreeMap<String, KindHealth> = BTreeMap::new();
    for (kind, state, attempts, available_at, dispatched_at, finished_at) in jobs {
        let h = by_kind.entry(kind.clone()).or_insert_with(|| KindHealth {
            kind,
            ..KindHealth::default()
        });
        let waiting_since = match state {
            JobState::Pending if attempts > 0 => {
                h.retrying += 1;
                None
            }
            JobState::Pending if available_at <= now => Some(available_at),
            JobState::Pending => None,
            JobState::Dispatched => dispatched_at.or(Some(available_at)),
            JobState::Running => {
                h.running += 1;
                None
            }
            JobState::Dead => {
                h.dead += 1;
                None
            }
            JobState::Discarded => None,
            JobState::Done => {
                if finished_at.is_some_and(|f| f >= hour_ago) {
                    h.done_last_hour += 1;
                }
                None
            }
        };
        if let Some(since) = waiting_since {
            h.waiting += 1;
            let age = (now - since).num_seconds().max(0);
            h.oldest_waiting_secs = Some(h.oldest_waiting_secs.map_or(age, |o| o.max(age)));
        }
    }
    // Run times of the last hour's successful runs.
    let runs: Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)> = job_runs::Entity::find()
        .select_only()
        .column(job_runs::Column::Kind)
        .column(job_runs::Column::StartedAt)
        .column(job_runs::Column::FinishedAt)
        .join(JoinType::InnerJoin, job_runs::Relation::JobOutbox.def())
        .filter(job_outbox::Column::TenantId.eq(tenant_id))
        .filter(job_runs::Column::Outcome.eq(JobRunOutcome::Succeeded))
        .filter(job_runs::Column::StartedAt.gte(hour_ago))
        .into_tuple()
        .all(conn)
        .await?;
    let mut durations: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (kind, started, finished) in runs {
        if let Some(finished) = finished {
            durations
                .entry(kind)
                .or_default()
                .push((finished - started).num_milliseconds().max(0));
        }
    }
    for (kind, mut ms) in durations {
        ms.sort_unstable();
        let index = (ms.len() * 95).div_ceil(100).saturating_sub(1);
        if let Some(h) = by_kind.get_mut(&kind) {
            h.p95_run_ms = ms.get(index).copied();
        }
    }
    Ok(by_kind.into_values().collect())
}

/// The outbox's side of the queue: jobs whose time has come that the relay has not yet handed to
/// the queue, and how long the oldest of them has waited (the relay's lag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxLag {
    /// Due jobs not yet on the queue (first attempts and retries alike).
    pub backlog: u64,
    /// Seconds since the oldest of them became due; 0 when there is none.
    pub lag_secs: i64,
}

/// The outbox backlog and relay lag, for one tenant (`Some`) or all (`None`, the operator's view).
pub async fn outbox_lag(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<OutboxLag, DbErr> {
    let mut q = job_outbox::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(job_outbox::Column::AvailableAt.min(), "oldest")
        .filter(job_outbox::Column::State.eq(JobState::Pending))
        .filter(job_outbox::Column::AvailableAt.lte(now));
    if let Some(tenant) = tenant_id {
        q = q.filter(job_outbox::Column::TenantId.eq(tenant));
    }
    let row: Option<(i64, Option<DateTime<Utc>>)> = q.into_tuple().one(conn).await?;
    let (count, oldest) = row.unwrap_or((0, None));
    Ok(OutboxLag {
        backlog: u64::try_from(count).unwrap_or(0),
        lag_secs: oldest.map_or(0, |o| (now - o).num_seconds().max(0)),
    })
}

/// A dead job of the tenant, for ops to retry or discard (`verb` goes into the CONFLICT message
/// when it is not dead).
pub async fn dead_job(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    verb: &str,
) -> crate::ops::error::Result<job_outbox::Model> {
    let job =
        crate::ops::tenancy::find_in_tenant::<job_outbox::Entity>(conn, tenant_id, id).await?;
    if job.state != JobState::Dead {
        return Err(crate::ops::error::Error::Conflict(format!(
            "only a dead job can be {verb}; this one is {}",
            job.state.as_str()
        )));
    }
    Ok(job)
}

/// What ops does with a dead job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadJobAction<'a> {
    /// Run it again from its first attempt, now.
    Retry,
    /// Give it up for good, saying why (1 to 500 characters).
    Discard(&'a str),
}

/// Retry or discard a dead job of the tenant (ops), audited in the same transaction as the change;
/// returns the job as it now is. NOT_FOUND for another tenant's job, CONFLICT when it is not dead
/// (any more).
pub async fn act_on_dead_job(
    conn: &impl TransactionTrait,
    principal: &crate::ops::principal::Principal,
    tenant_id: Uuid,
    id: Uuid,
    action: DeadJobAction<'_>,
    now: DateTime<Utc>,
) -> crate::ops::error::Result<job_outbox::Model> {
    let reason = match action {
        DeadJobAction::Retry => None,
        DeadJobAction::Discard(reason) => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(crate::ops::error::Error::invalid(
                    "reason",
                    "say why, in 1 to 500 characters",
                ));
            }
            Some(reason)
        }
    };
    let txn = crate::db::begin_write(conn).await?;
    let verb = if reason.is_some() {
        "discarded"
    } else {
        "retried"
    };
    let job = dead_job(&txn, tenant_id, id, verb).await?;
    let changed = match reason {
        None => crate::ops::outbox::retry_job(&txn, id, now).await?,
        Some(reason) => crate::ops::outbox::discard_job(&txn, id, reason, now).await?,
    };
    if !changed {
        return Err(crate::ops::error::Error::Conflict(
            "the job changed meanwhile; look again".into(),
        ));
    }
    let (action, detail) = match reason {
        None => ("job.retry", serde_json::json!({ "kind": job.kind })),
        Some(reason) => (
            "job.discard",
            serde_json::json!({ "kind": job.kind, "reason": reason }),
        ),
    };
    crate::ops::audit::record(
        &txn,
        tenant_id,
        principal,
        action,
        "job",
        Some(id),
        detail,
        now,
    )
    .await?;
    let job = job_outbox::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(crate::ops::error::Error::NotFound("job"))?;
    txn.commit().await?;
    Ok(job)
}
