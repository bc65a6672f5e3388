//! Scheduled work: every `queue.cron_interval_ms` the scheduler puts each periodic job (releasing
//! rewards, payout runs; pruning the outbox once an hour) into the outbox under an id derived from the wall-clock slot, so several worker processes scheduling the
//! same slot queue it once.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use crate::{
    context::JobContext,
    jobs::{PayoutRun, PruneOutbox, ReleaseRewards},
    outbox::enqueue_once,
};

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
