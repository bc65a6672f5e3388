//! One claimed run of a job, and the writing of its outcome: the job's row moves on (done, back to
//! pending after a backoff, or dead) and the attempt is recorded in `job_runs`, in whichever
//! transaction the caller gives — the runner's own after the handler returned, or the handler's
//! last one ([`crate::context::JobContext::finish_in`]), so that a job's work and its outcome
//! commit together.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{JobRunOutcome, JobState, job_outbox, job_runs};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

/// A job this worker has claimed and is running.
#[derive(Debug)]
pub struct Attempt {
    /// `job_outbox.id`.
    pub job_id: Uuid,
    /// `Job::KIND`.
    pub kind: String,
    /// Which attempt this is (`job_outbox.attempts` after the claim).
    pub number: i32,
    /// The worker running it.
    pub worker: String,
    /// When it was claimed.
    pub started_at: DateTime<Utc>,
    /// Set once the handler recorded it as done in its own transaction.
    finished_by_handler: AtomicBool,
}

/// What became of an attempt, as written to the job's row and its run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The run's outcome.
    pub run: JobRunOutcome,
    /// The job's next state.
    pub state: JobState,
    /// The error, when it failed.
    pub error: Option<String>,
    /// When it is due again, when it goes back to pending.
    pub retry_at: Option<DateTime<Utc>>,
}

impl Outcome {
    /// Finished.
    pub fn done() -> Self {
        Self {
            run: JobRunOutcome::Succeeded,
            state: JobState::Done,
            error: None,
            retry_at: None,
        }
    }
}

impl Attempt {
    /// A claimed attempt.
    pub fn new(job: &job_outbox::Model, worker: String, started_at: DateTime<Utc>) -> Self {
        Self {
            job_id: job.id,
            kind: job.kind.clone(),
            number: job.attempts,
            worker,
            started_at,
            finished_by_handler: AtomicBool::new(false),
        }
    }

    /// Write `outcome` in `conn` (two statements: the job's row, the run's record).
    ///
    /// Only the holder of the claim moves the job's row: if our lease ran out and another worker
    /// took the job over, its run is the one that counts. The run is recorded either way (both
    /// runs happened). A run cut short by a crash records nothing; `job_outbox.attempts` still
    /// counts it and the relay hands the job out again.
    pub async fn record(
        &self,
        conn: &impl ConnectionTrait,
        outcome: Outcome,
        finished_at: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let mut update = job_outbox::Entity::update_many()
            .col_expr(job_outbox::Column::State, Expr::value(outcome.state))
            .col_expr(
                job_outbox::Column::LastError,
                Expr::value(outcome.error.clone()),
            )
            .col_expr(
                job_outbox::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                job_outbox::Column::DispatchedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        update = match (outcome.state, outcome.retry_at) {
            (JobState::Pending, Some(at)) => {
                update.col_expr(job_outbox::Column::AvailableAt, Expr::value(at))
            }
            _ => update.col_expr(
                job_outbox::Column::FinishedAt,
                Expr::value(Some(finished_at)),
            ),
        };
        update
            .filter(job_outbox::Column::Id.eq(self.job_id))
            .filter(job_outbox::Column::State.eq(JobState::Running))
            .filter(job_outbox::Column::Attempts.eq(self.number))
            .exec(conn)
            .await?;
        job_runs::Entity::insert(job_runs::ActiveModel {
            id: Set(Uuid::now_v7()),
            job_id: Set(self.job_id),
            kind: Set(self.kind.clone()),
            attempt: Set(self.number),
            worker: Set(self.worker.clone()),
            outcome: Set(outcome.run),
            error: Set(outcome.error),
            started_at: Set(self.started_at),
            finished_at: Set(Some(finished_at)),
        })
        .exec(conn)
        .await?;
        Ok(())
    }

    /// Record it as done in the handler's transaction `txn` (see
    /// [`crate::context::JobContext::finish_in`]).
    pub(crate) async fn finish_in(
        &self,
        txn: &impl ConnectionTrait,
        finished_at: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        self.record(txn, Outcome::done(), finished_at).await?;
        self.finished_by_handler.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether the handler recorded it as done (the runner then writes nothing more, once the
    /// handler returned `Ok`: the transaction holding that record has committed).
    pub fn finished_by_handler(&self) -> bool {
        self.finished_by_handler.load(Ordering::Acquire)
    }
}
