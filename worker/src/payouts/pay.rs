//! `payout.pay`: one attempt at paying a payout. The attempt is recorded before the provider is
//! called; the provider is first asked whether an earlier attempt already went through (our
//! payout id is its reference), so a crash between the provider's "yes" and our commit never pays
//! twice. A failure schedules the next attempt with backoff, until the payout is dead.

use std::collections::HashMap;

use anyhow::anyhow;
use chrono::{DateTime, Duration, Utc};
use grapevine_entity::{
    db::begin_write,
    tables::{
        AttemptOutcome, EmailKind, PayoutProvider, PayoutStatus, RewardStatus, participants,
        payout_attempts, payouts, rewards, tenants,
    },
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, IntoActiveModel,
    QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use super::providers::{CashProvider, CashRequest, DryRun, ProviderError, Stripe};
use crate::{
    context::JobContext,
    email::notices::{self, NoticeInput, format_money},
    hooks,
    outbox::{Job, JobError, enqueue_at},
};

use grapevine_entity::ops::jobs::PayPayout;

impl Job for PayPayout {
    #[tracing::instrument(name = "job.payout.pay", skip_all, fields(payout_id = %self.payout_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let now = ctx.clock.now();
        let Some((payout, participant)) = claim(ctx, self.payout_id, now).await? else {
            return Ok(());
        };
        let request = CashRequest {
            payout_id: payout.id,
            amount_minor: payout.amount_minor,
            currency: &payout.currency,
            destination: participant.payout_account_id.as_deref(),
        };
        let outcome = match payout.provider {
            PayoutProvider::DryRun => attempt(&DryRun, &request).await,
            PayoutProvider::Stripe => match stripe_connect(ctx, payout.tenant_id).await {
                Ok(provider) => attempt(&provider, &request).await,
                Err(err) => Err(err),
            },
        };
        finish(ctx, payout, &participant, outcome, now).await
    }
}

/// Look first, then pay.
async fn attempt(
    provider: &impl CashProvider,
    request: &CashRequest<'_>,
) -> Result<String, ProviderError> {
    if let Some(reference) = provider.find(request).await? {
        tracing::info!(reference, "an earlier attempt had paid; not paying again");
        return Ok(reference);
    }
    provider.pay(request).await
}

/// The tenant's Stripe for Connect calls (transfers).
pub async fn stripe_connect(ctx: &JobContext, tenant_id: Uuid) -> Result<Stripe, ProviderError> {
    let key = stripe_key(ctx, tenant_id).await?;
    Stripe::new(&ctx.config.providers.stripe_connect_api_base, &key)
}

async fn stripe_key(
    ctx: &JobContext,
    tenant_id: Uuid,
) -> Result<secrecy::SecretString, ProviderError> {
    crate::secrets::get(&ctx.db, &ctx.secrets, tenant_id, "stripe_secret_key")
        .await
        .map_err(|e| ProviderError::Transient(format!("reading the Stripe key: {e:#}")))?
        .ok_or_else(|| {
            ProviderError::Permanent("the tenant has no stripe_secret_key secret".into())
        })
}

/// The tenant's Stripe.
pub async fn stripe(ctx: &JobContext, tenant_id: Uuid) -> Result<Stripe, ProviderError> {
    let key = stripe_key(ctx, tenant_id).await?;
    Stripe::new(&ctx.config.providers.stripe_api_base, &key)
}

/// Move the payout to `processing` and record the attempt; `None` if it is not payable now.
async fn claim(
    ctx: &JobContext,
    payout_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<(payouts::Model, participants::Model)>, JobError> {
    let txn = begin_write(&ctx.db).await?;
    let claimed = payouts::Entity::update_many()
        .col_expr(
            payouts::Column::Status,
            Expr::value(PayoutStatus::Processing.as_str()),
        )
        .col_expr(
            payouts::Column::Attempts,
            Expr::col(payouts::Column::Attempts).add(1),
        )
        .col_expr(payouts::Column::UpdatedAt, Expr::value(now))
        .filter(payouts::Column::Id.eq(payout_id))
        .filter(payouts::Column::Status.is_in([
            PayoutStatus::Pending,
            PayoutStatus::Failed,
            // Left by an attempt a crash interrupted: the provider is asked before paying again.
            PayoutStatus::Processing,
        ]))
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        txn.commit().await?;
        return Ok(None);
    }
    let payout = payouts::Entity::find_by_id(payout_id)
        .one(&txn)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow!("payout {payout_id} vanished")))?;
    let participant = participants::Entity::find_by_id(payout.participant_id)
        .one(&txn)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow!("participant of payout {payout_id} is gone")))?;
    // An attempt a crash cut short is closed as such.
    payout_attempts::Entity::update_many()
        .col_expr(
            payout_attempts::Column::Outcome,
            Expr::value(AttemptOutcome::Failed.as_str()),
        )
        .col_expr(
            payout_attempts::Column::Error,
            Expr::value("interrupted (the worker stopped mid-attempt)"),
        )
        .col_expr(payout_attempts::Column::FinishedAt, Expr::value(now))
        .filter(payout_attempts::Column::PayoutId.eq(payout_id))
        .filter(payout_attempts::Column::Outcome.eq(AttemptOutcome::Running))
        .exec(&txn)
        .await?;
    payout_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(payout.tenant_id),
        payout_id: Set(payout.id),
        attempt: Set(payout.attempts),
        outcome: Set(AttemptOutcome::Running),
        provider_ref: Set(None),
        error: Set(None),
        started_at: Set(now),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some((payout, participant)))
}

