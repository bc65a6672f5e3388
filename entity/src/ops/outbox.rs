//! The transactional outbox: jobs are rows written in the same transaction as the change that
//! needs them, so a crash can never keep the change and lose the job (or the reverse). Every
//! operation that needs background work enqueues here; the job runtime (`grapevine-worker`) moves
//! the rows onto the queue and runs their handlers.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::tables::{JobState, job_outbox};

/// One kind of background job, as the domain sees it: a serde payload carrying ids (never
/// snapshots), its stable name and its attempt budget. The job runtime adds the handler.
pub trait JobKind: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stable name: the outbox `kind` and the queue name. Never rename one that has shipped.
    const KIND: &'static str;
    /// Attempts before the job is declared dead.
    const MAX_ATTEMPTS: i32 = 8;
}

/// The queue's own time. Leases, dispatch and redelivery concern processes, not the business, so
/// they follow the operating system's clock even where the business clock is injected (a test's
/// clock that jumps a day ahead must not make a running job look abandoned).
pub fn wall_clock() -> DateTime<Utc> {
    use crate::domain::clock::{Clock, SystemClock};
    SystemClock.now()
}

/// The time against which a pending job's `available_at` is compared: the later of the business
/// clock and the wall clock. A job scheduled in business time (a hold's end) is due when the
/// business clock reaches it; a retry's backoff, measured on the wall clock, when that one does.
pub fn due_time(business_now: DateTime<Utc>) -> DateTime<Utc> {
    std::cmp::max(business_now, wall_clock())
}

/// Insert a job into the outbox inside the caller's transaction; returns the job id.
pub async fn enqueue<J: JobKind>(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    job: &J,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    insert(conn, id, tenant_id, job, now).await?;
    Ok(id)
}

/// Insert a job that becomes due at `at` (a retry scheduled by the handler itself).
pub async fn enqueue_at<J: JobKind>(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    job: &J,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let payload = serde_json::to_value(job).map_err(|e| DbErr::Custom(e.to_string()))?;
    insert_row(
        conn,
        id,
        tenant_id,
        J::KIND,
        payload,
        J::MAX_ATTEMPTS,
        at,
        now,
    )
    .await?;
    Ok(id)
}

/// Insert a job of `kind` with a payload whose handler this build may not have yet (it waits in
/// the outbox until a build that runs `kind` is deployed).
pub async fn enqueue_kind(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    kind: &str,
    payload: &impl Serialize,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let payload = serde_json::to_value(payload).map_err(|e| DbErr::Custom(e.to_string()))?;
    insert_row(conn, id, tenant_id, kind, payload, max_attempts, now, now).await?;
    Ok(id)
}

/// Insert a job whose id is derived from `key`, doing nothing if it already exists: a handler that
/// fans out (one launch → one email job per participant) can run twice without doubling anything.
pub async fn enqueue_once<J: JobKind>(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    key: &str,
    job: &J,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = once_id::<J>(key);
    insert(conn, id, tenant_id, job, now).await?;
    Ok(id)
}

/// The id `enqueue_once` gives the job of kind `J` with `key` (a handler that must know its own
/// attempt count looks its row up by it).
pub fn once_id<J: JobKind>(key: &str) -> Uuid {
    crate::domain::ids::derived_id(&format!("job:{}:{key}", J::KIND))
}

async fn insert<J: JobKind>(
    conn: &impl ConnectionTrait,
    id: Uuid,
    tenant_id: Option<Uuid>,
    job: &J,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let payload = serde_json::to_value(job).map_err(|e| DbErr::Custom(e.to_string()))?;
    insert_row(
        conn,
        id,
        tenant_id,
        J::KIND,
        payload,
        J::MAX_ATTEMPTS,
        now,
        now,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert_row(
    conn: &impl ConnectionTrait,
    id: Uuid,
    tenant_id: Option<Uuid>,
    kind: &str,
    payload: serde_json::Value,
    max_attempts: i32,
    available_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = job_outbox::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        kind: Set(kind.to_owned()),
        payload: Set(payload),
        state: Set(JobState::Pending),
        attempts: Set(0),
        max_attempts: Set(max_attempts),
        available_at: Set(available_at),
        dispatched_at: Set(None),
        dispatch_token: Set(None),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
        traceparent: Set(super::trace::current().map(|tp| tp.to_string())),
    };
    job_outbox::Entity::insert(row)
        .on_conflict(
            OnConflict::column(job_outbox::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec(conn)
        .await?;
    Ok(())
}

/// Put a dead or failed job back in line (ops' manual retry): a fresh set of attempts.
pub async fn retry_job(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = job_outbox::Entity::update_many()
        .col_expr(job_outbox::Column::State, Expr::value(JobState::Pending))
        .col_expr(job_outbox::Column::Attempts, Expr::value(0))
        .col_expr(job_outbox::Column::AvailableAt, Expr::value(now))
        .col_expr(
            job_outbox::Column::FinishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(job_outbox::Column::Id.eq(id))
        .filter(job_outbox::Column::State.eq(JobState::Dead))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Give up a dead job (ops): it is kept, marked discarded with the reason, and never runs again.
/// `false` if it was not dead (any more).
pub async fn discard_job(
    conn: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = job_outbox::Entity::update_many()
        .col_expr(job_outbox::Column::State, Expr::value(JobState::Discarded))
        .col_expr(
            job_outbox::Column::LastError,
            Expr::value(format!("discarded: {reason}")),
        )
        .col_expr(job_outbox::Column::FinishedAt, Expr::value(Some(now)))
        .filter(job_outbox::Column::Id.eq(id))
        .filter(job_outbox::Column::State.eq(JobState::Dead))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
