//! The job kinds' payloads: what an operation enqueues (ids, never snapshots), each with its
//! stable name and attempt budget. Their handlers live in the job runtime (`grapevine-worker`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::outbox::JobKind;

/// Job: send the launch emails of a campaign that has just gone live.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaunchCampaign {
    /// `campaigns.id`.
    pub campaign_id: Uuid,
    /// Only this participant (enrolled after the launch); `None` = everyone invited.
    #[serde(default)]
    pub participant_id: Option<Uuid>,
}

impl JobKind for LaunchCampaign {
    const KIND: &'static str = "campaign.launch";
}

/// Job: send one recorded email, at most once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendEmail {
    /// `emails.id`.
    pub email_id: Uuid,
}

impl JobKind for SendEmail {
    const KIND: &'static str = "email.send";
    const MAX_ATTEMPTS: i32 = 10;
}

/// Job: validate a referral (fraud signals, then its rewards).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ValidateReferral {
    /// `referrals.id`.
    pub referral_id: Uuid,
    /// `conversions.id`, when a conversion (or its refund) triggered it.
    pub conversion_id: Option<Uuid>,
}

impl JobKind for ValidateReferral {
    const KIND: &'static str = "referral.validate";
    const MAX_ATTEMPTS: i32 = 10;
}

/// Job: create, shrink or reverse a referral's rewards to match its status and refunds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettleReferral {
    /// `referrals.id`.
    pub referral_id: Uuid,
}

impl JobKind for SettleReferral {
    const KIND: &'static str = "referral.settle";
    const MAX_ATTEMPTS: i32 = 10;
}

/// Job: release every reward whose hold has ended.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReleaseRewards {}

impl JobKind for ReleaseRewards {
    const KIND: &'static str = "rewards.release";
    const MAX_ATTEMPTS: i32 = 3;
}

/// Job: deliver one non-cash reward.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FulfilReward {
    /// `rewards.id`.
    pub reward_id: Uuid,
}

impl JobKind for FulfilReward {
    const KIND: &'static str = "reward.fulfil";
}

/// Job: run payouts for one tenant, or every tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PayoutRun {
    /// Only this tenant.
    #[serde(default)]
    pub tenant_id: Option<Uuid>,
}

impl JobKind for PayoutRun {
    const KIND: &'static str = "payouts.run";
    const MAX_ATTEMPTS: i32 = 3;
}

/// Job: make one attempt at a payout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayPayout {
    /// `payouts.id`.
    pub payout_id: Uuid,
}

impl JobKind for PayPayout {
    const KIND: &'static str = "payout.pay";
}

/// Job: prune finished jobs past the retention.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PruneOutbox {}

impl JobKind for PruneOutbox {
    const KIND: &'static str = "outbox.prune";
    const MAX_ATTEMPTS: i32 = 3;
}

/// Job: run one reconciliation (a row of `reconciliations` in state `running`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reconcile {
    /// `reconciliations.id`.
    pub reconciliation_id: Uuid,
}

impl JobKind for Reconcile {
    const KIND: &'static str = "payouts.reconcile";
    const MAX_ATTEMPTS: i32 = 5;
}

/// Job: one refresh pass over every tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RefreshRollups {}

impl JobKind for RefreshRollups {
    const KIND: &'static str = "rollup.refresh";
    const MAX_ATTEMPTS: i32 = 3;
}

/// Job: queue this week's digest of every live campaign that has an owner.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DigestRun {
    /// The ISO week, `2026-W48`.
    pub week: String,
}

impl JobKind for DigestRun {
    const KIND: &'static str = "reports.digest_run";
}

/// Job: one campaign's digest to its owner.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CampaignDigest {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The email's at-most-once key (`digest:<campaign>:<week>`, or a fresh one for a digest
    /// asked for by hand).
    pub dedupe: String,
}

impl JobKind for CampaignDigest {
    const KIND: &'static str = "reports.digest";
}

/// Job: attempt a webhook delivery (of one sequence: a replay starts the next).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeliverWebhook {
    /// `webhook_deliveries.id`.
    pub delivery_id: Uuid,
    /// The delivery's sequence this job is for (0, then one more per replay).
    pub sequence: i32,
}

impl DeliverWebhook {
    /// The most attempts `webhooks.max_attempts` may ask for.
    pub const MAX_ATTEMPTS_CEILING: i32 = 25;

    /// The `enqueue_once` key: one job per delivery and sequence.
    pub fn key(&self) -> String {
        format!("{}:{}", self.delivery_id, self.sequence)
    }
}

impl JobKind for DeliverWebhook {
    const KIND: &'static str = "webhook.deliver";
    /// A ceiling: `webhooks.max_attempts` (at most this) decides when a delivery is dead.
    const MAX_ATTEMPTS: i32 = Self::MAX_ATTEMPTS_CEILING;
}

/// Job: import the participants of an uploaded CSV.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParticipants {
    /// `participant_imports.id`.
    pub import_id: Uuid,
}

impl JobKind for ImportParticipants {
    const KIND: &'static str = "participants.import";
}
