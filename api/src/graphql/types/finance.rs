//! Finance's reports: reconciliation, liability, campaign cost and payout totals.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::tables;
use uuid::Uuid;

use super::enums::{PayoutStatus, RewardType};
use crate::graphql::scalars::{BigInt, Money};
use grapevine_entity::ops::finance;

/// Where a reconciliation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::ReconciliationStatus")]
pub enum ReconciliationStatus {
    /// Queued, or reading the providers.
    Running,
    /// Finished: `mismatches` is everything it found (empty when both sides agree).
    Done,
    /// A provider could not be read (`error` says why); start another.
    Failed,
}

/// The kind of provider object compared.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::ReconciledObject")]
pub enum ReconciledObject {
    /// A Stripe Connect transfer: a cash payout.
    Transfer,
    /// A Stripe coupon: a coupon reward.
    Coupon,
    /// A gift card from the gift-card API.
    GiftCard,
}

/// What a reconciliation found wrong with one object.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::ReconciliationIssue")]
pub enum ReconciliationIssue {
    /// We recorded it as paid or delivered; the provider has no such object.
    MissingAtProvider,
    /// The provider has an object (created in the period) for which we have no record.
    MissingInGrapevine,
    /// Both sides have it, with different amounts (a transfer counts net of reversals).
    AmountDiffers,
    /// Both sides have it, in different currencies.
    CurrencyDiffers,
    /// Both sides have it and disagree on whether it went through (e.g. reversed at the
    /// provider, or paid there while we recorded a failure).
    StatusDiffers,
    /// The provider holds more than one object for one of ours: paid or issued twice.
    DuplicateAtProvider,
}

/// A comparison of a period's payouts (Stripe transfers) and delivered rewards (Stripe coupons,
/// gift cards) with the providers.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Reconciliation {
    /// Id.
    pub id: Uuid,
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Where it stands.
    pub status: ReconciliationStatus,
    /// Objects compared: our payouts and delivered rewards of the period, plus provider
    /// transfers of the period that none of ours claimed.
    pub checked: i32,
    /// Objects both sides agree on.
    pub matched: i32,
    /// Number of mismatches found.
    pub mismatched: i32,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<tables::reconciliations::Model> for Reconciliation {
    fn from(m: tables::reconciliations::Model) -> Self {
        Self {
            id: m.id,
            from: m.period_from,
            to: m.period_to,
            status: m.status.into(),
            checked: m.checked,
            matched: m.matched,
            mismatched: m.mismatched,
            error: m.error,
            created_at: m.created_at,
            finished_at: m.finished_at,
        }
    }
}

/// One disagreement between us and a provider.
#[derive(SimpleObject)]
pub struct ReconciliationMismatch {
    /// Transfer, coupon or gift card.
    pub object: ReconciledObject,
    /// What is wrong.
    pub issue: ReconciliationIssue,
    /// Our payout (for a transfer).
    pub payout_id: Option<Uuid>,
    /// Our reward (for a coupon or gift card).
    pub reward_id: Option<Uuid>,
    /// The provider's id.
    pub provider_ref: Option<String>,
    /// What we recorded.
    pub ours: Option<Money>,
    /// What the provider holds.
    pub provider: Option<Money>,
    /// Our state (`paid`, `fulfilled`, …).
    pub ours_status: Option<String>,
    /// The provider's state (`paid`, `reversed`, `partially_reversed`, `issued`, …).
    pub provider_status: Option<String>,
    /// A sentence for the person reading the report.
    pub detail: String,
}

impl From<tables::reconciliation_items::Model> for ReconciliationMismatch {
    fn from(m: tables::reconciliation_items::Model) -> Self {
        Self {
            object: m.object.into(),
            issue: m.issue.into(),
            payout_id: m.payout_id,
            reward_id: m.reward_id,
            provider_ref: m.provider_ref,
            ours: m.ours_minor.map(|a| Money::new(a, &m.currency)),
            provider: m.provider_minor.map(|a| Money::new(a, &m.currency)),
            ours_status: m.ours_status,
            provider_status: m.provider_status,
            detail: m.detail,
        }
    }
}

/// What the tenant owes in one currency and reward type.
#[derive(SimpleObject)]
pub struct Liability {
    /// Cash, coupon, credit or gift card.
    pub reward_type: RewardType,
    /// Rewards still in their hold period (net of partial reversals).
    pub held: Money,
    /// How many.
    pub held_count: BigInt,
    /// Rewards released (approved) and not yet paid or delivered.
    pub unpaid: Money,
    /// How many.
    pub unpaid_count: BigInt,
    /// `held + unpaid`.
    pub total: Money,
}

impl From<finance::Liability> for Liability {
    fn from(l: finance::Liability) -> Self {
        Self {
            reward_type: l.reward_type.into(),
            held: Money::new(l.held_minor, &l.currency),
            held_count: BigInt(l.held_count),
            unpaid: Money::new(l.unpaid_minor, &l.currency),
            unpaid_count: BigInt(l.unpaid_count),
            total: Money::new(l.held_minor + l.unpaid_minor, &l.currency),
        }
    }
}

/// A campaign's cost to date against its budget, in the campaign's currency.
#[derive(SimpleObject)]
pub struct CampaignCost {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The cap, if any.
    pub budget: Option<Money>,
    /// What counts against the cap: every reward created so far, less what was reversed.
    pub committed: Money,
    /// Of that, still in hold.
    pub held: Money,
    /// Released, not yet paid or delivered.
    pub unpaid: Money,
    /// Paid out or delivered.
    pub settled: Money,
    /// Reversed so far (refunds, fraud).
    pub reversed: Money,
    /// Budget left; null without a cap.
    pub remaining: Option<Money>,
    /// `committed / budget` (1.0 = exhausted); null without a cap.
    pub budget_used: Option<f64>,
}

impl CampaignCost {
    /// From the service's figures.
    pub fn new(campaign_id: Uuid, c: finance::CampaignCost) -> Self {
        let money = |v: i64| Money::new(v, &c.currency);
        Self {
            campaign_id,
            budget: c.budget_minor.map(money),
            committed: money(c.committed_minor),
            held: money(c.held_minor),
            unpaid: money(c.unpaid_minor),
            settled: money(c.settled_minor),
            reversed: money(c.reversed_minor),
            remaining: c.remaining_minor.map(money),
            #[allow(clippy::cast_precision_loss)]
            budget_used: c
                .budget_minor
                .filter(|b| *b > 0)
                .map(|b| c.committed_minor as f64 / b as f64),
        }
    }
}

/// Payouts of one currency and status created in a period.
#[derive(SimpleObject)]
pub struct PayoutTotal {
    /// Their status now.
    pub status: PayoutStatus,
    /// How many.
    pub count: BigInt,
    /// Their sum.
    pub amount: Money,
}

impl From<finance::PayoutTotal> for PayoutTotal {
    fn from(t: finance::PayoutTotal) -> Self {
        Self {
            status: t.status.into(),
            count: BigInt(t.count),
            amount: Money::new(t.amount_minor, &t.currency),
        }
    }
}
