//! Ops in GraphQL: the queue at a glance (`queueOverview`, and the same pushed live over
//! graphql-ws by the `queueHealth` subscription) and giving up a dead job (`discardJob`).
//! `queueHealth`, `deadJobs` and `retryJob` are in the core query and mutation roots.

use std::time::Duration;

use async_graphql::{Context, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures::Stream;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{
    ContextExt,
    types::admin::{Job, QueueOverview},
};
use crate::{auth::Role, error::ApiError};
use grapevine_entity::ops::{
    self,
    queue_health::{self, KindHealth, OutboxLag},
};

/// Who watches and tends the queue.
const OPS: &[Role] = &[Role::Ops];

/// What one look at the queue saw (compared, to push only changes).
type Look = (Vec<KindHealth>, OutboxLag);

async fn look(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Look, ApiError> {
    let kinds = queue_health::snapshot(db, tenant_id, now).await?;
    let lag = queue_health::outbox_lag(db, Some(tenant_id), now).await?;
    Ok((kinds, lag))
}

/// Ops' queries.
#[derive(Default)]
pub struct OpsQuery;

#[Object]
impl OpsQuery {
    /// The tenant's queue at a glance (ops): `queueHealth`'s kinds plus the outbox backlog and
    /// the relay's lag. The `queueHealth` subscription pushes the same object when it changes.
    async fn queue_overview(&self, ctx: &Context<'_>) -> Result<QueueOverview> {
        let actor = ctx.principal().staff(OPS)?;
        let now = grapevine_entity::ops::outbox::wall_clock();
        let (kinds, lag) = look(&ctx.state().db, actor.tenant_id, now).await?;
        Ok(QueueOverview::new(now, kinds, lag))
    }
}

/// Ops' mutations.
#[derive(Default)]
pub struct OpsMutation;

#[Object]
impl OpsMutation {
    /// Give up a dead job (ops): it stays on record as DISCARDED with the reason (also in the
    /// audit log) and never runs again; finished-job retention removes it later. Only a dead
    /// job of the caller's tenant: anything else is NOT_FOUND (not ours) or CONFLICT (not dead).
    async fn discard_job(&self, ctx: &Context<'_>, id: Uuid, reason: String) -> Result<Job> {
        use ops::queue_health::{DeadJobAction, act_on_dead_job};
        let p = ctx.principal();
        let actor = p.staff(OPS)?;
        let s = ctx.state();
        let job = act_on_dead_job(
            &s.db,
            p,
            actor.tenant_id,
            id,
            DeadJobAction::Discard(&reason),
            s.clock.now(),
        )
        .await?;
        Ok(job.into())
    }
}

/// Live views, over graphql-ws at `GET /graphql` (protocols `graphql-transport-ws` and
/// `graphql-ws`; send the token in `connection_init`'s payload as `{"authorization": "Bearer …"}`).
#[derive(Default)]
pub struct OpsSubscription;

#[Subscription]
impl OpsSubscription {
    /// The tenant's queue (ops): the overview now, then again every time it changes, looked at
    /// every `intervalSeconds` (1 to 60).
    async fn queue_health(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 2)] interval_seconds: i32,
    ) -> Result<impl Stream<Item = Result<QueueOverview>> + use<>> {
        let actor = ctx.principal().staff(OPS)?;
        if !(1..=60).contains(&interval_seconds) {
            return Err(ApiError::invalid("intervalSeconds", "must be 1 to 60").into());
        }
        let every = Duration::from_secs(u64::try_from(interval_seconds).unwrap_or(2));
        let db = ctx.state().db.clone();
        let tenant = actor.tenant_id;
        Ok(futures::stream::unfold(
            (db, None::<Look>, false),
            move |(db, last, wait)| async move {
                let mut wait = wait;
                loop {
                    if wait {
                        tokio::time::sleep(every).await;
                    }
                    wait = true;
                    let now = grapevine_entity::ops::outbox::wall_clock();
                    match look(&db, tenant, now).await {
                        Ok(seen) if last.as_ref() == Some(&seen) => {}
                        Ok(seen) => {
                            let overview = QueueOverview::new(now, seen.0.clone(), seen.1);
                            return Some((Ok(overview), (db, Some(seen), true)));
                        }
                        Err(e) => return Some((Err(e.into()), (db, last, true))),
                    }
                }
            },
        ))
    }
}
