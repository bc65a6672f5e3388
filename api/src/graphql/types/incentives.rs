//! Fraud decisions, rewards, the ledger and payouts.

use async_graphql::{Enum, InputObject, Json, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::{domain::fraud, tables};
use serde_json::Value;
use uuid::Uuid;

use super::{
    enums::{
        AttemptOutcome, DecidedBy, LedgerKind, PayoutProvider, PayoutSchedule, PayoutStatus,
        ReferralStatus, RewardSide, RewardStatus, RewardType, ValidationCause,
    },
    tracking::Referral,
};
use crate::graphql::scalars::{BigInt, Money};

/// A fraud rule.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum FraudRule {
    /// Referrer and referee share an email once provider tricks (dots, `+tags`) are undone.
    SelfReferralEmail,
    /// Referrer and referee paid with the same card (payment fingerprint).
    SelfReferralPayment,
    /// The referee used an address (and browser) the referrer used within `sharedDeviceDays`.
    SharedDevice,
    /// The referee's email domain is a known throwaway one (list shipped with Grapevine).
    DisposableEmail,
    /// The referrer brought more referrals in the hour before than `maxPerHour`.
    VelocityHour,
    /// Likewise over the day before, against `maxPerDay`.
    VelocityDay,
    /// The referee had bought before the referral (not a new customer).
    RefereeNotNew,
    /// At least `refundBps` of the purchase was refunded.
    Refunded,
}

impl From<fraud::Rule> for FraudRule {
    fn from(r: fraud::Rule) -> Self {
        use fraud::Rule as R;
        match r {
            R::SelfReferralEmail => Self::SelfReferralEmail,
            R::SelfReferralPayment => Self::SelfReferralPayment,
            R::SharedDevice => Self::SharedDevice,
            R::DisposableEmail => Self::DisposableEmail,
            R::VelocityHour => Self::VelocityHour,
            R::VelocityDay => Self::VelocityDay,
            R::RefereeNotNew => Self::RefereeNotNew,
            R::Refunded => Self::Refunded,
        }
    }
}

impl From<FraudRule> for fraud::Rule {
    fn from(r: FraudRule) -> Self {
        use fraud::Rule as R;
        match r {
            FraudRule::SelfReferralEmail => R::SelfReferralEmail,
            FraudRule::SelfReferralPayment => R::SelfReferralPayment,
            FraudRule::SharedDevice => R::SharedDevice,
            FraudRule::DisposableEmail => R::DisposableEmail,
            FraudRule::VelocityHour => R::VelocityHour,
            FraudRule::VelocityDay => R::VelocityDay,
            FraudRule::RefereeNotNew => R::RefereeNotNew,
            FraudRule::Refunded => R::Refunded,
        }
    }
}

/// A rule that fired: why a referral scored what it did.
#[derive(SimpleObject, Clone)]
pub struct FraudSignal {
    /// The rule.
    pub rule: FraudRule,
    /// Its score.
    pub score: i32,
    /// Recorded only: a rule in shadow mode does not count towards the decision.
    pub shadow: bool,
    /// What the rule saw (e.g. `{"shared": "device", "within_days": 30}`).
    pub evidence: Json<Value>,
}

impl FraudSignal {
    /// From a stored signal (`None` for a rule this build does not know).
    pub fn from_row(m: tables::fraud_signals::Model) -> Option<Self> {
        Some(Self {
            rule: fraud::Rule::parse(&m.rule)?.into(),
            score: m.score,
            shadow: m.shadow,
            evidence: Json(m.evidence),
        })
    }

    /// From a computed signal.
    pub fn from_signal(s: fraud::Signal) -> Self {
        Self {
            rule: s.rule.into(),
            score: i32::try_from(s.score).unwrap_or(i32::MAX),
            shadow: s.shadow,
            evidence: Json(s.evidence),
        }
    }
}

/// One decision about a referral, by the rules or by a reviewer.
#[derive(SimpleObject, Clone)]
pub struct FraudDecision {
    /// Id.
    pub id: Uuid,
    /// What triggered it.
    pub cause: ValidationCause,
    /// The outcome.
    pub decision: ReferralStatus,
    /// Rules or reviewer.
    pub decided_by: DecidedBy,
    /// The counted score (shadow signals excluded).
    pub total_score: i32,
    /// The reviewer's reason.
    pub reason: Option<String>,
    /// The reviewer.
    pub reviewer_id: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The rules that fired.
    pub signals: Vec<FraudSignal>,
}

