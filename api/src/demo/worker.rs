//! The demo's worker: it runs the demo tenant's due jobs in this process, through the same
//! [`Runner`] the queue consumers hand deliveries to (claim, attempt record, handler, outcome),
//! on the demo's hand-driven clock, so validation, rewards, releases and payouts happen at the
//! history's moments instead of whenever a live worker gets to them.

use std::collections::BTreeMap;

use anyhow::Context as _;
use grapevine_entity::tables::{JobState, job_outbox};
use grapevine_worker::{
    JobContext,
    outbox::{due_time, wall_clock},
    runner::{Delivery, Runner},
    transport::JobEnvelope,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

/// Most passes over the outbox in one [`Worker::drain`]: jobs queue jobs, never endlessly.
const MAX_PASSES: usize = 100;
/// Jobs taken per pass.
const BATCH: u64 = 200;

/// Runs the demo tenant's jobs.
pub struct Worker {
    runner: Runner,
    tenant_id: Uuid,
    kinds: Vec<&'static str>,
    /// Deliveries by outcome (`done`, `dead`, …), for the summary and for checks.
    pub outcomes: BTreeMap<&'static str, usize>,
}

impl Worker {
    /// A worker for `tenant_id`'s jobs with `ctx` (whose clock the history drives).
    pub fn new(ctx: JobContext, tenant_id: Uuid) -> Self {
        let runner = Runner::new(grapevine_worker::jobs::registry(), ctx);
        let kinds = runner.kinds();
        Self {
            runner,
            tenant_id,
            kinds,
            outcomes: BTreeMap::new(),
        }
    }

    /// Run every due job of the tenant, and the jobs those queue, until none is due. A job left
    /// to retry later (backoff on the wall clock) stays in the outbox for a live worker.
    pub async fn drain(&mut self) -> anyhow::Result<()> {
        let ctx = self.runner.context();
        let db = ctx.db.clone();
        for _ in 0..MAX_PASSES {
            let due_at = due_time(ctx.clock.now());
            let ids: Vec<Uuid> = job_outbox::Entity::find()
                .select_only()
                .column(job_outbox::Column::Id)
                .filter(job_outbox::Column::TenantId.eq(self.tenant_id))
                // Dispatched too: a live relay (a server started before the demo) may have
                // taken a row; whichever process claims it first runs it.
                .filter(job_outbox::Column::State.is_in([JobState::Pending, JobState::Dispatched]))
                .filter(job_outbox::Column::AvailableAt.lte(due_at))
                .filter(job_outbox::Column::Kind.is_in(self.kinds.clone()))
                .order_by_asc(job_outbox::Column::AvailableAt)
                .order_by_asc(job_outbox::Column::Id)
                .limit(BATCH)
                .into_tuple()
                .all(&db)
                .await
                .context("reading the demo's due jobs")?;
            if ids.is_empty() {
                return Ok(());
            }
            // Dispatched as the relay dispatches, so the runner's claim finds them as it would
            // find a queue delivery (and a live relay's copy of a row is skipped, not run twice).
            job_outbox::Entity::update_many()
                .col_expr(job_outbox::Column::State, Expr::value(JobState::Dispatched))
                .col_expr(
                    job_outbox::Column::DispatchedAt,
                    Expr::value(Some(wall_clock())),
                )
                .col_expr(
                    job_outbox::Column::DispatchToken,
                    Expr::value(Some(Uuid::now_v7())),
                )
                .filter(job_outbox::Column::Id.is_in(ids.clone()))
                .filter(job_outbox::Column::State.eq(JobState::Pending))
                .exec(&db)
                .await
                .context("dispatching the demo's jobs")?;
            for id in ids {
                let outcome = match self.runner.deliver(JobEnvelope { id }).await {
                    Delivery::Done => "done",
                    Delivery::Dead => "dead",
                    Delivery::Retrying => "retrying",
                    Delivery::Skipped => "skipped",
                };
                *self.outcomes.entry(outcome).or_default() += 1;
            }
        }
        anyhow::bail!("the demo's jobs kept queueing jobs after {MAX_PASSES} passes")
    }
}
