//! `rollup.refresh` (scheduled every `analytics.rollup_interval_secs`): take the events that
//! changed since the last pass into the rollups (see [`crate::rollups`]), then let campaigns that
//! opted in stop a clearly worse variant (see [`crate::experiments`]).

use chrono::Duration;

use crate::{
    context::JobContext,
    outbox::{Job, JobError},
    rollups,
};

use grapevine_entity::ops::jobs::RefreshRollups;

impl Job for RefreshRollups {
    #[tracing::instrument(name = "job.rollup.refresh", skip_all)]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let overlap = Duration::seconds(
            i64::try_from(ctx.config.analytics.rollup_overlap_secs).unwrap_or(120),
        );
        let done = rollups::refresh(&ctx.db, overlap, ctx.clock.now()).await?;
        if done.buckets > 0 {
            tracing::debug!(
                buckets = done.buckets,
                rows = done.rows,
                "rollups refreshed"
            );
        }
        // Campaigns that opted in stop a clearly worse variant on the fresh counts.
        crate::experiments::check(&ctx.db, &done.campaigns, ctx.clock.now()).await?;
        Ok(())
    }
}