impl FraudDecision {
    /// From a decision and its signals.
    pub fn new(
        d: tables::fraud_decisions::Model,
        signals: Vec<tables::fraud_signals::Model>,
    ) -> Self {
        Self {
            id: d.id,
            cause: d.cause.into(),
            decision: d.decision.into(),
            decided_by: d.decided_by.into(),
            total_score: d.total_score,
            reason: d.reason,
            reviewer_id: d.reviewer_id,
            created_at: d.created_at,
            signals: signals
                .into_iter()
                .filter_map(FraudSignal::from_row)
                .collect(),
        }
    }
}

/// How a rule is used in a policy.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "FraudRuleSettingInput")]
pub struct FraudRuleSetting {
    /// The rule.
    pub rule: FraudRule,
    /// Score when it fires (0–1000).
    pub score: i32,
    /// Record the signal without counting it.
    pub shadow: bool,
    /// Off entirely.
    pub enabled: bool,
}

/// A campaign's fraud policy: scores add up; from `reviewAt` a referral goes to the review queue,
/// from `rejectAt` it is rejected.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "FraudPolicyInput")]
pub struct FraudPolicy {
    /// Total from which a referral goes to review.
    pub review_at: i32,
    /// Total from which it is rejected.
    pub reject_at: i32,
    /// Referrals per referrer per hour above which `VELOCITY_HOUR` fires.
    pub max_per_hour: i32,
    /// Referrals per referrer per day above which `VELOCITY_DAY` fires.
    pub max_per_day: i32,
    /// Refunded share (basis points) from which `REFUNDED` fires.
    pub refund_bps: i32,
    /// How far back (days) a device the referrer used counts as theirs.
    pub shared_device_days: i32,
    /// Per-rule settings (a rule not listed does not run).
    pub rules: Vec<FraudRuleSetting>,
}

impl From<fraud::Policy> for FraudPolicy {
    fn from(p: fraud::Policy) -> Self {
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            review_at: n(p.review_at),
            reject_at: n(p.reject_at),
            max_per_hour: n(p.max_per_hour),
            max_per_day: n(p.max_per_day),
            refund_bps: n(p.refund_bps),
            shared_device_days: n(p.shared_device_days),
            rules: p
                .rules
                .into_iter()
                .map(|s| FraudRuleSetting {
                    rule: s.rule.into(),
                    score: n(s.score),
                    shadow: s.shadow,
                    enabled: s.enabled,
                })
                .collect(),
        }
    }
}

impl FraudPolicy {
    /// To the domain policy; negative numbers are refused with the field's name.
    pub fn into_domain(self) -> Result<fraud::Policy, crate::error::ApiError> {
        let u = |field: &str, v: i32| {
            u32::try_from(v)
                .map_err(|_| crate::error::ApiError::invalid(field, "must not be negative"))
        };
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, s) in self.rules.into_iter().enumerate() {
            rules.push(fraud::RuleSetting {
                rule: s.rule.into(),
                score: u(&format!("rules[{i}].score"), s.score)?,
                shadow: s.shadow,
                enabled: s.enabled,
            });
        }
        Ok(fraud::Policy {
            review_at: u("reviewAt", self.review_at)?,
            reject_at: u("rejectAt", self.reject_at)?,
            max_per_hour: u("maxPerHour", self.max_per_hour)?,
            max_per_day: u("maxPerDay", self.max_per_day)?,
            refund_bps: u("refundBps", self.refund_bps)?,
            shared_device_days: u("sharedDeviceDays", self.shared_device_days)?,
            rules,
        })
    }
}

/// A reviewer's verdict.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewVerdict {
    /// Good: its rewards are created.
    Approve,
    /// Fraud: its rewards are reversed.
    Reject,
}

/// A referral the candidate policy would decide differently.
#[derive(SimpleObject, Clone)]
pub struct ReplayedReferral {
    /// The referral (as it stands).
    pub referral: Referral,
    /// What the candidate policy would decide.
    pub would: ReferralStatus,
    /// Its counted score under the candidate.
    pub score: i32,
    /// Its signals under the candidate.
    pub signals: Vec<FraudSignal>,
    /// It later proved good (a reviewer approved it, or its reward outlived the hold unrefunded).
    pub proved_good: bool,
}

