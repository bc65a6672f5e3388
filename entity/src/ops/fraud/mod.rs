//! Fraud policy, the review queue and rule replay.

pub mod signals;
pub use signals::*;

use crate::ops::{jobs::SettleReferral, outbox::enqueue};
use crate::{
    db::begin_write,
    domain::fraud::{Decision, Policy, Signal},
    tables::{
        DecidedBy, ReferralStatus, RewardStatus, ValidationCause, conversions, fraud_decisions,
        fraud_signals, referrals, rewards,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{audit, campaigns as campaign_service};
use crate::{
    ops::error::{Error, Result},
    ops::principal::Principal,
};

/// Most referrals one replay re-scores.
pub const REPLAY_LIMIT: u64 = 5_000;

/// A campaign's policy (the default when it has none).
pub async fn policy(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
) -> Result<Policy> {
    Ok(policy_of(
        &campaign_service::get(conn, tenant_id, campaign_id).await?,
    ))
}

/// Replace a campaign's fraud policy; it applies to referrals validated from now on.
pub async fn set_policy(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    policy: Policy,
    now: DateTime<Utc>,
) -> Result<Policy> {
    let policy = policy.validate()?;
    let txn = begin_write(conn).await?;
    let campaign = campaign_service::get(&txn, tenant_id, campaign_id).await?;
    let value = serde_json::to_value(&policy).map_err(anyhow::Error::from)?;
    let mut m = campaign.into_active_model();
    m.fraud_policy = Set(Some(value.clone()));
    m.updated_at = Set(now);
    m.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "fraud_policy.set",
        "campaign",
        Some(campaign_id),
        value,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(policy)
}

/// A referral of the tenant.
pub async fn referral(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<referrals::Model> {
    crate::ops::tenancy::find_in_tenant::<referrals::Entity>(conn, tenant_id, id).await
}

/// A referral's decisions, newest first, each with its signals.
pub async fn decisions(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    referral_id: Uuid,
) -> Result<Vec<(fraud_decisions::Model, Vec<fraud_signals::Model>)>> {
    let decisions = fraud_decisions::Entity::find()
        .filter(fraud_decisions::Column::TenantId.eq(tenant_id))
        .filter(fraud_decisions::Column::ReferralId.eq(referral_id))
        .order_by_desc(fraud_decisions::Column::CreatedAt)
        .order_by_desc(fraud_decisions::Column::Id)
        .limit(100)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = decisions.iter().map(|d| d.id).collect();
    let mut signals = fraud_signals::Entity::find()
        .filter(fraud_signals::Column::DecisionId.is_in(ids))
        .order_by_desc(fraud_signals::Column::Score)
        .all(conn)
        .await?;
    Ok(decisions
        .into_iter()
        .map(|d| {
            let mine = signals
                .iter()
                .filter(|s| s.decision_id == d.id)
                .cloned()
                .collect();
            signals.retain(|s| s.decision_id != d.id);
            (d, mine)
        })
        .collect())
}

/// A reviewer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The referral is good: rewards follow.
    Approve,
    /// The referral is fraud: any rewards are reversed.
    Reject,
}

/// Decide a referral from the review queue (or overrule the rules on any referral). The decision
/// is stored with the reviewer and reason, and settlement runs (rewards created or reversed).
pub async fn review(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    referral_id: Uuid,
    verdict: Verdict,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<referrals::Model> {
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 1_000 {
        return Err(Error::invalid("reason", "say why, in 1 to 1000 characters"));
    }
    let txn = begin_write(conn).await?;
    let current = referral(&txn, tenant_id, referral_id).await?;
    let status = match verdict {
        Verdict::Approve => ReferralStatus::Approved,
        Verdict::Reject => ReferralStatus::Rejected,
    };
    if current.status == ReferralStatus::Pending {
        return Err(Error::Conflict(
            "the referral has not been validated yet; review it once the rules have scored it"
                .into(),
        ));
    }
    let reviewer = match principal {
        Principal::Staff { user_id, .. } => Some(*user_id),
        _ => None,
    };
    fraud_decisions::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        referral_id: Set(referral_id),
        conversion_id: Set(None),
        cause: Set(ValidationCause::Review),
        total_score: Set(current.score.unwrap_or(0)),
        decision: Set(status),
        decided_by: Set(DecidedBy::Reviewer),
        reviewer_id: Set(reviewer),
        reason: Set(Some(reason.to_owned())),
        policy: Set(json!({})),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let previous = current.status;
    let mut m = current.into_active_model();
    m.status = Set(status);
    m.decided_at = Set(Some(now));
    m.updated_at = Set(now);
    let updated = m.update(&txn).await?;
    if status != previous && crate::ops::webhook_events::flags(status) {
        let event = crate::ops::webhook_events::Event::referral_flagged(&updated, "reviewer", now);
        crate::ops::webhook_events::emit(&txn, &event, now).await?;
    }
    enqueue(&txn, Some(tenant_id), &SettleReferral { referral_id }, now).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "referral.review",
        "referral",
        Some(referral_id),
        json!({ "from": previous.as_str(), "to": status.as_str(), "reason": reason }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// One re-scored referral.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The referral.
    pub referral: referrals::Model,
    /// What the candidate policy would decide.
    pub would: Decision,
    /// Its counted score.
    pub score: u32,
    /// Its signals.
    pub signals: Vec<Signal>,
    /// Whether the referral later proved good (reviewer approval, or a reward that survived its
    /// hold with no refund).
    pub proved_good: bool,
}

/// What a replay found.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Referrals re-scored.
    pub total: usize,
    /// Whose decision would differ from the current status.
    pub changed: usize,
    /// Referrals that later proved good but would now go to review or be rejected.
    pub false_positives: usize,
    /// Counts per decision under the candidate policy.
    pub approved: usize,
    /// Would go to review.
    pub review: usize,
    /// Would be rejected.
    pub rejected: usize,
    /// The referrals whose decision would change (at most 200).
    pub differences: Vec<Replayed>,
    /// True when more referrals matched than one replay re-scores.
    pub truncated: bool,
}

/// Re-score the campaign's referrals created in `[from, to)` under `candidate`, writing nothing.
pub async fn replay(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
    candidate: Policy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Replay> {
    let candidate = candidate.validate()?;
    if to <= from {
        return Err(Error::invalid("to", "must be after from"));
    }
    campaign_service::get(conn, tenant_id, campaign_id).await?;
    let referrals = referrals::Entity::find()
        .filter(referrals::Column::TenantId.eq(tenant_id))
        .filter(referrals::Column::CampaignId.eq(campaign_id))
        .filter(referrals::Column::CreatedAt.gte(from))
        .filter(referrals::Column::CreatedAt.lt(to))
        .filter(referrals::Column::Status.ne(ReferralStatus::Pending))
        .order_by_asc(referrals::Column::CreatedAt)
        .limit(REPLAY_LIMIT + 1)
        .all(conn)
        .await?;
    let mut out = Replay {
        truncated: referrals.len() as u64 > REPLAY_LIMIT,
        ..Replay::default()
    };
    for referral in referrals.into_iter().take(REPLAY_LIMIT as usize) {
        let (signals, total, would) = score(conn, &referral, &candidate).await?;
        out.total += 1;
        match would {
            Decision::Approved => out.approved += 1,
            Decision::Review => out.review += 1,
            Decision::Rejected => out.rejected += 1,
        }
        let proved_good = proved_good(conn, &referral).await?;
        if would != Decision::Approved && proved_good {
            out.false_positives += 1;
        }
        if status_of(would) != referral.status {
            out.changed += 1;
            if out.differences.len() < 200 {
                out.differences.push(Replayed {
                    referral,
                    would,
                    score: total,
                    signals,
                    proved_good,
                });
            }
        }
    }
    Ok(out)
}

/// Did the referral prove good: approved by a reviewer, or approved with a reward that outlived
/// its hold and no refund on its orders?
async fn proved_good(conn: &impl ConnectionTrait, referral: &referrals::Model) -> Result<bool> {
    if referral.status != ReferralStatus::Approved {
        return Ok(false);
    }
    let reviewer_approved = fraud_decisions::Entity::find()
        .filter(fraud_decisions::Column::ReferralId.eq(referral.id))
        .filter(fraud_decisions::Column::DecidedBy.eq(DecidedBy::Reviewer))
        .filter(fraud_decisions::Column::Decision.eq(ReferralStatus::Approved))
        .one(conn)
        .await?
        .is_some();
    if reviewer_approved {
        return Ok(true);
    }
    let refunded = conversions::Entity::find()
        .filter(conversions::Column::ReferralId.eq(referral.id))
        .filter(conversions::Column::RefundedMinor.gt(0))
        .one(conn)
        .await?
        .is_some();
    let released = rewards::Entity::find()
        .filter(rewards::Column::ReferralId.eq(referral.id))
        .filter(rewards::Column::Status.is_in([
            RewardStatus::Released,
            RewardStatus::Fulfilled,
            RewardStatus::Paid,
        ]))
        .one(conn)
        .await?
        .is_some();
    Ok(released && !refunded)
}
