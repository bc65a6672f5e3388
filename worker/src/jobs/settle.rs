//! `referral.settle`: bring a referral's rewards in line with its state. Approved → every reward
//! its events earn exists (lead, first purchase, each purchase up to the rule's limit), then
//! refunds shrink them in proportion; rejected → every reward is reversed.
//!
//! Safe to run any number of times: a reward's id is derived from (rule, referral, event), the
//! budget is reserved in the same transaction as the rewards it pays for, and reversals only ever
//! move a reward towards its target.

use std::collections::{HashMap, HashSet};

use anyhow::anyhow;
use chrono::{DateTime, Duration, Utc};
use grapevine_entity::{
    db::begin_write,
    domain::{
        ids::derived_id,
        reward::{kept_after_refund, spec_of},
    },
    tables::{
        EmailKind, LedgerKind, PayoutOnboarding, ReferralStatus, RewardSide, RewardStatus,
        RewardTrigger, TaxStatus, campaigns, conversions, enrolments, participants, referrals,
        reward_rules, rewards, tenants,
    },
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, sea_query::Expr, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    context::JobContext,
    email::notices::{self, NoticeInput, format_money},
    hooks,
    ledger::{self, Entry},
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::SettleReferral;

impl Job for SettleReferral {
    #[tracing::instrument(name = "job.referral.settle", skip_all, fields(referral_id = %self.referral_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let referral = referrals::Entity::find_by_id(self.referral_id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| {
                JobError::Permanent(anyhow!("referral {} does not exist", self.referral_id))
            })?;
        let txn = begin_write(&ctx.db).await?;
        settle_in(&txn, &referral, ctx.clock.now()).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// What the job does, inside the caller's write transaction (the caller commits). Validation
/// calls it in the transaction that records its decision, so a referral's decision and its
/// rewards commit together, without a second trip through the queue.
pub async fn settle_in(
    txn: &impl ConnectionTrait,
    referral: &referrals::Model,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    match referral.status {
        ReferralStatus::Approved => {
            create_rewards(txn, referral, now).await?;
            apply_refunds(txn, referral, now).await?;
        }
        ReferralStatus::Rejected => reverse_all(txn, referral, now).await?,
        ReferralStatus::Pending | ReferralStatus::Review => {}
    }
    Ok(())
}

/// One reward about to be created.
struct Planned<'a> {
    id: Uuid,
    rule: &'a reward_rules::Model,
    conversion: Option<&'a conversions::Model>,
    participant: participants::Model,
    amount: i64,
}

