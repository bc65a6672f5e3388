//! The incentive loop in GraphQL: fraud decisions and the review queue (marketing), rewards,
//! the ledger and payouts (finance).

use async_graphql::{ComplexObject, Context, Object, Result};
use chrono::{DateTime, Utc};
use grapevine_entity::tables::{self, ReferralStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    ContextExt,
    pagination::{IdConnection, Page, list},
    scalars::{BigInt, Money},
    types::{
        enums::{ReferralStatus as GqlReferralStatus, RewardType},
        incentives::{
            Balance, FraudDecision, FraudPolicy, FraudReplay, FraudSignal, LedgerEntry, Payout,
            PayoutAttempt, PayoutFilter, PayoutOnboardingLink, PayoutSettings, ReplayedReferral,
            ReviewVerdict, Reward, RewardFilter,
        },
        people::Participant,
        tracking::Referral,
    },
};
use crate::auth::Role;
use grapevine_entity::ops::{self, fraud::Verdict, payouts::SettingsDraft};

/// Who reads referrals and their fraud decisions.
const FRAUD_READERS: &[Role] = &[Role::MarketingManager, Role::Finance, Role::Ops];
/// Who decides referrals and sets fraud policy.
const FRAUD_DECIDERS: &[Role] = &[Role::MarketingManager];
/// Who reads rewards.
const REWARD_READERS: &[Role] = &[Role::MarketingManager, Role::Finance];
/// Who reads and acts on money: ledgers, payouts, approvals.
const FINANCE: &[Role] = &[Role::Finance];
/// Who starts a participant's payout onboarding.
const ONBOARDERS: &[Role] = &[Role::Finance, Role::MarketingManager];

#[ComplexObject]
impl Referral {
    /// The signals of the latest decision: why it stands where it stands.
    async fn signals(&self, ctx: &Context<'_>) -> Result<Vec<FraudSignal>> {
        let actor = ctx.principal().staff_or_secret_key(FRAUD_READERS)?;
        let decisions = ops::fraud::decisions(&ctx.state().db, actor.tenant_id, self.id).await?;
        Ok(decisions
            .into_iter()
            .next()
            .map(|(d, s)| FraudDecision::new(d, s).signals)
            .unwrap_or_default())
    }

    /// Every decision, newest first, with its signals.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<FraudDecision>> {
        let actor = ctx.principal().staff_or_secret_key(FRAUD_READERS)?;
        let decisions = ops::fraud::decisions(&ctx.state().db, actor.tenant_id, self.id).await?;
        Ok(decisions
            .into_iter()
            .map(|(d, s)| FraudDecision::new(d, s))
            .collect())
    }

    /// Its rewards, both sides.
    async fn rewards(&self, ctx: &Context<'_>) -> Result<Vec<Reward>> {
        let actor = ctx.principal().staff_or_secret_key(REWARD_READERS)?;
        Ok(tables::rewards::Entity::find()
            .filter(tables::rewards::Column::TenantId.eq(actor.tenant_id))
            .filter(tables::rewards::Column::ReferralId.eq(self.id))
            .all(&ctx.state().db)
            .await?
            .into_iter()
            .map(Reward::from)
            .collect())
    }
}

#[ComplexObject]
impl Payout {
    /// Every attempt at the provider, oldest first.
    async fn attempt_log(&self, ctx: &Context<'_>) -> Result<Vec<PayoutAttempt>> {
        let actor = ctx.principal().staff(FINANCE)?;
        Ok(
            ops::payouts::attempts(&ctx.state().db, actor.tenant_id, self.id)
                .await?
                .into_iter()
                .map(PayoutAttempt::from)
                .collect(),
        )
    }
}

/// Queries of the incentive loop.
#[derive(Default)]
pub struct IncentiveQuery;

#[Object]
impl IncentiveQuery {
    /// One referral, with its fraud decisions and rewards.
    async fn referral(&self, ctx: &Context<'_>, id: Uuid) -> Result<Referral> {
        let actor = ctx.principal().staff_or_secret_key(FRAUD_READERS)?;
        Ok(ops::fraud::referral(&ctx.state().db, actor.tenant_id, id)
            .await?
            .into())
    }

