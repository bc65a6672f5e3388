//! Runs one delivered job: claim it in our table (one statement), call the handler, and write the
//! outcome (done, retry later with backoff, or dead) with the attempt's record in `job_runs`.
//! Every delivery goes through here, so a duplicate delivery, a crashed worker or a lost queue
//! message never runs a job twice at once and never loses one: the relay redelivers what was not
//! finished.

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc, time::Instant};

use chrono::{DateTime, Utc};
use grapevine_entity::ops::trace::{self, TraceParent};
use grapevine_entity::tables::{JobRunOutcome, JobState, job_outbox};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    attempt::{Attempt, Outcome},
    context::JobContext,
    outbox::{Job, JobError, wall_clock},
    transport::JobEnvelope,
};

type BoxedRun = Box<
    dyn Fn(
            serde_json::Value,
            JobContext,
        ) -> Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>
        + Send
        + Sync,
>;

/// The job kinds this process can run, by `Job::KIND`.
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, BoxedRun>,
}

impl Registry {
    /// Register job type `J`.
    pub fn register<J: Job>(mut self) -> Self {
        let run: BoxedRun = Box::new(|payload, ctx| {
            Box::pin(async move {
                let job: J = serde_json::from_value(payload).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("payload does not match {}: {e}", J::KIND))
                })?;
                job.run(&ctx).await
            })
        });
        self.handlers.insert(J::KIND, run);
        self
    }

    /// The registered kinds.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }
}

/// Claims and runs delivered jobs.
#[derive(Clone)]
pub struct Runner {
    registry: Arc<Registry>,
    ctx: JobContext,
    /// The relay of this process, woken after each job (see [`Runner::waking`]).
    relay: Option<Arc<tokio::sync::Notify>>,
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Someone else holds it, or it is already finished: nothing was done.
    Skipped,
    /// It ran and finished.
    Done,
    /// It failed and will be retried after a backoff.
    Retrying,
    /// It failed for good.
    Dead,
}

impl Runner {
    /// A runner for the registered kinds.
    pub fn new(registry: Registry, ctx: JobContext) -> Self {
        Self {
            registry: Arc::new(registry),
            ctx,
            relay: None,
        }
    }

    /// Wake `relay` whenever a job has finished: jobs a job enqueues (a launch's emails, a
    /// decision's notices) are then dispatched at once. On PostgreSQL the outbox's notify trigger
    /// does this for every process; on the embedded default, where API, relay and workers share
    /// one process, this and the API's own nudges are the only wake-ups besides the poll.
    #[must_use]
    pub fn waking(mut self, relay: Arc<tokio::sync::Notify>) -> Self {
        self.relay = Some(relay);
        self
    }

    /// The job context.
    pub fn context(&self) -> &JobContext {
        &self.ctx
    }

