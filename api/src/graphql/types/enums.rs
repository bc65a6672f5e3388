//! GraphQL enums, each mirroring a stored enum (conversions generated with `remote`).

use async_graphql::Enum;
use grapevine_entity::tables;

/// A staff role.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::Role")]
pub enum Role {
    /// Everything, including users and keys.
    Admin,
    /// Campaigns, materials, participants, reports, review queue.
    MarketingManager,
    /// Enrol participants, links, invites; read campaigns.
    Sales,
    /// Rewards, payouts, approvals, reconciliation, reports.
    Finance,
    /// Queue health, API keys, webhooks; read-only otherwise.
    Ops,
}

/// Campaign lifecycle state.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::CampaignStatus")]
pub enum CampaignStatus {
    /// Being designed; not visible to participants.
    Draft,
    /// Live.
    Active,
    /// Temporarily stopped.
    Paused,
    /// Over; read-only.
    Ended,
}

/// Which touch wins when a referee followed several links.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::AttributionModel")]
pub enum AttributionModel {
    /// The first referrer keeps the referee.
    FirstTouch,
    /// The latest referrer within the window wins.
    LastTouch,
}

/// Who a reward rule pays.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::RewardSide")]
pub enum RewardSide {
    /// The existing customer who shared.
    Referrer,
    /// The friend who was referred.
    Referee,
}

/// What earns a reward.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::RewardTrigger")]
pub enum RewardTrigger {
    /// The referee signs up.
    Lead,
    /// The referee's first purchase.
    FirstPurchase,
    /// Each purchase, up to `maxPurchases`.
    EachPurchase,
}

/// How the reward amount is computed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::RewardKind")]
pub enum RewardKind {
    /// A fixed amount.
    Fixed,
    /// Basis points of the order amount.
    Percent,
    /// By the referrer's number of successful referrals, with milestone bonuses.
    Tiered,
}

/// How a reward is delivered.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::RewardType")]
pub enum RewardType {
    /// Paid out in money.
    Cash,
    /// A coupon for the next order.
    Coupon,
    /// Store credit.
    Credit,
    /// A gift card.
    GiftCard,
}

/// A sharing channel.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::Channel")]
pub enum Channel {
    /// Email.
    Email,
    /// Text message.
    Sms,
    /// Social networks.
    Social,
    /// QR code.
    Qr,
    /// The embedded widget.
    Widget,
    /// Sales staff.
    Sales,
    /// A plain link.
    Direct,
}

/// API key kind.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::ApiKeyKind")]
pub enum ApiKeyKind {
    /// `sk_…`: server to server; never put it in a browser.
    Secret,
    /// `pk_…`: for the widget, only from its allowed origins.
    Publishable,
}

/// What an email is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::EmailKind")]
pub enum EmailKind {
    /// Campaign launch.
    Launch,
    /// Friend invite.
    Invite,
    /// Welcome to a referee.
    Welcome,
    /// Reward earned.
    RewardEarned,
    /// Reward paid.
    RewardPaid,
    /// Weekly digest.
    Digest,
}

/// Delivery state of an email (each is sent at most once).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::EmailState")]
pub enum EmailState {
    /// Waiting to be sent.
    Queued,
    /// Handed to the SMTP server right now.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// A send was cut off (crash, broken connection): it may or may not have arrived; never resent automatically.
    Unknown,
    /// Refused by the SMTP server.
    Failed,
    /// Not sent: the address unsubscribed.
    Suppressed,
}

/// Where a background job is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::JobState")]
pub enum JobState {
    /// Waiting to be handed to the queue (or for its retry time).
    Pending,
    /// On the queue, not yet taken by a worker.
    Dispatched,
    /// A worker holds it.
    Running,
    /// Finished.
    Done,
    /// Every attempt failed; `retryJob` puts it back in line, `discardJob` gives it up.
    Dead,
    /// A dead job ops gave up (`discardJob`): kept for the record, never run again.
    Discarded,
}