async fn finish(
    ctx: &JobContext,
    payout: payouts::Model,
    participant: &participants::Model,
    outcome: Result<String, ProviderError>,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let txn = begin_write(&ctx.db).await?;
    let attempt = payout.attempts;
    let (attempt_outcome, reference, error) = match &outcome {
        Ok(reference) => (AttemptOutcome::Succeeded, Some(reference.clone()), None),
        Err(err) => (AttemptOutcome::Failed, None, Some(err.message().to_owned())),
    };
    payout_attempts::Entity::update_many()
        .col_expr(
            payout_attempts::Column::Outcome,
            Expr::value(attempt_outcome.as_str()),
        )
        .col_expr(
            payout_attempts::Column::ProviderRef,
            Expr::value(reference.clone()),
        )
        .col_expr(payout_attempts::Column::Error, Expr::value(error.clone()))
        .col_expr(payout_attempts::Column::FinishedAt, Expr::value(now))
        .filter(payout_attempts::Column::PayoutId.eq(payout.id))
        .filter(payout_attempts::Column::Attempt.eq(attempt))
        .exec(&txn)
        .await?;
    let id = payout.id;
    let tenant_id = payout.tenant_id;
    let (amount, currency) = (payout.amount_minor, payout.currency.clone());
    let exhausted = attempt >= payout.max_attempts;
    let mut m = payout.into_active_model();
    m.updated_at = Set(now);
    match outcome {
        Ok(reference) => {
            m.status = Set(PayoutStatus::Paid);
            m.provider_ref = Set(Some(reference));
            m.paid_at = Set(Some(now));
            m.last_error = Set(None);
            m.next_attempt_at = Set(None);
            let paid = m.update(&txn).await?;
            hooks::emit(&txn, &hooks::Event::payout_paid(&paid), now).await?;
            rewards::Entity::update_many()
                .col_expr(
                    rewards::Column::Status,
                    Expr::value(RewardStatus::Paid.as_str()),
                )
                .col_expr(rewards::Column::SettledAt, Expr::value(now))
                .col_expr(rewards::Column::UpdatedAt, Expr::value(now))
                .filter(rewards::Column::PayoutId.eq(id))
                .exec(&txn)
                .await?;
            let company = tenants::Entity::find_by_id(tenant_id)
                .one(&txn)
                .await?
                .map(|t| t.name)
                .unwrap_or_default();
            notices::record(
                &txn,
                NoticeInput {
                    tenant_id,
                    campaign_id: None,
                    participant_id: Some(participant.id),
                    kind: EmailKind::RewardPaid,
                    dedupe_key: format!("payout_paid:{id}"),
                    to: &participant.email,
                    vars: HashMap::from([
                        (
                            "first_name",
                            participant.first_name.clone().unwrap_or_default(),
                        ),
                        ("company_name", company),
                        ("amount", format_money(amount, &currency)),
                    ]),
                },
                now,
            )
            .await?;
            tracing::info!(attempt, "payout paid");
        }
        Err(err) => {
            let permanent = matches!(err, ProviderError::Permanent(_));
            m.last_error = Set(Some(err.message().to_owned()));
            if exhausted {
                m.status = Set(PayoutStatus::Dead);
                m.next_attempt_at = Set(None);
                tracing::error!(
                    attempt,
                    error = err.message(),
                    "payout dead: every attempt failed"
                );
            } else {
                // A permanent error (no account, bad request) waits longer: someone must fix it.
                let delay = ctx.config.queue.backoff(attempt) * if permanent { 4 } else { 1 };
                let at = now + Duration::from_std(delay).unwrap_or_else(|_| Duration::seconds(60));
                m.status = Set(PayoutStatus::Failed);
                m.next_attempt_at = Set(Some(at));
                enqueue_at(&txn, Some(tenant_id), &PayPayout { payout_id: id }, at, now).await?;
                tracing::warn!(attempt, error = err.message(), retry_at = %at, "payout attempt failed");
            }
            let failed = m.update(&txn).await?;
            if exhausted {
                hooks::emit(&txn, &hooks::Event::payout_failed(&failed), now).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}
