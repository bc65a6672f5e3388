//! `webhook.deliver`: one POST of a stored delivery to its endpoint. A 2xx answer delivers it;
//! anything else (another status, a timeout, a refused or blocked target) is recorded as an
//! attempt and handed back to the job pipeline as a transient failure, which retries it with its
//! exponential backoff until `webhooks.max_attempts`, when the delivery is dead.
//!
//! At least once: a worker killed after the receiver answered and before the outcome was written
//! sends the delivery again. Receivers dedupe on the event id (`Grapevine-Event-Id`).

use std::time::{Duration, Instant};

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use grapevine_entity::{
    db::begin_write,
    tables::{
        job_outbox, webhook_attempts, webhook_deliveries, webhook_deliveries::DeliveryState,
        webhook_endpoints,
    },
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::{secret_aad, signing, target};
use crate::{
    context::JobContext,
    outbox::{Job, JobError, JobKind, once_id, wall_clock},
};

use grapevine_entity::ops::jobs::DeliverWebhook;

/// Most of a response body kept per attempt, in bytes.
pub const RESPONSE_BODY_LIMIT: usize = 1_024;

impl Job for DeliverWebhook {
    #[tracing::instrument(name = "job.webhook.deliver", skip_all, fields(delivery_id = %self.delivery_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let db = &ctx.db;
        let Some(delivery) = webhook_deliveries::Entity::find_by_id(self.delivery_id)
            .one(db)
            .await?
        else {
            // Its endpoint was deleted, and the delivery with it.
            return Ok(());
        };
        if delivery.sequence != self.sequence || !delivery.state.in_flight() {
            return Ok(());
        }
        let Some(endpoint) = webhook_endpoints::Entity::find_by_id(delivery.endpoint_id)
            .one(db)
            .await?
        else {
            return Ok(());
        };
        let last =
            attempt(&self, db).await? >= ctx.config.webhooks.max_attempts.min(Self::MAX_ATTEMPTS);
        let outcome = if endpoint.enabled {
            post(ctx, &endpoint, &delivery).await
        } else {
            Outcome::refused("the endpoint is disabled")
        };
        let state = if outcome.delivered() {
            DeliveryState::Delivered
        } else if last || !endpoint.enabled {
            DeliveryState::Dead
        } else {
            DeliveryState::Retrying
        };
        record(db, &delivery, &outcome, state).await?;
        match state {
            DeliveryState::Delivered => Ok(()),
            DeliveryState::Dead => Err(JobError::Permanent(anyhow!(
                "webhook delivery dead: {}",
                outcome.summary()
            ))),
            _ => Err(JobError::Transient(anyhow!(
                "webhook attempt failed: {}",
                outcome.summary()
            ))),
        }
    }
}

/// This run's attempt number, as the job pipeline counts it (crashed attempts included).
async fn attempt(job: &DeliverWebhook, conn: &impl ConnectionTrait) -> Result<i32, DbErr> {
    Ok(
        job_outbox::Entity::find_by_id(once_id::<DeliverWebhook>(&job.key()))
            .one(conn)
            .await?
            .map_or(1, |job| job.attempts),
    )
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long it took.
    pub duration_ms: i64,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Why there is no answer.
    pub error: Option<String>,
    /// The start of the answer.
    pub body: Option<String>,
}

impl Outcome {
    fn refused(reason: &str) -> Self {
        Self {
            started_at: wall_clock(),
            duration_ms: 0,
            status: None,
            error: Some(reason.to_owned()),
            body: None,
        }
    }

    /// Any 2xx answer delivers.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    fn summary(&self) -> String {
        match (&self.status, &self.error) {
            (Some(status), _) => format!("HTTP {status}"),
            (None, Some(error)) => error.clone(),
            (None, None) => "no answer".into(),
        }
    }
}