    /// Referrals, newest first; optionally of one campaign and in one state.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<Uuid>,
        status: Option<GqlReferralStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Referral>> {
        let actor = ctx.principal().staff_or_secret_key(FRAUD_READERS)?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let mut select = tables::referrals::Entity::find()
            .filter(tables::referrals::Column::TenantId.eq(actor.tenant_id));
        if let Some(c) = campaign_id {
            select = select.filter(tables::referrals::Column::CampaignId.eq(c));
        }
        if let Some(s) = status {
            select = select.filter(tables::referrals::Column::Status.eq(ReferralStatus::from(s)));
        }
        Ok(list(
            &state.db,
            select,
            tables::referrals::Column::Id,
            page,
            |r| r.id,
            Referral::from,
        )
        .await?)
    }

    /// Referrals waiting for a person (status `REVIEW`), newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<Uuid>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Referral>> {
        let actor = ctx.principal().staff(FRAUD_DECIDERS)?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let mut select = tables::referrals::Entity::find()
            .filter(tables::referrals::Column::TenantId.eq(actor.tenant_id))
            .filter(tables::referrals::Column::Status.eq(ReferralStatus::Review));
        if let Some(c) = campaign_id {
            ops::campaigns::get(&state.db, actor.tenant_id, c).await?;
            select = select.filter(tables::referrals::Column::CampaignId.eq(c));
        }
        Ok(list(
            &state.db,
            select,
            tables::referrals::Column::Id,
            page,
            |r| r.id,
            Referral::from,
        )
        .await?)
    }

    /// A campaign's fraud policy (the default until one is set).
    async fn fraud_policy(&self, ctx: &Context<'_>, campaign_id: Uuid) -> Result<FraudPolicy> {
        let actor = ctx.principal().staff(FRAUD_READERS)?;
        Ok(
            ops::fraud::policy(&ctx.state().db, actor.tenant_id, campaign_id)
                .await?
                .into(),
        )
    }

    /// Re-score the campaign's validated referrals created in `[from, to)` under `policy`, writing
    /// nothing: what would change, and how many referrals that later proved good it would flag.
    async fn replay_fraud_rules(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        policy: FraudPolicy,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<FraudReplay> {
        let actor = ctx.principal().staff(FRAUD_DECIDERS)?;
        let policy = policy.into_domain()?;
        let r = ops::fraud::replay(
            &ctx.state().db,
            actor.tenant_id,
            campaign_id,
            policy,
            from,
            to,
        )
        .await?;
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        Ok(FraudReplay {
            total: n(r.total),
            changed: n(r.changed),
            false_positives: n(r.false_positives),
            approved: n(r.approved),
            review: n(r.review),
            rejected: n(r.rejected),
            truncated: r.truncated,
            differences: r
                .differences
                .into_iter()
                .map(|d| ReplayedReferral {
                    referral: d.referral.into(),
                    would: grapevine_entity::ops::fraud::status_of(d.would).into(),
                    score: i32::try_from(d.score).unwrap_or(i32::MAX),
                    signals: d
                        .signals
                        .into_iter()
                        .map(FraudSignal::from_signal)
                        .collect(),
                    proved_good: d.proved_good,
                })
                .collect(),
        })
    }

    /// Rewards, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn rewards(
        &self,
        ctx: &Context<'_>,
        filter: Option<RewardFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Reward>> {
        let actor = ctx.principal().staff(REWARD_READERS)?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let f = filter.unwrap_or_default();
        let mut select = tables::rewards::Entity::find()
            .filter(tables::rewards::Column::TenantId.eq(actor.tenant_id));
        if let Some(c) = f.campaign_id {
            select = select.filter(tables::rewards::Column::CampaignId.eq(c));
        }
        if let Some(p) = f.participant_id {
            select = select.filter(tables::rewards::Column::ParticipantId.eq(p));
        }
        if let Some(r) = f.referral_id {
            select = select.filter(tables::rewards::Column::ReferralId.eq(r));
        }
        if let Some(s) = f.status {
            select =
                select.filter(tables::rewards::Column::Status.eq(tables::RewardStatus::from(s)));
        }
        Ok(list(
            &state.db,
            select,
            tables::rewards::Column::Id,
            page,
            |r| r.id,
            Reward::from,
        )
        .await?)
    }

    /// Payouts, newest first (finance).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn payouts(
        &self,
        ctx: &Context<'_>,
        filter: Option<PayoutFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Payout>> {
        let actor = ctx.principal().staff(FINANCE)?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let f = filter.unwrap_or_default();
        let mut select = tables::payouts::Entity::find()
            .filter(tables::payouts::Column::TenantId.eq(actor.tenant_id));
        if let Some(s) = f.status {
            select =
                select.filter(tables::payouts::Column::Status.eq(tables::PayoutStatus::from(s)));
        }
        if let Some(p) = f.participant_id {
            select = select.filter(tables::payouts::Column::ParticipantId.eq(p));
        }
        Ok(list(
            &state.db,
            select,
            tables::payouts::Column::Id,
            page,
            |r| r.id,
            Payout::from,
        )
        .await?)
    }

    /// One payout (finance).
    async fn payout(&self, ctx: &Context<'_>, id: Uuid) -> Result<Payout> {
        let actor = ctx.principal().staff(FINANCE)?;
        Ok(ops::payouts::get(&ctx.state().db, actor.tenant_id, id)
            .await?
            .into())
    }

    /// A participant's ledger, newest first (finance).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn ledger(
        &self,
        ctx: &Context<'_>,
        participant_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<LedgerEntry>> {
        let actor = ctx.principal().staff(FINANCE)?;
        let state = ctx.state();
        ops::payouts::participant_of_tenant(&state.db, actor.tenant_id, participant_id).await?;
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let select = tables::ledger_entries::Entity::find()
            .filter(tables::ledger_entries::Column::TenantId.eq(actor.tenant_id))
            .filter(tables::ledger_entries::Column::ParticipantId.eq(participant_id));
        Ok(list(
            &state.db,
            select,
            tables::ledger_entries::Column::Id,
            page,
            |r| r.id,
            LedgerEntry::from,
        )
        .await?)
    }

    /// A participant's balances per account and currency (finance).
    async fn balances(&self, ctx: &Context<'_>, participant_id: Uuid) -> Result<Vec<Balance>> {
        let actor = ctx.principal().staff(FINANCE)?;
        let s = ctx.state();
        Ok(
            ops::payouts::balances(&s.db, actor.tenant_id, participant_id, s.clock.now())
                .await?
                .into_iter()
                .map(|b| Balance {
                    account: RewardType::from(b.account),
                    total: Money::new(b.total_minor, &b.currency),
                    available: Money::new(b.available_minor, &b.currency),
                })
                .collect(),
        )
    }

    /// The tenant's payout rules (finance).
    async fn payout_settings(&self, ctx: &Context<'_>) -> Result<PayoutSettings> {
        let actor = ctx.principal().staff(FINANCE)?;
        Ok(ops::payouts::get_settings(&ctx.state().db, actor.tenant_id)
            .await?
            .into())
    }
}