    /// The registered kinds.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.registry.kinds()
    }

    /// Handle one delivery; errors are logged and recorded, never propagated to the transport
    /// (an unfinished job stays in the outbox and the relay sends it again).
    #[tracing::instrument(
        name = "job",
        skip_all,
        fields(
            job_id = %envelope.id,
            kind = tracing::field::Empty,
            attempt = tracing::field::Empty,
            trace_id = tracing::field::Empty,
            span_id = tracing::field::Empty,
        )
    )]
    pub async fn deliver(&self, envelope: JobEnvelope) -> Delivery {
        match self.try_deliver(envelope.id).await {
            Ok(outcome) => outcome,
            Err(err) => {
                tracing::warn!(error = %err, "job delivery failed before it could be recorded; the relay will redeliver it");
                Delivery::Skipped
            }
        }
    }

    async fn try_deliver(&self, id: Uuid) -> Result<Delivery, DbErr> {
        let db = &self.ctx.db;
        // Queue bookkeeping runs on the wall clock (see `outbox::wall_clock`).
        let now = wall_clock();
        let Some(job) = self.claim(id, now).await? else {
            return Ok(Delivery::Skipped);
        };
        let kind = job.kind.clone();
        let attempt = Arc::new(Attempt::new(&job, self.ctx.config.worker_name.clone(), now));
        // The job continues the trace of whatever enqueued it (a new one when that is unknown).
        let trace = job
            .traceparent
            .as_deref()
            .and_then(TraceParent::parse)
            .map_or_else(TraceParent::root, |parent| parent.child());
        let span = tracing::Span::current();
        span.record("kind", kind.as_str());
        span.record("attempt", job.attempts);
        span.record("trace_id", trace.trace_hex().as_str());
        span.record("span_id", trace.span_hex().as_str());
        let started = Instant::now();
        let result = match self.registry.handlers.get(kind.as_str()) {
            Some(run) => {
                let ctx = JobContext {
                    attempt: Some(attempt.clone()),
                    ..self.ctx.clone()
                };
                let work = run(job.payload.clone(), ctx);
                trace::scope(trace, self.renewing_lease(id, job.attempts, work)).await
            }
            None => Err(JobError::Permanent(anyhow::anyhow!(
                "no handler for job kind {kind:?}"
            ))),
        };
        let elapsed = started.elapsed();
        self.ctx
            .metrics
            .duration
            .with_label_values(&[kind.as_str()])
            .observe(elapsed.as_secs_f64());
        let finished = wall_clock();
        let outcome = match &result {
            Ok(()) => Outcome::done(),
            Err(JobError::Permanent(e)) => Outcome {
                run: JobRunOutcome::Aborted,
                state: JobState::Dead,
                error: Some(format!("{e:#}")),
                retry_at: None,
            },
            Err(JobError::Transient(e)) if job.attempts >= job.max_attempts => Outcome {
                run: JobRunOutcome::Failed,
                state: JobState::Dead,
                error: Some(format!("{e:#}")),
                retry_at: None,
            },
            Err(JobError::Transient(e)) => {
                let delay = chrono::Duration::from_std(self.ctx.config.queue.backoff(job.attempts))
                    .unwrap_or_else(|_| chrono::Duration::seconds(1));
                Outcome {
                    run: JobRunOutcome::Failed,
                    state: JobState::Pending,
                    error: Some(format!("{e:#}")),
                    retry_at: Some(finished + delay),
                }
            }
        };
        self.ctx
            .metrics
            .runs
            .with_label_values(&[kind.as_str(), outcome.run.as_str()])
            .inc();
        let state = outcome.state;
        match &outcome.error {
            Some(e) if state == JobState::Dead => {
                tracing::error!(kind, attempt = job.attempts, error = %e, "job is dead")
            }
            Some(e) => {
                tracing::warn!(kind, attempt = job.attempts, error = %e, "job failed; will retry")
            }
            None => tracing::debug!(kind, attempt = job.attempts, ?elapsed, "job done"),
        }
        // A handler that recorded its success in its own transaction has committed it already.
        if !(result.is_ok() && attempt.finished_by_handler()) {
            let txn = grapevine_entity::db::begin_write(db).await?;
            attempt.record(&txn, outcome, finished).await?;
            txn.commit().await?;
        }
        if let Some(relay) = &self.relay {
            relay.notify_one();
        }
        Ok(match state {
            JobState::Done => Delivery::Done,
            JobState::Dead => Delivery::Dead,
            _ => Delivery::Retrying,
        })
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.ctx.config.queue.lease_secs).unwrap_or(60))
    }

    /// Runs `job`, extending our lease on it every third of the lease while it runs, so a long
    /// job is not taken over by another worker while this one is alive. A renewal that fails is
    /// logged; the job goes on (at worst, as before renewals, the lease runs out).
    ///
    /// The renewals run beside the job, never in its place: on SQLite a job holding the write
    /// lock across an await would otherwise stop being polled while its own renewal waited for
    /// that lock (a long import stalled that way, one batch per busy timeout).
    async fn renewing_lease<F>(&self, id: Uuid, attempt: i32, job: F) -> Result<(), JobError>
    where
        F: Future<Output = Result<(), JobError>>,
    {
        let every = (self.lease() / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(1))
            .max(std::time::Duration::from_millis(100));
        let renewals = async {
            let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                renew.tick().await;
                let renewed = job_outbox::Entity::update_many()
                    .col_expr(
                        job_outbox::Column::LeaseUntil,
                        Expr::value(Some(wall_clock() + self.lease())),
                    )
                    .filter(job_outbox::Column::Id.eq(id))
                    .filter(job_outbox::Column::State.eq(JobState::Running))
                    .filter(job_outbox::Column::Attempts.eq(attempt))
                    .exec(&self.ctx.db)
                    .await;
                if let Err(err) = renewed {
                    tracing::warn!(error = %err, job_id = %id, "could not renew the job's lease");
                }
            }
        };
        tokio::pin!(job, renewals);
        tokio::select! {
            result = &mut job => result,
            () = &mut renewals => Ok(()),
        }
    }

    /// Take the job if it is waiting for a worker (or its previous holder's lease has run out)
    /// and count the attempt: one statement, which also reads the job back.
    async fn claim(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<job_outbox::Model>, DbErr> {
        let claimed = job_outbox::Entity::update_many()
            .col_expr(job_outbox::Column::State, Expr::value(JobState::Running))
            .col_expr(
                job_outbox::Column::Attempts,
                Expr::col(job_outbox::Column::Attempts).add(1),
            )
            .col_expr(
                job_outbox::Column::LeaseUntil,
                Expr::value(Some(now + self.lease())),
            )
            .filter(job_outbox::Column::Id.eq(id))
            .filter(
                job_outbox::Column::State
                    .eq(JobState::Dispatched)
                    .or(job_outbox::Column::State
                        .eq(JobState::Running)
                        .and(job_outbox::Column::LeaseUntil.lt(now))),
            )
            .exec_with_returning(&self.ctx.db)
            .await?;
        Ok(claimed.into_iter().next())
    }
}
