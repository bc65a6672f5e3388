//! The job kinds' handlers. Each payload (a serde struct carrying ids) is defined with its name in
//! `grapevine_entity::ops::jobs`; its handler is here.

pub mod digest;
pub mod import;
pub mod launch;
pub mod prune;
pub mod release;
pub mod rollup;
pub mod settle;
pub mod validate;

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{RewardType, rewards};
use sea_orm::{ConnectionTrait, DbErr};

pub use grapevine_entity::ops::jobs::{
    CampaignDigest, DeliverWebhook, DigestRun, FulfilReward, ImportParticipants, LaunchCampaign,
    PayPayout, PayoutRun, PruneOutbox, Reconcile, RefreshRollups, ReleaseRewards, SendEmail,
    SettleReferral, ValidateReferral,
};

use crate::{outbox::enqueue_once, runner::Registry};

/// Every job kind this build knows.
pub fn registry() -> Registry {
    Registry::default()
        .register::<LaunchCampaign>()
        .register::<SendEmail>()
        .register::<ValidateReferral>()
        .register::<SettleReferral>()
        .register::<ReleaseRewards>()
        .register::<FulfilReward>()
        .register::<PayoutRun>()
        .register::<PayPayout>()
        .register::<PruneOutbox>()
        .register::<Reconcile>()
        .register::<RefreshRollups>()
        .register::<DigestRun>()
        .register::<CampaignDigest>()
        .register::<DeliverWebhook>()
        .register::<ImportParticipants>()
}

/// What follows a reward's release: a coupon, credit or gift card is fulfilled on its own; cash
/// goes to a payout run for its tenant (which applies the tenant's schedule and minimum).
pub async fn after_release(
    conn: &impl ConnectionTrait,
    reward: &rewards::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if reward.reward_type == RewardType::Cash {
        let run = PayoutRun {
            tenant_id: Some(reward.tenant_id),
        };
        let key = format!("{}:{}", reward.tenant_id, now.timestamp_micros());
        enqueue_once(conn, Some(reward.tenant_id), &key, &run, now).await?;
    } else {
        let job = FulfilReward {
            reward_id: reward.id,
        };
        enqueue_once(
            conn,
            Some(reward.tenant_id),
            &reward.id.to_string(),
            &job,
            now,
        )
        .await?;
    }
    Ok(())
}
