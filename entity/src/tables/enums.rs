//! String-backed enums stored in the database (values in snake_case).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a string-backed active enum with `as_str`, `parse`, `ALL` and `Display`.
///
/// The stored value, the serde name and `as_str` all come from the one literal given per
/// variant, so they cannot drift apart.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The stored (snake_case) value.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }

            /// Parses a stored (snake_case) value; `None` if unknown.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($value => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// What a back-office user may do.
    pub enum Role {
        Admin = "admin",
        MarketingManager = "marketing_manager",
        Sales = "sales",
        Finance = "finance",
        Ops = "ops",
    }
}

string_enum! {
    /// Secret keys are server-side; publishable keys may ship in a browser widget.
    pub enum ApiKeyKind {
        Secret = "secret",
        Publishable = "publishable",
    }
}

string_enum! {
    /// Lifecycle of a campaign.
    pub enum CampaignStatus {
        Draft = "draft",
        Active = "active",
        Paused = "paused",
        Ended = "ended",
    }
}

string_enum! {
    /// Which click gets the credit when a referee clicked several links.
    pub enum AttributionModel {
        FirstTouch = "first_touch",
        LastTouch = "last_touch",
    }
}

string_enum! {
    /// Who receives a reward.
    pub enum RewardSide {
        Referrer = "referrer",
        Referee = "referee",
    }
}

string_enum! {
    /// The referee action that earns a reward.
    pub enum RewardTrigger {
        Lead = "lead",
        FirstPurchase = "first_purchase",
        EachPurchase = "each_purchase",
    }
}

string_enum! {
    /// How a reward amount is computed.
    pub enum RewardKind {
        Fixed = "fixed",
        Percent = "percent",
        Tiered = "tiered",
    }
}

string_enum! {
    /// The form in which a reward is paid.
    pub enum RewardType {
        Cash = "cash",
        Coupon = "coupon",
        Credit = "credit",
        GiftCard = "gift_card",
    }
}

string_enum! {
    /// Where a referral link is shared.
    pub enum Channel {
        Email = "email",
        Sms = "sms",
        Social = "social",
        Qr = "qr",
        Widget = "widget",
        Sales = "sales",
        Direct = "direct",
    }
}

string_enum! {
    /// The flavour of a referral link.
    pub enum LinkKind {
        Primary = "primary",
        Vanity = "vanity",
        Channel = "channel",
    }
}

string_enum! {
    /// The template family of an outgoing email.
    pub enum EmailKind {
        Launch = "launch",
        Invite = "invite",
        Welcome = "welcome",
        RewardEarned = "reward_earned",
        RewardPaid = "reward_paid",
        Digest = "digest",
    }
}

string_enum! {
    /// Delivery state of an outgoing email.
    pub enum EmailState {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        /// The SMTP exchange was interrupted: the message may or may not have left.
        Unknown = "unknown",
        Failed = "failed",
        Suppressed = "suppressed",
    }
}

string_enum! {
    /// Where a referral stands: pending until validated, then approved, held for review or rejected.
    pub enum ReferralStatus {
        Pending = "pending",
        Approved = "approved",
        Review = "review",
        Rejected = "rejected",
    }
}

string_enum! {
    /// How a referee was tied to their referrer.
    pub enum AttributionSource {
        /// A tracked click (`gv_click`).
        Click = "click",
        /// The referrer's code, typed or carried in `ref`.
        Code = "code",
        /// The customer was already tied to a referral.
        Customer = "customer",
    }
}

string_enum! {
    /// State of a job in the outbox.
    pub enum JobState {
        Pending = "pending",
        Dispatched = "dispatched",
        Running = "running",
        Done = "done",
        Dead = "dead",
        /// A dead job ops chose not to retry (its reason is in `last_error` and the audit log).
        Discarded = "discarded",
    }
}

string_enum! {
    /// Outcome of one attempt at a job. A run is recorded once it ends; `running` is no longer
    /// written (earlier versions opened each run as `running`, so older rows may hold it: a run
    /// cut short by a crash).
    pub enum JobRunOutcome {
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        Aborted = "aborted",
    }
}

string_enum! {
    /// What made a referral be (re)validated.
    pub enum ValidationCause {
        Lead = "lead",
        Conversion = "conversion",
        Refund = "refund",
        Review = "review",
    }
}

