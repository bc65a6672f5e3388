//! Running the worker side in a process: the relay (on the caller's runtime) and the queue
//! consumers, one apalis worker per job kind.
//!
//! apalis's worker futures cannot be proven `Send` (they hold a `&WorkerContext` across awaits),
//! so the consumers run on a dedicated thread with a current-thread runtime; each delivered job is
//! handed back to the main runtime, where the database work happens, and the consumer waits for it
//! (so apalis's concurrency limit and acknowledgement still mean what they say).

use std::{sync::Arc, time::Duration};

use tokio::{runtime::Handle, sync::Notify};
use tokio_util::sync::CancellationToken;

use crate::{
    JobContext,
    config::QueueConfig,
    jobs,
    relay::Relay,
    runner::Runner,
    transport::{Handler, Transport},
};

/// What this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    /// Move outbox rows onto the queue.
    pub relay: bool,
    /// Consume and run jobs.
    pub workers: bool,
}

/// Run until `shutdown` is cancelled; in-flight jobs finish first.
pub async fn run(ctx: JobContext, wake: Arc<Notify>, roles: Roles, shutdown: CancellationToken) {
    let mut tasks = tokio::task::JoinSet::new();
    let consumers = crate::transport::PushWakers::default();
    if roles.relay {
        // The scheduler runs where the relay runs: one per relay process, and slot-keyed job ids
        // make several of them queue each slot once.
        if ctx.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            let pool = ctx.db.get_postgres_connection_pool().clone();
            let (wake, stop) = (wake.clone(), shutdown.clone());
            tasks.spawn(async move { crate::relay::wake_on_commit(pool, wake, stop).await });
        }
        let cron_ctx = ctx.clone();
        let cron_wake = wake.clone();
        let cron_stop = shutdown.clone();
        tasks.spawn(async move { crate::cron::run(cron_ctx, cron_wake, cron_stop).await });
        let ctx = ctx.clone();
        let stop = shutdown.clone();
        let consumers = consumers.clone();
        let wake = wake.clone();
        tasks.spawn(async move {
            let Some(transport) = connect(&ctx.config.queue, &stop).await else {
                return;
            };
            let relay = Relay::new(
                ctx.db.clone(),
                transport,
                ctx.config.queue.clone(),
                ctx.metrics.clone(),
                wake,
                ctx.clock.clone(),
                jobs::registry().kinds(),
            )
            .waking(consumers);
            relay.run(stop.cancelled_owned()).await;
        });
    }
    if roles.workers {
        let runner = Runner::new(jobs::registry(), ctx.clone()).waking(wake.clone());
        let main = Handle::current();
        let stop = shutdown.clone();
        let queue = ctx.config.queue.clone();
        let name = ctx.config.worker_name.clone();
        tracing::info!(worker = %name, kinds = ?runner.kinds(), "job workers starting");
        // A thread of its own rather than `spawn_blocking`: a runtime shutting down waits for
        // blocking tasks, and this one ends only when `shutdown` is cancelled.
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("grapevine-queue".into())
            .spawn(move || {
                consume(runner, main, (queue, consumers), name, stop);
                let _ = done_tx.send(());
            });
        match spawned {
            Ok(_) => {
                tasks.spawn(async move {
                    let _ = done_rx.await;
                });
            }
            Err(err) => tracing::error!(error = %err, "cannot start the queue consumer thread"),
        }
    }
    while tasks.join_next().await.is_some() {}
}

fn consume(
    runner: Runner,
    main: Handle,
    (queue, consumers): (QueueConfig, crate::transport::PushWakers),
    name: String,
    stop: CancellationToken,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            tracing::error!(error = %err, "cannot start the queue consumer runtime");
            return;
        }
    };
    // Each worker is its own task: joined in one future they would be polled whenever any of them
    // woke, and every spurious poll makes apalis fetch again (two idle SQLite workers then wake
    // each other in a tight loop).
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let Some(transport) = connect(&queue, &stop).await else { return };
        let workers = runner.kinds().into_iter().map(|kind| {
            let runner = runner.clone();
            let main = main.clone();
            let handler: Handler = Arc::new(move |envelope| {
                let runner = runner.clone();
                let job = main.spawn(async move { runner.deliver(envelope).await });
                Box::pin(async move {
                    match job.await {
                        Ok(_) => {}
                        // The process is shutting down; the job stays in the outbox for later.
                        Err(err) if err.is_cancelled() => tracing::debug!("job interrupted by shutdown; it will be redelivered"),
                        Err(err) => tracing::error!(error = %err, "job task panicked; the relay will redeliver it"),
                    }
                })
            });
            let transport = transport.clone();
            let stop = stop.clone();
            let name = name.clone();
            let consumers = consumers.clone();
            tokio::task::spawn_local(async move {
                loop {
                    let woken = consumers.subscribe(kind);
                    let result = transport.run_worker(&name, (kind, woken), handler.clone(), stop.clone().cancelled_owned()).await;
                    if stop.is_cancelled() {
                        break;
                    }
                    if let Err(err) = result {
                        tracing::warn!(kind, error = %format!("{err:#}"), "queue worker stopped; restarting in 1 s");
                    }
                    tokio::select! {
                        () = stop.clone().cancelled_owned() => break,
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            })
        });
        let workers: Vec<_> = workers.collect();
        for worker in workers {
            if let Err(err) = worker.await {
                tracing::error!(error = %err, "a queue worker task failed");
            }
        }
    });
}

/// Connect, retrying every second while the queue is down (the API keeps taking work into the
/// outbox meanwhile); `None` if shutdown came first.
async fn connect(queue: &QueueConfig, shutdown: &CancellationToken) -> Option<Transport> {
    loop {
        match Transport::connect(queue).await {
            Ok(t) => return Some(t),
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "queue unavailable; jobs wait in the outbox")
            }
        }
        tokio::select! {
            () = shutdown.clone().cancelled_owned() => return None,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}
