//! `payouts.run` (scheduled, and right after cash is released): one payout per participant and
//! currency whose payable cash balance has reached the tenant's minimum, on the tenant's schedule.
//! The payout's ledger entry takes the balance to zero in the same transaction, so a second run
//! finds nothing to pay.

use chrono::{DateTime, Utc};
use grapevine_entity::{
    db::begin_write,
    tables::{
        LedgerKind, PayoutStatus, RewardStatus, RewardType, ledger_entries, payouts, rewards,
    },
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::{proceed, schedule_due, settings};
use crate::{
    context::JobContext,
    ledger::{self, Entry, lock_participant},
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::PayoutRun;

impl Job for PayoutRun {
    #[tracing::instrument(name = "job.payouts.run", skip_all)]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let now = ctx.clock.now();
        let mut q = ledger_entries::Entity::find()
            .select_only()
            .column(ledger_entries::Column::TenantId)
            .column(ledger_entries::Column::ParticipantId)
            .column(ledger_entries::Column::Currency)
            .filter(ledger_entries::Column::Account.eq(RewardType::Cash))
            .filter(ledger_entries::Column::AvailableAt.lte(now))
            .group_by(ledger_entries::Column::TenantId)
            .group_by(ledger_entries::Column::ParticipantId)
            .group_by(ledger_entries::Column::Currency)
            .having(Expr::cust("SUM(amount_minor) > 0"));
        if let Some(tenant) = self.tenant_id {
            q = q.filter(ledger_entries::Column::TenantId.eq(tenant));
        }
        let due: Vec<(Uuid, Uuid, String)> = q.into_tuple().all(&ctx.db).await?;
        let mut created = 0;
        for (tenant, participant, currency) in due {
            if create_payout(ctx, tenant, participant, &currency, now).await? {
                created += 1;
            }
        }
        if created > 0 {
            tracing::info!(created, "payouts created");
        }
        Ok(())
    }
}

/// Create a payout of the participant's payable balance, if the schedule and minimum allow.
async fn create_payout(
    ctx: &JobContext,
    tenant_id: Uuid,
    participant_id: Uuid,
    currency: &str,
    now: DateTime<Utc>,
) -> Result<bool, JobError> {
    let txn = begin_write(&ctx.db).await?;
    lock_participant(&txn, participant_id).await?;
    // Read the time only now that we hold the lock: a run that started earlier but got the lock
    // later would otherwise not see the payout entry (available from its own later time) that
    // the run before it wrote, and would pay the same balance again.
    let now = std::cmp::max(now, ctx.clock.now());
    let settings = settings(&txn, tenant_id).await?;
    let last = payouts::Entity::find()
        .filter(payouts::Column::ParticipantId.eq(participant_id))
        .filter(payouts::Column::Currency.eq(currency))
        .order_by_desc(payouts::Column::CreatedAt)
        .one(&txn)
        .await?
        .map(|p| p.created_at);
    if !schedule_due(settings.schedule, last, now) {
        return Ok(false);
    }
    // Cash whose hold has ended counts in the balance even if the release job has not reached
    // it yet: release it here, so the payout and its rewards agree.
    rewards::Entity::update_many()
        .col_expr(
            rewards::Column::Status,
            Expr::value(RewardStatus::Released.as_str()),
        )
        .col_expr(rewards::Column::ReleasedAt, Expr::value(now))
        .col_expr(rewards::Column::UpdatedAt, Expr::value(now))
        .filter(rewards::Column::ParticipantId.eq(participant_id))
        .filter(rewards::Column::Currency.eq(currency))
        .filter(rewards::Column::RewardType.eq(RewardType::Cash))
        .filter(rewards::Column::Status.eq(RewardStatus::Held))
        .filter(rewards::Column::ReleaseAt.lte(now))
        .exec(&txn)
        .await?;
    let balance =
        ledger::balance(&txn, participant_id, RewardType::Cash, currency, Some(now)).await?;
    if balance < settings.minimum_minor.max(1) {
        return Ok(false);
    }
    let awaiting = settings
        .approval_threshold_minor
        .is_some_and(|threshold| balance > threshold);
    let payout = payouts::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        participant_id: Set(participant_id),
        currency: Set(currency.to_owned()),
        amount_minor: Set(balance),
        status: Set(PayoutStatus::AwaitingApproval),
        provider: Set(settings.provider),
        provider_ref: Set(None),
        hold_reason: Set(awaiting.then(|| "above_approval_threshold".to_owned())),
        attempts: Set(0),
        max_attempts: Set(settings.max_attempts.max(1)),
        last_error: Set(None),
        next_attempt_at: Set(None),
        approved_by: Set(None),
        approved_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        paid_at: Set(None),
    }
    .insert(&txn)
    .await?;
    ledger::post(
        &txn,
        Entry {
            tenant_id,
            participant_id,
            account: RewardType::Cash,
            currency: currency.to_owned(),
            amount_minor: -balance,
            kind: LedgerKind::Payout,
            reward_id: None,
            payout_id: Some(payout.id),
            campaign_id: None,
            memo: format!("payout {}", payout.id),
            available_at: now,
        },
        now,
    )
    .await?;
    // The rewards this payout pays are exactly those whose entries the balance counted: no cash
    // entry can be posted while we hold the lock, and `release_at` is their entries'
    // `available_at` (a release job running meanwhile may release a later one).
    rewards::Entity::update_many()
        .col_expr(rewards::Column::PayoutId, Expr::value(payout.id))
        .col_expr(rewards::Column::UpdatedAt, Expr::value(now))
        .filter(rewards::Column::ParticipantId.eq(participant_id))
        .filter(rewards::Column::Currency.eq(currency))
        .filter(rewards::Column::RewardType.eq(RewardType::Cash))
        .filter(rewards::Column::Status.eq(RewardStatus::Released))
        .filter(rewards::Column::ReleaseAt.lte(now))
        .filter(rewards::Column::PayoutId.is_null())
        .exec(&txn)
        .await?;
    if !awaiting {
        proceed(&txn, payout, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}