string_enum! {
    /// Who made a fraud decision.
    pub enum DecidedBy {
        Rules = "rules",
        Reviewer = "reviewer",
    }
}

string_enum! {
    /// Where a reward stands.
    pub enum RewardStatus {
        /// Created; waits for its hold period to end.
        Held = "held",
        /// The hold is over: fulfilment (coupon, credit, gift card) or the next payout run may take it.
        Released = "released",
        /// A coupon, credit or gift card was delivered.
        Fulfilled = "fulfilled",
        /// Paid out in cash.
        Paid = "paid",
        /// Fully reversed before it was fulfilled or paid.
        Reversed = "reversed",
    }
}

string_enum! {
    /// Why a ledger entry was written.
    pub enum LedgerKind {
        /// A reward was earned (+).
        Reward = "reward",
        /// A reward was reversed before it was settled (−).
        Reversal = "reversal",
        /// A settled reward was clawed back (−): later payouts net it off.
        Clawback = "clawback",
        /// A coupon, credit or gift card was delivered (−).
        Fulfilment = "fulfilment",
        /// Cash was set aside for a payout (−).
        Payout = "payout",
        /// A payout was cancelled and its cash returned (+).
        PayoutCancelled = "payout_cancelled",
        /// A manual correction by finance (±).
        Adjustment = "adjustment",
    }
}

