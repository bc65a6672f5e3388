//! `rewards.release` (scheduled): rewards whose hold period has ended become `released`; each
//! coupon, credit or gift card is then fulfilled on its own, and cash waits for the payout run.

use chrono::{DateTime, Utc};
use grapevine_entity::{
    db::begin_write,
    tables::{RewardStatus, rewards},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};

use crate::{
    context::JobContext,
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::ReleaseRewards;

/// Rewards released per transaction.
const BATCH: u64 = 500;

impl Job for ReleaseRewards {
    #[tracing::instrument(name = "job.rewards.release", skip_all)]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let now = ctx.clock.now();
        let mut released = 0_usize;
        loop {
            let n = release_batch(ctx, now).await?;
            released += n;
            if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
        if released > 0 {
            tracing::info!(released, "held rewards released");
        }
        Ok(())
    }
}

async fn release_batch(ctx: &JobContext, now: DateTime<Utc>) -> Result<usize, JobError> {
    let due = rewards::Entity::find()
        .filter(rewards::Column::Status.eq(RewardStatus::Held))
        .filter(rewards::Column::ReleaseAt.lte(now))
        .order_by_asc(rewards::Column::ReleaseAt)
        .limit(BATCH)
        .all(&ctx.db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(&ctx.db).await?;
    let mut released = 0;
    for reward in &due {
        // Compare-and-set: a concurrent run (or a reversal) may have moved it already.
        let moved = rewards::Entity::update_many()
            .col_expr(
                rewards::Column::Status,
                Expr::value(RewardStatus::Released.as_str()),
            )
            .col_expr(rewards::Column::ReleasedAt, Expr::value(now))
            .col_expr(rewards::Column::UpdatedAt, Expr::value(now))
            .filter(rewards::Column::Id.eq(reward.id))
            .filter(rewards::Column::Status.eq(RewardStatus::Held))
            .exec(&txn)
            .await?
            .rows_affected;
        if moved == 1 {
            released += 1;
            crate::jobs::after_release(&txn, reward, now).await?;
        }
    }
    txn.commit().await?;
    Ok(released)
}