/// Sign and POST the delivery's body; never fails, the failure is the outcome.
async fn post(
    ctx: &JobContext,
    endpoint: &webhook_endpoints::Model,
    delivery: &webhook_deliveries::Model,
) -> Outcome {
    let started_at = wall_clock();
    let clock = Instant::now();
    let answer = send(ctx, endpoint, delivery).await;
    let duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
    match answer {
        Ok((status, body)) => Outcome {
            started_at,
            duration_ms,
            status: Some(status),
            error: None,
            body: Some(body),
        },
        Err(error) => Outcome {
            started_at,
            duration_ms,
            status: None,
            error: Some(error),
            body: None,
        },
    }
}

async fn send(
    ctx: &JobContext,
    endpoint: &webhook_endpoints::Model,
    delivery: &webhook_deliveries::Model,
) -> Result<(u16, String), String> {
    let config = &ctx.config.webhooks;
    let secret = ctx
        .secrets
        .open(
            &endpoint.secret_ciphertext,
            &secret_aad(endpoint.tenant_id, endpoint.id),
        )
        .map_err(|e| e.to_string())?;
    let url = target::check_url(&endpoint.url, config.policy())?;
    let timeout = Duration::from_secs(config.timeout_secs.max(1));
    let addr = tokio::time::timeout(timeout, target::resolve(&url, config.policy()))
        .await
        .map_err(|_| "timed out resolving the host".to_owned())??;
    let mut client = reqwest::Client::builder()
        // A proxy from the environment would resolve and connect on its own, past the check.
        .no_proxy()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Grapevine-Webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(host) = url.host_str() {
        // Connect to the address that was checked, not to a second answer of the resolver.
        client = client.resolve(host, addr);
    }
    let client = client.build().map_err(|e| e.to_string())?;
    let timestamp = wall_clock().timestamp();
    let signature = signing::header(secret.expose_secret(), timestamp, &delivery.body);
    let mut response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Grapevine-Signature", signature)
        .header("Grapevine-Event-Id", delivery.event_id.to_string())
        .header("Grapevine-Event-Type", delivery.event_type.as_str())
        .header("Grapevine-Delivery-Id", delivery.id.to_string())
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while body.len() < RESPONSE_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            // A body cut short does not change what the status said.
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(RESPONSE_BODY_LIMIT);
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// A network error in a few words, without the URL (the tenant knows it).
fn describe(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {cause}")
    }
}

/// Write the attempt and the delivery's new state in one transaction.
async fn record(
    db: &sea_orm::DatabaseConnection,
    delivery: &webhook_deliveries::Model,
    outcome: &Outcome,
    state: DeliveryState,
) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    let attempts: i32 = webhook_deliveries::Entity::find_by_id(delivery.id)
        .one(&txn)
        .await?
        .map_or(delivery.attempts, |d| d.attempts)
        + 1;
    let now = wall_clock();
    webhook_attempts::Entity::insert(webhook_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(delivery.tenant_id),
        delivery_id: Set(delivery.id),
        sequence: Set(delivery.sequence),
        attempt: Set(attempts),
        started_at: Set(outcome.started_at),
        duration_ms: Set(outcome.duration_ms),
        status_code: Set(outcome.status.map(i32::from)),
        error: Set(outcome.error.clone()),
        response_body: Set(outcome.body.clone()),
    })
    .exec_without_returning(&txn)
    .await?;
    let mut update = webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::State, Expr::value(state))
        .col_expr(webhook_deliveries::Column::Attempts, Expr::value(attempts))
        .col_expr(
            webhook_deliveries::Column::LastStatus,
            Expr::value(outcome.status.map(i32::from)),
        )
        .col_expr(
            webhook_deliveries::Column::LastError,
            Expr::value(outcome.error.clone()),
        )
        .col_expr(webhook_deliveries::Column::UpdatedAt, Expr::value(now));
    if state == DeliveryState::Delivered {
        update = update.col_expr(
            webhook_deliveries::Column::DeliveredAt,
            Expr::value(Some(now)),
        );
    }
    update
        .filter(webhook_deliveries::Column::Id.eq(delivery.id))
        .filter(webhook_deliveries::Column::Sequence.eq(delivery.sequence))
        .exec(&txn)
        .await?;
    txn.commit().await
}
