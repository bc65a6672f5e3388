//! Scheduled work: every `queue.cron_interval_ms` the scheduler puts each periodic job (releasing
//! rewards, payout runs; the rollups every `analytics.rollup_interval_secs`; pruning the outbox once an hour) into the outbox under an id derived from the wall-clock slot, so several worker processes scheduling the
//! same slot queue it once.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use crate::{
    context::JobContext,
    jobs::{DigestRun, PayoutRun, PruneOutbox, RefreshRollups, ReleaseRewards, digest::iso_week},
    outbox::{JobKind, enqueue_once},
};

/// The kinds the scheduler queues by itself on a timer. One of them may be under way at any
/// moment, so "no work is left" means no job of any other kind is waiting or running.
pub const SCHEDULED_KINDS: [&str; 5] = [
    ReleaseRewards::KIND,
    PayoutRun::KIND,
    RefreshRollups::KIND,
    DigestRun::KIND,
    PruneOutbox::KIND,
];

/// Run the scheduler until `shutdown`.
pub async fn run(
    ctx: JobContext,
    wake: std::sync::Arc<tokio::sync::Notify>,
    shutdown: CancellationToken,
) {
    let interval = Duration::from_millis(ctx.config.queue.cron_interval_ms.max(50));
    loop {
        if let Err(err) = tick(&ctx, interval).await {
            tracing::warn!(error = %err, "scheduler could not queue periodic jobs; retrying next tick");
        } else {
            wake.notify_one();
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

async fn tick(ctx: &JobContext, interval: Duration) -> Result<(), sea_orm::DbErr> {
    let slot = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        / interval.as_millis().max(1);
    let key = slot.to_string();
    let now = ctx.clock.now();
    enqueue_once(&ctx.db, None, &key, &ReleaseRewards::default(), now).await?;
    enqueue_once(&ctx.db, None, &key, &PayoutRun::default(), now).await?;
    let every = ctx.config.analytics.rollup_interval_secs.max(1);
    let rollup_slot = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / every;
    enqueue_once(
        &ctx.db,
        None,
        &format!("r{rollup_slot}"),
        &RefreshRollups::default(),
        now,
    )
    .await?;
    if ctx.config.analytics.weekly_digest {
        // Looked at with the rollups; each campaign's digest is keyed by its ISO week, so it goes
        // out once a week, at the first look after the week starts (or after the launch).
        let run = DigestRun {
            week: iso_week(chrono::Utc::now()),
        };
        enqueue_once(&ctx.db, None, &format!("r{rollup_slot}"), &run, now).await?;
    }
    // Pruning once an hour is plenty.
    let hour = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 3_600;
    enqueue_once(
        &ctx.db,
        None,
        &format!("h{hour}"),
        &PruneOutbox::default(),
        now,
    )
    .await?;
    Ok(())
}