/// Mutations of the incentive loop.
#[derive(Default)]
pub struct IncentiveMutation;

#[Object]
impl IncentiveMutation {
    /// Set a campaign's fraud policy (marketing manager); it applies to validations from now on.
    async fn set_fraud_policy(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        policy: FraudPolicy,
    ) -> Result<FraudPolicy> {
        let p = ctx.principal();
        let actor = p.staff(FRAUD_DECIDERS)?;
        let s = ctx.state();
        let policy = policy.into_domain()?;
        Ok(ops::fraud::set_policy(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            policy,
            s.clock.now(),
        )
        .await?
        .into())
    }

    /// Approve or reject a referral with a reason (marketing manager). Approval creates its
    /// rewards; rejection reverses any.
    async fn review_referral(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        verdict: ReviewVerdict,
        reason: String,
    ) -> Result<Referral> {
        let p = ctx.principal();
        let actor = p.staff(FRAUD_DECIDERS)?;
        let s = ctx.state();
        let verdict = match verdict {
            ReviewVerdict::Approve => Verdict::Approve,
            ReviewVerdict::Reject => Verdict::Reject,
        };
        let r = ops::fraud::review(
            &s.db,
            p,
            actor.tenant_id,
            id,
            verdict,
            &reason,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(r.into())
    }

    /// Approve a payout above the approval threshold (finance only).
    async fn approve_payout(&self, ctx: &Context<'_>, id: Uuid) -> Result<Payout> {
        let p = ctx.principal();
        let actor = p.staff(FINANCE)?;
        let s = ctx.state();
        let out = ops::payouts::approve(&s.db, p, actor.tenant_id, id, s.clock.now()).await?;
        s.nudge_relay();
        Ok(out.into())
    }

    /// Try a dead or failed payout again (finance); the provider is asked first whether an
    /// earlier attempt went through, so this never pays twice.
    async fn retry_payout(&self, ctx: &Context<'_>, id: Uuid) -> Result<Payout> {
        let p = ctx.principal();
        let actor = p.staff(FINANCE)?;
        let s = ctx.state();
        let out = ops::payouts::retry(&s.db, p, actor.tenant_id, id, s.clock.now()).await?;
        s.nudge_relay();
        Ok(out.into())
    }

    /// Cancel a payout awaiting approval or on hold (finance); its cash returns to the balance.
    async fn cancel_payout(&self, ctx: &Context<'_>, id: Uuid, reason: String) -> Result<Payout> {
        let p = ctx.principal();
        let actor = p.staff(FINANCE)?;
        let s = ctx.state();
        Ok(
            ops::payouts::cancel(&s.db, p, actor.tenant_id, id, &reason, s.clock.now())
                .await?
                .into(),
        )
    }

    /// Set the tenant's payout rules (finance).
    async fn set_payout_settings(
        &self,
        ctx: &Context<'_>,
        input: PayoutSettings,
    ) -> Result<PayoutSettings> {
        let p = ctx.principal();
        let actor = p.staff(FINANCE)?;
        let s = ctx.state();
        let draft = SettingsDraft {
            provider: input.provider.into(),
            schedule: input.schedule.into(),
            minimum_minor: input.minimum_minor.0,
            approval_threshold_minor: input.approval_threshold_minor.map(|b| b.0),
            tax_threshold_minor: input.tax_threshold_minor.map(|b| b.0),
            max_attempts: input.max_attempts,
        };
        Ok(
            ops::payouts::set_settings(&s.db, p, actor.tenant_id, draft, s.clock.now())
                .await?
                .into(),
        )
    }

    /// Correct a participant's cash balance by hand (finance); positive or negative.
    async fn adjust_balance(
        &self,
        ctx: &Context<'_>,
        participant_id: Uuid,
        amount_minor: BigInt,
        currency: String,
        memo: String,
    ) -> Result<LedgerEntry> {
        let p = ctx.principal();
        let actor = p.staff(FINANCE)?;
        let s = ctx.state();
        Ok(ops::payouts::adjust(
            &s.db,
            p,
            actor.tenant_id,
            participant_id,
            amount_minor.0,
            &currency,
            &memo,
            s.clock.now(),
        )
        .await?
        .into())
    }

    /// Mark a participant's tax details as on file (or not) (finance); held payouts are re-checked.
    async fn set_tax_status(
        &self,
        ctx: &Context<'_>,
        participant_id: Uuid,
        on_file: bool,
    ) -> Result<Participant> {
        let p = ctx.principal();
        let actor = p.staff(FINANCE)?;
        let s = ctx.state();
        let out = ops::payouts::set_tax_status(
            &s.db,
            p,
            actor.tenant_id,
            participant_id,
            on_file,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(out.into())
    }

    /// A Stripe Connect onboarding link for a participant (their connected account is created on
    /// first use).
    async fn create_payout_onboarding_link(
        &self,
        ctx: &Context<'_>,
        participant_id: Uuid,
        refresh_url: String,
        return_url: String,
    ) -> Result<PayoutOnboardingLink> {
        let actor = ctx.principal().staff(ONBOARDERS)?;
        let s = ctx.state();
        let (participant, url) = ops::payouts::onboarding_link(
            &s.db,
            &s.secrets,
            s.connect.as_ref(),
            actor.tenant_id,
            participant_id,
            &refresh_url,
            &return_url,
            s.clock.now(),
        )
        .await?;
        Ok(PayoutOnboardingLink {
            url,
            participant: participant.into(),
        })
    }

    /// Ask Stripe whether a participant finished payout onboarding; payouts held for want of an
    /// account go ahead when they have.
    async fn refresh_payout_onboarding(
        &self,
        ctx: &Context<'_>,
        participant_id: Uuid,
    ) -> Result<Participant> {
        let actor = ctx.principal().staff(ONBOARDERS)?;
        let s = ctx.state();
        let out = ops::payouts::refresh_onboarding(
            &s.db,
            &s.secrets,
            s.connect.as_ref(),
            actor.tenant_id,
            participant_id,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(out.into())
    }
}
