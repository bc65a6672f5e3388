//! The relay moves due outbox rows onto the queue. It marks a batch as `dispatched` with a fresh
//! token (one atomic UPDATE, so two relays never take the same rows), pushes their ids, and puts
//! the rows back to `pending` if the transport refused them. Rows dispatched long ago and never
//! claimed (a queue that lost them: Redis keeps nothing on disk) and rows whose worker's lease ran
//! out (a killed worker) are dispatched again. When the queue server itself restarted (Redis keeps
//! nothing on disk here, so everything queued is gone), rows dispatched and not yet claimed are
//! put back at once rather than after `redeliver_after_secs`.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{JobState, job_outbox};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{
    config::QueueConfig,
    metrics::JobMetrics,
    transport::{JobEnvelope, Transport},
};

/// Moves outbox rows to the transport.
pub struct Relay {
    db: DatabaseConnection,
    transport: Transport,
    config: QueueConfig,
    metrics: JobMetrics,
    wake: Arc<Notify>,
    clock: grapevine_entity::domain::clock::SharedClock,
    kinds: Vec<&'static str>,
    /// The queue server's last seen epoch, and when it was checked.
    epoch: std::sync::Mutex<(Option<String>, Option<std::time::Instant>)>,
    /// This process's consumers, woken right after a push.
    consumers: crate::transport::PushWakers,
    /// Set by a pass whose pushes the queue refused (see [`REFUSED_BACKOFF`]).
    refused: std::sync::atomic::AtomicBool,
}

/// How often the relay asks the queue server whether it restarted.
const EPOCH_CHECK: Duration = Duration::from_secs(1);

/// How long the relay rests after the queue refused a push (the server is down or full), whatever
/// wakes it meanwhile: the refused rows wait in the outbox as `pending`, where the relay's lag
/// counts them, instead of being taken and put back in a tight loop.
const REFUSED_BACKOFF: Duration = Duration::from_secs(1);

