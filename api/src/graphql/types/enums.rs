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