/// Create the rewards the referral's events earn and do not have yet.
async fn create_rewards(
    txn: &impl ConnectionTrait,
    referral: &referrals::Model,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let campaign = campaigns::Entity::find_by_id(referral.campaign_id)
        .one(txn)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow!("campaign {} is gone", referral.campaign_id)))?;
    let tenant = tenants::Entity::find_by_id(referral.tenant_id)
        .one(txn)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow!("tenant {} is gone", referral.tenant_id)))?;
    let referrer = participants::Entity::find_by_id(referral.referrer_participant_id)
        .one(txn)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow!("referrer of {} is gone", referral.id)))?;
    let variant = enrolments::Entity::find()
        .filter(enrolments::Column::CampaignId.eq(campaign.id))
        .filter(enrolments::Column::ParticipantId.eq(referrer.id))
        .one(txn)
        .await?
        .and_then(|e| e.variant_id);
    let rules: Vec<reward_rules::Model> = reward_rules::Entity::find()
        .filter(reward_rules::Column::CampaignId.eq(campaign.id))
        .order_by_asc(reward_rules::Column::CreatedAt)
        .all(txn)
        .await?
        .into_iter()
        .filter(|r| r.variant_id.is_none() || r.variant_id == variant)
        .collect();
    let conversions = conversions::Entity::find()
        .filter(conversions::Column::ReferralId.eq(referral.id))
        .order_by_asc(conversions::Column::OccurredAt)
        .order_by_asc(conversions::Column::Id)
        .all(txn)
        .await?;
    let existing: HashSet<Uuid> = rewards::Entity::find()
        .filter(rewards::Column::ReferralId.eq(referral.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();

    // The events: the lead, then each purchase in order; each with the rules it triggers.
    let mut events: Vec<(Option<&conversions::Model>, Vec<&reward_rules::Model>)> = vec![(
        None,
        rules
            .iter()
            .filter(|r| r.trigger == RewardTrigger::Lead)
            .collect(),
    )];
    for (i, conversion) in conversions.iter().enumerate() {
        let triggered = rules
            .iter()
            .filter(|r| match r.trigger {
                RewardTrigger::Lead => false,
                RewardTrigger::FirstPurchase => i == 0,
                RewardTrigger::EachPurchase => {
                    usize::try_from(r.max_purchases.unwrap_or(1)).unwrap_or(0) > i
                }
            })
            .collect();
        events.push((Some(conversion), triggered));
    }
    let owed = |rule: &reward_rules::Model, conversion: Option<&conversions::Model>| {
        let event = conversion.map_or_else(|| "lead".to_owned(), |c| c.id.to_string());
        let id = derived_id(&format!("reward:{}:{}:{event}", rule.id, referral.id));
        (!existing.contains(&id)).then_some(id)
    };
    // The referee becomes a participant before any reward is decided, when one is owed to them
    // (their address taken from the first event that owes them one).
    let referee_event = events.iter().find(|(conversion, rules)| {
        rules
            .iter()
            .any(|r| r.side == RewardSide::Referee && owed(r, *conversion).is_some())
    });
    let referee = match referee_event {
        Some((conversion, _)) => Some(referee_participant(txn, referral, *conversion, now).await?),
        None => None,
    };

    // Locks, always in this order: the participants (by id), then the campaign. A referrer's
    // rewards are serialised by their lock (tiers count their earlier rewards; the same
    // referral's jobs wait for each other). The campaign's budget is reserved with one statement
    // just before commit, so one campaign's decisions hold its row for a moment, not for the
    // whole decision.
    let mut people = vec![referrer.id];
    people.extend(referee.as_ref().map(|p| p.id));
    ledger::lock_participants(txn, &people).await?;
    let plan = Plan {
        campaign: &campaign,
        tenant: &tenant,
        referral,
        referrer: &referrer,
        referee: referee.as_ref(),
        events: &events,
        now,
    };
    match campaign.budget_minor {
        // Nothing to run out of: the reservation only counts what is spent.
        None => {
            let total = plan.issue(txn, &owed, Budget::AtEnd).await?;
            welcome(txn, &plan, &conversions).await?;
            if total > 0 {
                reserve(txn, &campaign, total).await?;
            }
        }
        // A cap: issue everything and reserve the sum last, which almost always fits. When it
        // does not, undo that and take the campaign's lock first, event by event as the budget
        // allows (what earlier events leave may still pay for a later, smaller one).
        Some(_) => {
            txn.execute_unprepared("SAVEPOINT rewards_optimistic")
                .await?;
            let total = plan.issue(txn, &owed, Budget::AtEnd).await?;
            welcome(txn, &plan, &conversions).await?;
            if total == 0 || reserve(txn, &campaign, total).await? {
                txn.execute_unprepared("RELEASE SAVEPOINT rewards_optimistic")
                    .await?;
            } else {
                txn.execute_unprepared("ROLLBACK TO SAVEPOINT rewards_optimistic")
                    .await?;
                lock_campaign(txn, campaign.id).await?;
                plan.issue(txn, &owed, Budget::PerEvent).await?;
                welcome(txn, &plan, &conversions).await?;
            }
        }
    }
    Ok(())
}

/// When a reward's cost is taken from the campaign's budget.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Budget {
    /// By the caller, once, for everything issued.
    AtEnd,
    /// Before each event's rewards, which are skipped when they do not fit (the campaign locked).
    PerEvent,
}