/// What a rule change would have decided over past referrals.
#[derive(SimpleObject, Clone)]
pub struct FraudReplay {
    /// Referrals re-scored (validated ones created in the period; at most 5000).
    pub total: i32,
    /// Whose decision would change.
    pub changed: i32,
    /// Referrals that proved good but would now go to review or be rejected.
    pub false_positives: i32,
    /// Would be approved.
    pub approved: i32,
    /// Would go to review.
    pub review: i32,
    /// Would be rejected.
    pub rejected: i32,
    /// More referrals matched than one replay re-scores.
    pub truncated: bool,
    /// The changed referrals (the first 200).
    pub differences: Vec<ReplayedReferral>,
}

/// A reward for one side of a referral.
#[derive(SimpleObject, Clone)]
pub struct Reward {
    /// Id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// The referral that earned it.
    pub referral_id: Uuid,
    /// The purchase that triggered it (none for a signup reward).
    pub conversion_id: Option<Uuid>,
    /// Who receives it.
    pub participant_id: Uuid,
    /// Referrer or referee.
    pub side: RewardSide,
    /// Cash, coupon, credit or gift card.
    pub reward_type: RewardType,
    /// Amount earned.
    pub amount: Money,
    /// Reversed so far (refunds, rejection).
    pub reversed: Money,
    /// State.
    pub status: RewardStatus,
    /// When the hold period ends.
    pub release_at: DateTime<Utc>,
    /// The payout that pays it (cash).
    pub payout_id: Option<Uuid>,
    /// The provider's reference (coupon id, gift card id).
    pub fulfilment_ref: Option<String>,
    /// The code the recipient redeems.
    pub fulfilment_code: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<tables::rewards::Model> for Reward {
    fn from(m: tables::rewards::Model) -> Self {
        Self {
            id: m.id,
            campaign_id: m.campaign_id,
            referral_id: m.referral_id,
            conversion_id: m.conversion_id,
            participant_id: m.participant_id,
            side: m.side.into(),
            reward_type: m.reward_type.into(),
            amount: Money::new(m.amount_minor, &m.currency),
            reversed: Money::new(m.reversed_minor, &m.currency),
            status: m.status.into(),
            release_at: m.release_at,
            payout_id: m.payout_id,
            fulfilment_ref: m.fulfilment_ref,
            fulfilment_code: m.fulfilment_code,
            created_at: m.created_at,
        }
    }
}

/// Which rewards to list.
#[derive(InputObject, Default)]
pub struct RewardFilter {
    /// Of one campaign.
    pub campaign_id: Option<Uuid>,
    /// Of one participant.
    pub participant_id: Option<Uuid>,
    /// Of one referral.
    pub referral_id: Option<Uuid>,
    /// In one state.
    pub status: Option<RewardStatus>,
}

/// One attempt at a payout.
#[derive(SimpleObject, Clone)]
pub struct PayoutAttempt {
    /// 1-based.
    pub attempt: i32,
    /// Outcome.
    pub outcome: AttemptOutcome,
    /// The provider's reference when it succeeded.
    pub provider_ref: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<tables::payout_attempts::Model> for PayoutAttempt {
    fn from(m: tables::payout_attempts::Model) -> Self {
        Self {
            attempt: m.attempt,
            outcome: m.outcome.into(),
            provider_ref: m.provider_ref,
            error: m.error,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}

/// Cash paid to one participant in one currency: their payable balance when it was created.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Payout {
    /// Id (the provider's reference: Stripe `transfer_group`).
    pub id: Uuid,
    /// Who is paid.
    pub participant_id: Uuid,
    /// How much.
    pub amount: Money,
    /// State.
    pub status: PayoutStatus,
    /// Who pays.
    pub provider: PayoutProvider,
    /// The provider's id (Stripe transfer).
    pub provider_ref: Option<String>,
    /// Why it waits (`above_approval_threshold`, `tax_details_missing`, `payout_account_missing`).
    pub hold_reason: Option<String>,
    /// Attempts made.
    pub attempts: i32,
    /// Attempts allowed before it is dead.
    pub max_attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the next attempt is due (failed payouts).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The finance user who approved it.
    pub approved_by: Option<Uuid>,
    /// When it was approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Paid.
    pub paid_at: Option<DateTime<Utc>>,
}

impl From<tables::payouts::Model> for Payout {
    fn from(m: tables::payouts::Model) -> Self {
        Self {
            id: m.id,
            participant_id: m.participant_id,
            amount: Money::new(m.amount_minor, &m.currency),
            status: m.status.into(),
            provider: m.provider.into(),
            provider_ref: m.provider_ref,
            hold_reason: m.hold_reason,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            last_error: m.last_error,
            next_attempt_at: m.next_attempt_at,
            approved_by: m.approved_by,
            approved_at: m.approved_at,
            created_at: m.created_at,
            paid_at: m.paid_at,
        }
    }
}

/// Which payouts to list.
#[derive(InputObject, Default)]
pub struct PayoutFilter {
    /// In one state.
    pub status: Option<PayoutStatus>,
    /// Of one participant.
    pub participant_id: Option<Uuid>,
}

/// One ledger entry (append-only; a balance is a sum of entries).
#[derive(SimpleObject, Clone)]
pub struct LedgerEntry {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub participant_id: Uuid,
    /// Which balance.
    pub account: RewardType,
    /// Signed amount.
    pub amount: Money,
    /// Why.
    pub kind: LedgerKind,
    /// The reward it concerns.
    pub reward_id: Option<Uuid>,
    /// The payout it concerns.
    pub payout_id: Option<Uuid>,
    /// The campaign it concerns.
    pub campaign_id: Option<Uuid>,
    /// A note.
    pub memo: String,
    /// From when it counts towards the payable balance.
    pub available_at: DateTime<Utc>,
    /// Written.
    pub created_at: DateTime<Utc>,
}

impl From<tables::ledger_entries::Model> for LedgerEntry {
    fn from(m: tables::ledger_entries::Model) -> Self {
        Self {
            id: m.id,
            participant_id: m.participant_id,
            account: m.account.into(),
            amount: Money::new(m.amount_minor, &m.currency),
            kind: m.kind.into(),
            reward_id: m.reward_id,
            payout_id: m.payout_id,
            campaign_id: m.campaign_id,
            memo: m.memo,
            available_at: m.available_at,
            created_at: m.created_at,
        }
    }
}

/// A participant's balance in one account and currency.
#[derive(SimpleObject, Clone)]
pub struct Balance {
    /// Which balance.
    pub account: RewardType,
    /// Everything owed, held rewards included (the sum of all entries).
    pub total: Money,
    /// What is payable now (entries whose hold has ended).
    pub available: Money,
}

/// The tenant's payout rules.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "PayoutSettingsInput")]
pub struct PayoutSettings {
    /// Who pays cash (`DRY_RUN` by default).
    pub provider: PayoutProvider,
    /// When.
    pub schedule: PayoutSchedule,
    /// Smallest payout, in minor units of the payout's currency.
    pub minimum_minor: BigInt,
    /// Payouts above this (minor units) wait for finance approval; null = never.
    pub approval_threshold_minor: Option<BigInt>,
    /// Yearly cash per participant and currency above which their tax details must be on file;
    /// null = no threshold.
    pub tax_threshold_minor: Option<BigInt>,
    /// Attempts before a payout is dead.
    pub max_attempts: i32,
}

impl From<tables::payout_settings::Model> for PayoutSettings {
    fn from(m: tables::payout_settings::Model) -> Self {
        Self {
            provider: m.provider.into(),
            schedule: m.schedule.into(),
            minimum_minor: BigInt(m.minimum_minor),
            approval_threshold_minor: m.approval_threshold_minor.map(BigInt),
            tax_threshold_minor: m.tax_threshold_minor.map(BigInt),
            max_attempts: m.max_attempts,
        }
    }
}

/// A Stripe Connect onboarding link for a participant.
#[derive(SimpleObject, Clone)]
pub struct PayoutOnboardingLink {
    /// Send the participant here (valid for a few minutes).
    pub url: String,
    /// The participant, with their payout account.
    pub participant: super::people::Participant,
}
