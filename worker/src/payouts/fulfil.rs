//! `reward.fulfil`: deliver one released coupon, store-credit or gift-card reward. Coupons are
//! Stripe coupons whose id is the reward id (the tenant's Stripe key; the dry run without one),
//! gift cards come from the configured gift-card API with the reward id as reference, store credit
//! is the ledger itself. An earlier delivery is looked up before issuing again.

use std::collections::HashMap;

use anyhow::anyhow;
use grapevine_entity::{
    db::begin_write,
    tables::{EmailKind, LedgerKind, RewardStatus, RewardType, participants, rewards, tenants},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::providers::{DryRun, FulfilRequest, Fulfiller, GiftCards, Issued, ProviderError};
use crate::{
    context::JobContext,
    email::notices::{self, NoticeInput, format_money},
    ledger::{self, Entry},
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::FulfilReward;

/// What the provider holds for this reward: an earlier delivery if there is one, else a new one
/// when `may_issue` (the reward is released), else nothing.
async fn deliver(
    provider: &impl Fulfiller,
    req: &FulfilRequest<'_>,
    may_issue: bool,
) -> Result<Option<Issued>, ProviderError> {
    if let Some(issued) = provider.find(req).await? {
        return Ok(Some(issued));
    }
    if !may_issue {
        return Ok(None);
    }
    provider.issue(req).await.map(Some)
}

fn job_error(err: ProviderError) -> JobError {
    match err {
        ProviderError::Transient(m) => JobError::Transient(anyhow!(m)),
        ProviderError::Permanent(m) => JobError::Permanent(anyhow!(m)),
    }
}

impl Job for FulfilReward {
    #[tracing::instrument(name = "job.reward.fulfil", skip_all, fields(reward_id = %self.reward_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let Some(reward) = rewards::Entity::find_by_id(self.reward_id)
            .one(&ctx.db)
            .await?
        else {
            return Err(JobError::Permanent(anyhow!(
                "reward {} does not exist",
                self.reward_id
            )));
        };
        // A released reward is delivered. A reward reversed before its delivery was recorded may
        // still have been issued by an attempt cut short (the worker killed between the
        // provider's answer and our commit): that card is looked up, never issued anew.
        let may_issue = reward.status == RewardStatus::Released;
        let interrupted = reward.status == RewardStatus::Reversed
            && reward.fulfilment_ref.is_none()
            && matches!(
                reward.reward_type,
                RewardType::Coupon | RewardType::GiftCard
            );
        if !(may_issue || interrupted) || reward.reward_type == RewardType::Cash {
            return Ok(());
        }
        let participant = participants::Entity::find_by_id(reward.participant_id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| {
                JobError::Permanent(anyhow!("participant of reward {} is gone", reward.id))
            })?;
        let value = reward.amount_minor - reward.reversed_minor;
        let req = FulfilRequest {
            reward_id: reward.id,
            amount_minor: value,
            currency: &reward.currency,
            recipient_email: &participant.email,
        };
        let issued = match reward.reward_type {
            RewardType::Cash => return Ok(()),
            RewardType::Credit => Some(Issued {
                reference: format!("credit_{}", reward.id.simple()),
                code: String::new(),
            }),
            RewardType::Coupon => match super::pay::stripe(ctx, reward.tenant_id).await {
                Ok(stripe) => deliver(&stripe, &req, may_issue).await.map_err(job_error)?,
                Err(ProviderError::Permanent(why)) => {
                    tracing::info!(
                        why,
                        "no Stripe for this tenant: the coupon goes to the dry run"
                    );
                    deliver(&DryRun, &req, may_issue).await.map_err(job_error)?
                }
                Err(err) => return Err(job_error(err)),
            },
            RewardType::GiftCard => {
                let key = crate::secrets::get(
                    &ctx.db,
                    &ctx.secrets,
                    reward.tenant_id,
                    "giftcard_api_key",
                )
                .await
                .map_err(JobError::Transient)?;
                match (ctx.config.providers.giftcard_url.as_str(), key) {
                    ("", _) | (_, None) => {
                        deliver(&DryRun, &req, may_issue).await.map_err(job_error)?
                    }
                    (url, Some(key)) => {
                        let provider = GiftCards::new(url, key).map_err(job_error)?;
                        deliver(&provider, &req, may_issue)
                            .await
                            .map_err(job_error)?
                    }
                }
            }
        };
        let Some(issued) = issued else {
            // Reversed before anything was issued: nothing to deliver or record.
            return Ok(());
        };

        let now = ctx.clock.now();
        let txn = begin_write(&ctx.db).await?;
        let moved = rewards::Entity::update_many()
            .col_expr(
                rewards::Column::Status,
                Expr::value(RewardStatus::Fulfilled.as_str()),
            )
            .col_expr(
                rewards::Column::FulfilmentRef,
                Expr::value(issued.reference.clone()),
            )
            .col_expr(
                rewards::Column::FulfilmentCode,
                Expr::value(issued.code.clone()),
            )
            .col_expr(rewards::Column::SettledAt, Expr::value(now))
            .col_expr(rewards::Column::UpdatedAt, Expr::value(now))
            .filter(rewards::Column::Id.eq(reward.id))
            .filter(rewards::Column::Status.eq(RewardStatus::Released))
            .exec(&txn)
            .await?
            .rows_affected;
        // A refund reversed the reward while the provider was issuing it: the card exists all the
        // same. Record it on the reward (which stays reversed) and in the ledger, whose balance
        // then shows what the participant holds beyond what they were owed; no email goes out.
        let late = if moved == 0 {
            rewards::Entity::update_many()
                .col_expr(
                    rewards::Column::FulfilmentRef,
                    Expr::value(issued.reference.clone()),
                )
                .col_expr(
                    rewards::Column::FulfilmentCode,
                    Expr::value(issued.code.clone()),
                )
                .col_expr(rewards::Column::UpdatedAt, Expr::value(now))
                .filter(rewards::Column::Id.eq(reward.id))
                .filter(rewards::Column::Status.eq(RewardStatus::Reversed))
                .filter(rewards::Column::FulfilmentRef.is_null())
                .exec(&txn)
                .await?
                .rows_affected
        } else {
            0
        };
        if late == 1 {
            tracing::warn!(
                reward_id = %reward.id,
                reference = %issued.reference,
                "issued for a reward reversed meanwhile: recorded; the balance shows it as owed"
            );
        }
        // The ledger takes the value this job read; a reward already reversed when read has none
        // left (the card's value is then for finance to settle: it is on the reward).
        if moved == 1 || (late == 1 && value > 0) {
            ledger::post(
                &txn,
                Entry {
                    tenant_id: reward.tenant_id,
                    participant_id: reward.participant_id,
                    account: reward.reward_type,
                    currency: reward.currency.clone(),
                    amount_minor: -value,
                    kind: LedgerKind::Fulfilment,
                    reward_id: Some(reward.id),
                    payout_id: None,
                    campaign_id: Some(reward.campaign_id),
                    memo: format!("{} {}", reward.reward_type, issued.reference),
                    available_at: now,
                },
                now,
            )
            .await?;
        }
        if moved == 1 {
            let company = tenants::Entity::find_by_id(reward.tenant_id)
                .one(&txn)
                .await?
                .map(|t| t.name)
                .unwrap_or_default();
            let code = if issued.code.is_empty() {
                " It is credited to your account.".to_owned()
            } else {
                format!(" Your code: {}", issued.code)
            };
            notices::record(
                &txn,
                NoticeInput {
                    tenant_id: reward.tenant_id,
                    campaign_id: Some(reward.campaign_id),
                    participant_id: Some(participant.id),
                    kind: EmailKind::RewardPaid,
                    dedupe_key: format!("reward_fulfilled:{}", reward.id),
                    to: &participant.email,
                    vars: HashMap::from([
                        (
                            "first_name",
                            participant.first_name.clone().unwrap_or_default(),
                        ),
                        ("company_name", company),
                        ("amount", format_money(value, &reward.currency)),
                        ("code", code),
                    ]),
                },
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}