/// What kind of referral link.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::LinkKind")]
pub enum LinkKind {
    /// The code given at enrolment.
    Primary,
    /// A code the participant or staff chose.
    Vanity,
    /// A per-channel variant, so reports can split by channel.
    Channel,
}

/// Where a referral stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::ReferralStatus")]
pub enum ReferralStatus {
    /// Waiting for fraud validation.
    Pending,
    /// Validated.
    Approved,
    /// Waiting for a person in the review queue.
    Review,
    /// Refused.
    Rejected,
}

/// How a referee was tied to their referrer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::AttributionSource")]
pub enum AttributionSource {
    /// A tracked click (`gv_click`).
    Click,
    /// The referrer's code.
    Code,
    /// The customer was already tied to a referral.
    Customer,
}

/// Where a reward stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::RewardStatus")]
pub enum RewardStatus {
    /// Created; waits for its hold period to end.
    Held,
    /// The hold is over: fulfilment or the next payout run takes it.
    Released,
    /// A coupon, credit or gift card was delivered.
    Fulfilled,
    /// Paid out in cash.
    Paid,
    /// Fully reversed before it was settled.
    Reversed,
}

/// Why a ledger entry was written.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::LedgerKind")]
pub enum LedgerKind {
    /// A reward was earned (+).
    Reward,
    /// A reward was reversed before it was settled (−).
    Reversal,
    /// A settled reward was clawed back (−); later payouts net it off.
    Clawback,
    /// A coupon, credit or gift card was delivered (−).
    Fulfilment,
    /// Cash set aside for a payout (−).
    Payout,
    /// A payout was cancelled and its cash returned (+).
    PayoutCancelled,
    /// A correction by finance (±).
    Adjustment,
}

/// Where a payout stands: `AWAITING_APPROVAL → PENDING → PROCESSING → PAID | FAILED → … → DEAD`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::PayoutStatus")]
pub enum PayoutStatus {
    /// Above the approval threshold: waits for finance.
    AwaitingApproval,
    /// Held back (see `holdReason`: tax details missing, no payout account).
    OnHold,
    /// Ready for the provider.
    Pending,
    /// An attempt is under way.
    Processing,
    /// The provider confirmed it.
    Paid,
    /// The last attempt failed; another is scheduled (`nextAttemptAt`).
    Failed,
    /// Every attempt failed (`lastError`); retry it with `retryPayout`.
    Dead,
    /// Cancelled; its cash went back to the balance.
    Cancelled,
}

/// When released cash is paid out.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::PayoutSchedule")]
pub enum PayoutSchedule {
    /// As soon as a reward is released.
    Immediate,
    /// At most once per participant and currency per (UTC) day.
    Daily,
    /// At most once per participant and currency per ISO week.
    Weekly,
}

/// Who pays cash out.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::PayoutProvider")]
pub enum PayoutProvider {
    /// Records what it would pay; pays nothing.
    DryRun,
    /// Stripe Connect transfers to the participant's connected account.
    Stripe,
}

/// Outcome of one payout attempt.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::AttemptOutcome")]
pub enum AttemptOutcome {
    /// Under way.
    Running,
    /// Paid.
    Succeeded,
    /// Failed (see `error`).
    Failed,
}

/// A participant's payout account onboarding.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::PayoutOnboarding")]
pub enum PayoutOnboarding {
    /// No payout account.
    None,
    /// Account created; onboarding not finished.
    Pending,
    /// Ready to receive payouts.
    Complete,
}

/// Whether a participant's tax details are on file.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::TaxStatus")]
pub enum TaxStatus {
    /// Not on file: cash above the tenant's yearly tax threshold is held.
    Missing,
    /// On file.
    OnFile,
}

/// What made a referral be (re)validated.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::ValidationCause")]
pub enum ValidationCause {
    /// The referee signed up.
    Lead,
    /// A purchase.
    Conversion,
    /// A refund.
    Refund,
    /// A reviewer's decision.
    Review,
}

/// Who made a fraud decision.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "tables::DecidedBy")]
pub enum DecidedBy {
    /// The campaign's fraud rules.
    Rules,
    /// A person, from the review queue.
    Reviewer,
}