/// What reward creation works from, read and locked.
struct Plan<'a> {
    campaign: &'a campaigns::Model,
    tenant: &'a tenants::Model,
    referral: &'a referrals::Model,
    referrer: &'a participants::Model,
    referee: Option<&'a participants::Model>,
    events: &'a [(Option<&'a conversions::Model>, Vec<&'a reward_rules::Model>)],
    now: DateTime<Utc>,
}

impl Plan<'_> {
    /// Create the rewards owed, event by event (an event's rewards count towards the next one's
    /// amounts); returns what they cost.
    async fn issue(
        &self,
        txn: &impl ConnectionTrait,
        owed: &impl Fn(&reward_rules::Model, Option<&conversions::Model>) -> Option<Uuid>,
        budget: Budget,
    ) -> Result<i64, JobError> {
        let (campaign, referral) = (self.campaign, self.referral);
        let mut spent = 0;
        let mut created = 0_usize;
        for (conversion, rules) in self.events {
            let conversion = *conversion;
            let mut planned: Vec<Planned<'_>> = Vec::new();
            for rule in rules {
                let Some(id) = owed(rule, conversion) else {
                    continue;
                };
                let spec = match spec_of(rule) {
                    Ok(spec) => spec,
                    Err(err) => {
                        tracing::error!(rule_id = %rule.id, error = %err, "reward rule cannot be read; skipped");
                        continue;
                    }
                };
                let participant = match (rule.side, self.referee) {
                    (RewardSide::Referrer, _) => self.referrer.clone(),
                    (RewardSide::Referee, Some(p)) => p.clone(),
                    (RewardSide::Referee, None) => {
                        return Err(JobError::Transient(anyhow!(
                            "a referee reward is owed but the referee was not resolved"
                        )));
                    }
                };
                let order_minor =
                    conversion.map_or(0, |c| c.campaign_amount_minor.unwrap_or(c.amount_minor));
                let earlier = rewards::Entity::find()
                    .filter(rewards::Column::RuleId.eq(rule.id))
                    .filter(rewards::Column::ParticipantId.eq(participant.id))
                    .all(txn)
                    .await?;
                let nth = match rule.side {
                    RewardSide::Referrer => {
                        let others: HashSet<Uuid> = earlier
                            .iter()
                            .map(|r| r.referral_id)
                            .filter(|r| *r != referral.id)
                            .collect();
                        u32::try_from(others.len() + 1).unwrap_or(u32::MAX)
                    }
                    RewardSide::Referee => 1,
                };
                let so_far: i64 = earlier
                    .iter()
                    .map(|r| r.amount_minor - r.reversed_minor)
                    .sum();
                let amount = spec.amount_for(order_minor, nth, so_far);
                if amount > 0 {
                    planned.push(Planned {
                        id,
                        rule,
                        conversion,
                        participant,
                        amount,
                    });
                }
            }
            let total: i64 = planned.iter().map(|p| p.amount).sum();
            if total == 0 {
                continue;
            }
            if budget == Budget::PerEvent && !reserve(txn, campaign, total).await? {
                tracing::warn!(campaign_id = %campaign.id, total, "campaign budget exhausted: no rewards for this event");
                continue;
            }
            for p in planned {
                insert_reward(txn, campaign, self.tenant, referral, p, self.now).await?;
                created += 1;
            }
            spent += total;
        }
        if created > 0 {
            tracing::info!(created, "rewards created");
        }
        Ok(spent)
    }
}