string_enum! {
    /// Where a payout stands.
    pub enum PayoutStatus {
        /// Above the approval threshold: waits for finance.
        AwaitingApproval = "awaiting_approval",
        /// Held back (tax details missing, no payout account).
        OnHold = "on_hold",
        /// Ready for the provider.
        Pending = "pending",
        /// An attempt at the provider is under way.
        Processing = "processing",
        /// The provider confirmed it.
        Paid = "paid",
        /// The last attempt failed; another is scheduled.
        Failed = "failed",
        /// Every attempt failed; a person must retry or cancel it.
        Dead = "dead",
        /// Cancelled; its cash went back to the participant's balance.
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// When released cash is paid out.
    pub enum PayoutSchedule {
        Immediate = "immediate",
        Daily = "daily",
        Weekly = "weekly",
    }
}

string_enum! {
    /// Who pays cash out.
    pub enum PayoutProvider {
        /// Records what it would pay and pays nothing (the embedded default).
        DryRun = "dry_run",
        /// Stripe Connect transfers.
        Stripe = "stripe",
    }
}

string_enum! {
    /// Outcome of one payout attempt.
    pub enum AttemptOutcome {
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

string_enum! {
    /// A participant's payout account onboarding.
    pub enum PayoutOnboarding {
        None = "none",
        Pending = "pending",
        Complete = "complete",
    }
}

string_enum! {
    /// Whether a participant's tax details are on file.
    pub enum TaxStatus {
        Missing = "missing",
        OnFile = "on_file",
    }
}

string_enum! {
    /// Where a reconciliation run stands.
    pub enum ReconciliationStatus {
        /// Queued or fetching from the providers.
        Running = "running",
        /// Finished; its items are the mismatches found.
        Done = "done",
        /// The providers could not be read; `error` says why.
        Failed = "failed",
    }
}

string_enum! {
    /// Which kind of provider object a reconciliation item is about.
    pub enum ReconciledObject {
        /// A Stripe Connect transfer (a cash payout).
        Transfer = "transfer",
        /// A Stripe coupon (a coupon reward).
        Coupon = "coupon",
        /// A gift card from the gift-card API.
        GiftCard = "gift_card",
    }
}

string_enum! {
    /// What a reconciliation found wrong with one object.
    pub enum ReconciliationIssue {
        /// We recorded it as paid or delivered; the provider has no such object.
        MissingAtProvider = "missing_at_provider",
        /// The provider has an object for which we have no record.
        MissingInGrapevine = "missing_in_grapevine",
        /// Both sides have it, with different amounts.
        AmountDiffers = "amount_differs",
        /// Both sides have it, in different currencies.
        CurrencyDiffers = "currency_differs",
        /// Both sides have it, and disagree on whether it went through.
        StatusDiffers = "status_differs",
        /// The provider has more than one object for one of ours: paid twice.
        DuplicateAtProvider = "duplicate_at_provider",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T>(all: &[T], as_str: fn(&T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: ActiveEnum<Value = String> + PartialEq + std::fmt::Debug + Serialize,
    {
        for v in all {
            let s = as_str(v);
            assert_eq!(parse(s).as_ref(), Some(v));
            assert_eq!(v.to_value(), s);
            assert_eq!(
                serde_json::to_value(v).ok(),
                Some(serde_json::Value::from(s))
            );
        }
        assert_eq!(T::iter().count(), all.len());
        assert!(parse("no_such_value").is_none());
    }

    #[test]
    fn every_enum_value_round_trips_through_str_db_and_serde() {
        round_trips(Role::ALL, Role::as_str, Role::parse);
        round_trips(ApiKeyKind::ALL, ApiKeyKind::as_str, ApiKeyKind::parse);
        round_trips(
            CampaignStatus::ALL,
            CampaignStatus::as_str,
            CampaignStatus::parse,
        );
        round_trips(
            AttributionModel::ALL,
            AttributionModel::as_str,
            AttributionModel::parse,
        );
        round_trips(RewardSide::ALL, RewardSide::as_str, RewardSide::parse);
        round_trips(
            RewardTrigger::ALL,
            RewardTrigger::as_str,
            RewardTrigger::parse,
        );
        round_trips(RewardKind::ALL, RewardKind::as_str, RewardKind::parse);
        round_trips(RewardType::ALL, RewardType::as_str, RewardType::parse);
        round_trips(Channel::ALL, Channel::as_str, Channel::parse);
        round_trips(LinkKind::ALL, LinkKind::as_str, LinkKind::parse);
        round_trips(EmailKind::ALL, EmailKind::as_str, EmailKind::parse);
        round_trips(EmailState::ALL, EmailState::as_str, EmailState::parse);
        round_trips(
            ReferralStatus::ALL,
            ReferralStatus::as_str,
            ReferralStatus::parse,
        );
        round_trips(
            AttributionSource::ALL,
            AttributionSource::as_str,
            AttributionSource::parse,
        );
        round_trips(JobState::ALL, JobState::as_str, JobState::parse);
        round_trips(
            JobRunOutcome::ALL,
            JobRunOutcome::as_str,
            JobRunOutcome::parse,
        );
        round_trips(
            ValidationCause::ALL,
            ValidationCause::as_str,
            ValidationCause::parse,
        );
        round_trips(DecidedBy::ALL, DecidedBy::as_str, DecidedBy::parse);
        round_trips(RewardStatus::ALL, RewardStatus::as_str, RewardStatus::parse);
        round_trips(LedgerKind::ALL, LedgerKind::as_str, LedgerKind::parse);
        round_trips(PayoutStatus::ALL, PayoutStatus::as_str, PayoutStatus::parse);
        round_trips(
            PayoutSchedule::ALL,
            PayoutSchedule::as_str,
            PayoutSchedule::parse,
        );
        round_trips(
            PayoutProvider::ALL,
            PayoutProvider::as_str,
            PayoutProvider::parse,
        );
        round_trips(
            AttemptOutcome::ALL,
            AttemptOutcome::as_str,
            AttemptOutcome::parse,
        );
        round_trips(
            PayoutOnboarding::ALL,
            PayoutOnboarding::as_str,
            PayoutOnboarding::parse,
        );
        round_trips(TaxStatus::ALL, TaxStatus::as_str, TaxStatus::parse);
        round_trips(
            ReconciliationStatus::ALL,
            ReconciliationStatus::as_str,
            ReconciliationStatus::parse,
        );
        round_trips(
            ReconciledObject::ALL,
            ReconciledObject::as_str,
            ReconciledObject::parse,
        );
        round_trips(
            ReconciliationIssue::ALL,
            ReconciliationIssue::as_str,
            ReconciliationIssue::parse,
        );
    }

    #[test]
    fn snake_case_values_match_the_spec() {
        assert_eq!(Role::MarketingManager.as_str(), "marketing_manager");
        assert_eq!(RewardType::GiftCard.to_string(), "gift_card");
        assert_eq!(
            AttributionModel::parse("first_touch"),
            Some(AttributionModel::FirstTouch)
        );
    }
}
