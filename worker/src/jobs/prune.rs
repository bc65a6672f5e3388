//! `outbox.prune` (hourly): finished jobs older than `queue.retention_hours` leave the outbox,
//! their run history with them, a batch per transaction. Dead and unfinished jobs stay whatever
//! their age: they still need someone's attention.

use chrono::Duration;
use grapevine_entity::{
    db::begin_write,
    tables::{JobState, job_outbox, job_runs},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    context::JobContext,
    outbox::{Job, JobError, wall_clock},
};

use grapevine_entity::ops::jobs::PruneOutbox;

/// Jobs removed per transaction.
const BATCH: u64 = 1_000;

impl Job for PruneOutbox {
    #[tracing::instrument(name = "job.outbox.prune", skip_all)]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let hours = ctx.config.queue.retention_hours;
        if hours == 0 {
            return Ok(());
        }
        let cutoff =
            wall_clock() - Duration::hours(i64::try_from(hours).unwrap_or(i64::MAX / 3_600));
        let mut pruned = 0_u64;
        loop {
            let ids: Vec<Uuid> = job_outbox::Entity::find()
                .select_only()
                .column(job_outbox::Column::Id)
                .filter(job_outbox::Column::State.is_in([JobState::Done, JobState::Discarded]))
                .filter(job_outbox::Column::FinishedAt.lt(cutoff))
                .limit(BATCH)
                .into_tuple()
                .all(&ctx.db)
                .await?;
            if ids.is_empty() {
                break;
            }
            let txn = begin_write(&ctx.db).await?;
            job_runs::Entity::delete_many()
                .filter(job_runs::Column::JobId.is_in(ids.clone()))
                .exec(&txn)
                .await?;
            pruned += job_outbox::Entity::delete_many()
                .filter(job_outbox::Column::Id.is_in(ids))
                .filter(job_outbox::Column::State.is_in([JobState::Done, JobState::Discarded]))
                .exec(&txn)
                .await?
                .rows_affected;
            txn.commit().await?;
        }
        if pruned > 0 {
            tracing::info!(pruned, hours, "finished jobs past the retention pruned");
        }
        Ok(())
    }
}