/// The referee's welcome email (once per referral), when their address is known.
async fn welcome(
    txn: &impl ConnectionTrait,
    plan: &Plan<'_>,
    conversions: &[conversions::Model],
) -> Result<(), JobError> {
    let referral = plan.referral;
    let Some(email) = referral
        .referee_email
        .clone()
        .or_else(|| conversions.iter().find_map(|c| c.customer_email.clone()))
    else {
        return Ok(());
    };
    notices::record(
        txn,
        NoticeInput {
            tenant_id: referral.tenant_id,
            campaign_id: Some(plan.campaign.id),
            participant_id: plan.referee.map(|p| p.id),
            kind: EmailKind::Welcome,
            dedupe_key: format!("welcome:{}", referral.id),
            to: &email,
            vars: HashMap::from([
                ("company_name", plan.tenant.name.clone()),
                ("campaign_name", plan.campaign.name.clone()),
            ]),
        },
        plan.now,
    )
    .await?;
    Ok(())
}

/// Hold the campaign's row until the transaction ends (PostgreSQL; SQLite's write transaction is
/// exclusive already): budget reservations made meanwhile by others wait for it.
async fn lock_campaign(txn: &impl ConnectionTrait, campaign_id: Uuid) -> Result<(), DbErr> {
    campaigns::Entity::update_many()
        .col_expr(
            campaigns::Column::BudgetReservedMinor,
            Expr::col(campaigns::Column::BudgetReservedMinor),
        )
        .filter(campaigns::Column::Id.eq(campaign_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Reserve `total` of the campaign's budget; `false` if it does not fit (nothing reserved).
async fn reserve(
    txn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    total: i64,
) -> Result<bool, DbErr> {
    let mut update = campaigns::Entity::update_many()
        .col_expr(
            campaigns::Column::BudgetReservedMinor,
            Expr::col(campaigns::Column::BudgetReservedMinor).add(total),
        )
        .filter(campaigns::Column::Id.eq(campaign.id));
    if let Some(budget) = campaign.budget_minor {
        update = update.filter(
            Expr::col(campaigns::Column::BudgetReservedMinor)
                .add(total)
                .lte(budget),
        );
    }
    Ok(update.exec(txn).await?.rows_affected == 1)
}

async fn insert_reward(
    txn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    tenant: &tenants::Model,
    referral: &referrals::Model,
    p: Planned<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let release_at = now + Duration::days(i64::from(std::cmp::max(campaign.hold_days, 0)));
    let reward = rewards::ActiveModel {
        id: Set(p.id),
        tenant_id: Set(referral.tenant_id),
        campaign_id: Set(campaign.id),
        referral_id: Set(referral.id),
        conversion_id: Set(p.conversion.map(|c| c.id)),
        rule_id: Set(p.rule.id),
        participant_id: Set(p.participant.id),
        side: Set(p.rule.side),
        reward_type: Set(p.rule.reward_type),
        amount_minor: Set(p.amount),
        reversed_minor: Set(0),
        currency: Set(campaign.currency.clone()),
        status: Set(RewardStatus::Held),
        release_at: Set(release_at),
        payout_id: Set(None),
        fulfilment_ref: Set(None),
        fulfilment_code: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        released_at: Set(None),
        settled_at: Set(None),
    }
    .insert(txn)
    .await?;
    hooks::emit(txn, &hooks::Event::reward_earned(&reward), now).await?;
    ledger::post(
        txn,
        Entry {
            tenant_id: referral.tenant_id,
            participant_id: p.participant.id,
            account: p.rule.reward_type,
            currency: campaign.currency.clone(),
            amount_minor: p.amount,
            kind: LedgerKind::Reward,
            reward_id: Some(p.id),
            payout_id: None,
            campaign_id: Some(campaign.id),
            memo: format!("{} reward, {}", p.rule.side, campaign.name),
            available_at: release_at,
        },
        now,
    )
    .await?;
    if p.rule.side == RewardSide::Referrer {
        notices::record(
            txn,
            NoticeInput {
                tenant_id: referral.tenant_id,
                campaign_id: Some(campaign.id),
                participant_id: Some(p.participant.id),
                kind: EmailKind::RewardEarned,
                dedupe_key: format!("reward_earned:{}", p.id),
                to: &p.participant.email,
                vars: HashMap::from([
                    (
                        "first_name",
                        p.participant.first_name.clone().unwrap_or_default(),
                    ),
                    ("company_name", tenant.name.clone()),
                    ("campaign_name", campaign.name.clone()),
                    ("amount", format_money(p.amount, &campaign.currency)),
                    ("release_date", release_at.format("%Y-%m-%d").to_string()),
                ]),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The referee as a participant of the tenant (created on their first reward), so their rewards
/// have a ledger like anyone's.
async fn referee_participant(
    txn: &impl ConnectionTrait,
    referral: &referrals::Model,
    conversion: Option<&conversions::Model>,
    now: DateTime<Utc>,
) -> Result<participants::Model, DbErr> {
    let email = conversion
        .and_then(|c| c.customer_email.clone())
        .or_else(|| referral.referee_email.clone())
        .unwrap_or_default();
    participants::Entity::insert(participants::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(referral.tenant_id),
        external_id: Set(referral.referee_external_id.clone()),
        email_normalized: Set(email.to_lowercase()),
        email: Set(email),
        first_name: Set(None),
        tags: Set(serde_json::json!([])),
        order_count: Set(0),
        country: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        payout_account_id: Set(None),
        payout_status: Set(PayoutOnboarding::None),
        tax_status: Set(TaxStatus::Missing),
    })
    .on_conflict(
        OnConflict::columns([
            participants::Column::TenantId,
            participants::Column::ExternalId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .try_insert()
    .exec_without_returning(txn)
    .await?;
    participants::Entity::find()
        .filter(participants::Column::TenantId.eq(referral.tenant_id))
        .filter(participants::Column::ExternalId.eq(referral.referee_external_id.as_str()))
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::Custom("referee participant vanished".into()))
}

/// Shrink conversion rewards in proportion to their order's refunds.
async fn apply_refunds(
    txn: &impl ConnectionTrait,
    referral: &referrals::Model,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    // Only refunded orders take anything back: without one there is nothing to read or lock.
    let refunded: HashMap<Uuid, conversions::Model> = conversions::Entity::find()
        .filter(conversions::Column::ReferralId.eq(referral.id))
        .filter(conversions::Column::RefundedMinor.gt(0))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    if refunded.is_empty() {
        return Ok(());
    }
    let rewards = rewards::Entity::find()
        .filter(rewards::Column::ReferralId.eq(referral.id))
        .filter(rewards::Column::ConversionId.is_in(refunded.keys().copied()))
        .all(txn)
        .await?;
    lock_owners(txn, &rewards).await?;
    for reward in rewards {
        let Some(c) = reward.conversion_id.and_then(|id| refunded.get(&id)) else {
            continue;
        };
        let target = reward.amount_minor
            - kept_after_refund(reward.amount_minor, c.amount_minor, c.refunded_minor);
        let delta = target - reward.reversed_minor;
        if delta > 0 {
            let memo = format!(
                "order {} refunded {} of {}",
                c.external_order_id, c.refunded_minor, c.amount_minor
            );
            ledger::reverse(txn, reward, delta, &memo, now).await?;
        }
    }
    Ok(())
}

/// Lock the participants `rewards` belong to before any reversal takes the campaign's row (see
/// [`ledger::lock_participants`] on the order).
async fn lock_owners(txn: &impl ConnectionTrait, rewards: &[rewards::Model]) -> Result<(), DbErr> {
    let owners: Vec<Uuid> = rewards.iter().map(|r| r.participant_id).collect();
    ledger::lock_participants(txn, &owners).await
}

/// Reverse every reward of a rejected referral.
async fn reverse_all(
    txn: &impl ConnectionTrait,
    referral: &referrals::Model,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let rewards = rewards::Entity::find()
        .filter(rewards::Column::ReferralId.eq(referral.id))
        .all(txn)
        .await?;
    lock_owners(txn, &rewards).await?;
    for reward in rewards {
        let delta = reward.amount_minor - reward.reversed_minor;
        if delta > 0 {
            ledger::reverse(txn, reward, delta, "referral rejected", now).await?;
        }
    }
    Ok(())
}