impl Relay {
    /// A relay; `wake` lets an in-process API nudge it right after a commit.
    pub fn new(
        db: DatabaseConnection,
        transport: Transport,
        config: QueueConfig,
        metrics: JobMetrics,
        wake: Arc<Notify>,
        clock: grapevine_entity::domain::clock::SharedClock,
        kinds: Vec<&'static str>,
    ) -> Self {
        Self {
            db,
            transport,
            config,
            metrics,
            wake,
            clock,
            kinds,
            epoch: std::sync::Mutex::new((None, None)),
            consumers: crate::transport::PushWakers::default(),
            refused: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Wake these consumers (this process's) right after pushing jobs of their kind.
    #[must_use]
    pub fn waking(mut self, consumers: crate::transport::PushWakers) -> Self {
        self.consumers = consumers;
        self
    }

    /// If the queue server restarted since the last look, every row dispatched and not claimed
    /// lost its message: make it due again now. Returns how many rows were put back.
    async fn recover_lost_dispatches(&self) -> Result<u64, DbErr> {
        let due = {
            let guard = self
                .epoch
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            guard.1.is_none_or(|at| at.elapsed() >= EPOCH_CHECK)
        };
        if !due {
            return Ok(0);
        }
        let Ok(now_epoch) = self.transport.epoch().await else {
            return Ok(0);
        };
        let restarted = {
            let mut guard = self
                .epoch
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let restarted = matches!((&guard.0, &now_epoch), (Some(old), Some(new)) if old != new);
            *guard = (now_epoch, Some(std::time::Instant::now()));
            restarted
        };
        if !restarted {
            return Ok(0);
        }
        let put_back = job_outbox::Entity::update_many()
            .col_expr(job_outbox::Column::State, Expr::value(JobState::Pending))
            .col_expr(
                job_outbox::Column::DispatchedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(job_outbox::Column::State.eq(JobState::Dispatched))
            .filter(job_outbox::Column::Kind.is_in(self.kinds.clone()))
            .exec(&self.db)
            .await?
            .rows_affected;
        tracing::warn!(
            put_back,
            "the queue server restarted and lost what it held: dispatching those jobs again"
        );
        Ok(put_back)
    }

    /// Relay until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let idle = Duration::from_millis(self.config.relay_interval_ms);
        loop {
            let moved = match self.pass().await {
                Ok(n) => n,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay pass failed; retrying");
                    0
                }
            };
            if self
                .refused
                .swap(false, std::sync::atomic::Ordering::Relaxed)
            {
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(REFUSED_BACKOFF.max(idle)) => {}
                }
                continue;
            }
            // A full batch means more is waiting: go again at once.
            if moved as u64 >= self.config.relay_batch {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(idle) => {}
            }
        }
    }

    /// One pass: dispatch what is due; returns how many rows were handed to the transport.
    pub async fn pass(&self) -> Result<usize, DbErr> {
        self.recover_lost_dispatches().await?;
        let now = crate::outbox::wall_clock();
        let due_at = crate::outbox::due_time(self.clock.now());
        let token = Uuid::now_v7();
        // Only kinds this build runs: a newer kind waits in the outbox for a build that knows it.
        let due = Condition::all()
            .add(due_condition(due_at, now, &self.config))
            .add(job_outbox::Column::Kind.is_in(self.kinds.clone()));
        let ids: Vec<Uuid> = job_outbox::Entity::find()
            .select_only()
            .column(job_outbox::Column::Id)
            .filter(due.clone())
            .order_by_asc(job_outbox::Column::AvailableAt)
            .limit(self.config.relay_batch)
            .into_tuple()
            .all(&self.db)
            .await?;
        if ids.is_empty() {
            return Ok(0);
        }
        // The due condition is checked again row by row inside the UPDATE, so a row another
        // relay took in the meantime is left alone.
        job_outbox::Entity::update_many()
            .col_expr(job_outbox::Column::State, Expr::value(JobState::Dispatched))
            .col_expr(job_outbox::Column::DispatchedAt, Expr::value(Some(now)))
            .col_expr(job_outbox::Column::DispatchToken, Expr::value(Some(token)))
            .filter(job_outbox::Column::Id.is_in(ids))
            .filter(due)
            .exec(&self.db)
            .await?;
        let mine: Vec<(Uuid, String)> = job_outbox::Entity::find()
            .select_only()
            .column(job_outbox::Column::Id)
            .column(job_outbox::Column::Kind)
            .filter(job_outbox::Column::DispatchToken.eq(token))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut failed = Vec::new();
        let mut pushed: Vec<&str> = Vec::new();
        for (id, kind) in &mine {
            match self.transport.push(kind, JobEnvelope { id: *id }).await {
                Ok(()) => {
                    self.metrics
                        .dispatched
                        .with_label_values(&[kind.as_str()])
                        .inc();
                    if !pushed.contains(&kind.as_str()) {
                        // Wake the consumers at once: the first job need not wait for the rest.
                        self.consumers.wake(kind);
                        pushed.push(kind);
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, %kind, "queue refused a job; it stays in the outbox");
                    failed.push(*id);
                }
            }
        }
        if !failed.is_empty() {
            self.refused
                .store(true, std::sync::atomic::Ordering::Relaxed);
            let n = failed.len();
            job_outbox::Entity::update_many()
                .col_expr(job_outbox::Column::State, Expr::value(JobState::Pending))
                .col_expr(
                    job_outbox::Column::DispatchedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(job_outbox::Column::Id.is_in(failed))
                .filter(job_outbox::Column::State.eq(JobState::Dispatched))
                .filter(job_outbox::Column::DispatchToken.eq(token))
                .exec(&self.db)
                .await?;
            return Ok(mine.len() - n);
        }
        Ok(mine.len())
    }
}

/// Due rows: pending ones whose `available_at` has come (`due_at`, see [`crate::outbox::due_time`]),
/// and, by the wall clock `now`, dispatched ones never claimed and running ones whose lease ran out.
fn due_condition(due_at: DateTime<Utc>, now: DateTime<Utc>, config: &QueueConfig) -> Condition {
    let redeliver =
        chrono::Duration::seconds(i64::try_from(config.redeliver_after_secs).unwrap_or(60));
    Condition::any()
        .add(
            Condition::all()
                .add(job_outbox::Column::State.eq(JobState::Pending))
                .add(job_outbox::Column::AvailableAt.lte(due_at)),
        )
        .add(
            Condition::all()
                .add(job_outbox::Column::State.eq(JobState::Dispatched))
                .add(job_outbox::Column::DispatchedAt.lt(now - redeliver)),
        )
        .add(
            Condition::all()
                .add(job_outbox::Column::State.eq(JobState::Running))
                .add(job_outbox::Column::LeaseUntil.lt(now)),
        )
}

/// The PostgreSQL channel an outbox insert notifies on commit (migration 000019).
pub const OUTBOX_CHANNEL: &str = "grapevine_outbox";

/// PostgreSQL: wake the relay whenever an outbox row is committed, by this process or another (the
/// API's `trackConversion` in `grapevine serve`, say), so the job is dispatched at once rather than
/// at the relay's next poll. A lost listening connection is reopened a second later; the relay
/// polls every `relay_interval_ms` meanwhile, so nothing waits for longer than that.
pub async fn wake_on_commit(
    pool: sea_orm::sqlx::PgPool,
    wake: Arc<Notify>,
    stop: tokio_util::sync::CancellationToken,
) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let listen = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(OUTBOX_CHANNEL).await?;
            loop {
                listener.recv().await?;
                wake.notify_one();
            }
        };
        tokio::select! {
            () = stop.cancelled() => return,
            failed = listen => {
                let Err(err): Result<std::convert::Infallible, sea_orm::sqlx::Error> = failed;
                tracing::warn!(error = %err, "listening for outbox inserts failed; polling meanwhile");
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}
