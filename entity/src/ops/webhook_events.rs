//! The events tenants can subscribe to, their payloads, and `emit`: called inside the transaction
//! of the change that causes the event, it stores one delivery per subscribed endpoint and one
//! `webhook.deliver` job per delivery, so the event is delivered if and only if the change commits.
//!
//! Payloads carry ids, amounts and statuses, never a person's email, name or customer id: an
//! erasure request (`eraseParticipant`) then has nothing to scrub from stored deliveries.
//!
//! Every event has an id derived from what caused it (the same cause gives the same id), so code
//! that emits twice for one change (a job run again after a crash) stores one delivery per endpoint.

use crate::{
    domain::ids::derived_id,
    tables::{
        ReferralStatus, payouts, referrals, rewards, webhook_deliveries,
        webhook_deliveries::DeliveryState, webhook_endpoints,
    },
};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    TryInsertResult, sea_query::OnConflict,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::ops::{jobs::DeliverWebhook, outbox::enqueue_once};

/// An event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A referee was tied to a referrer (or re-attributed to another one).
    ReferralAttributed,
    /// A referral went to manual review or was rejected, by the rules or a reviewer.
    ReferralFlagged,
    /// A reward was created for one side of a referral.
    RewardEarned,
    /// A reward was reversed, in part (refund) or whole (rejection); a clawback after settlement.
    RewardReversed,
    /// A payout was confirmed by its provider.
    PayoutPaid,
    /// A payout failed every attempt (dead).
    PayoutFailed,
    /// Sent by `sendTestWebhook` only; not subscribable.
    Test,
}

impl EventType {
    /// The types an endpoint can subscribe to.
    pub const SUBSCRIBABLE: &[Self] = &[
        Self::ReferralAttributed,
        Self::ReferralFlagged,
        Self::RewardEarned,
        Self::RewardReversed,
        Self::PayoutPaid,
        Self::PayoutFailed,
    ];

    /// The name in payloads, headers and subscriptions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReferralAttributed => "referral.attributed",
            Self::ReferralFlagged => "referral.flagged",
            Self::RewardEarned => "reward.earned",
            Self::RewardReversed => "reward.reversed",
            Self::PayoutPaid => "payout.paid",
            Self::PayoutFailed => "payout.failed",
            Self::Test => "webhook.test",
        }
    }

    /// A subscribable type by name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .iter()
            .copied()
            .find(|t| t.as_str() == name)
    }
}

/// One event, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Whose it is.
    pub tenant_id: Uuid,
    /// What happened.
    pub event_type: EventType,
    /// What caused it, unique per cause (the event id is derived from it).
    pub key: String,
    /// The object's public fields.
    pub data: Value,
}

impl Event {
    /// The event's stable id.
    pub fn id(&self) -> Uuid {
        derived_id(&format!(
            "webhook-event:{}:{}:{}",
            self.tenant_id,
            self.event_type.as_str(),
            self.key
        ))
    }

    /// The JSON body sent to every endpoint (and signed).
    pub fn body(&self, created_at: DateTime<Utc>) -> String {
        json!({
            "id": self.id(),
            "type": self.event_type.as_str(),
            "created_at": rfc3339(created_at),
            "data": self.data,
        })
        .to_string()
    }

    /// A referee was tied to a referrer.
    pub fn referral_attributed(r: &referrals::Model) -> Self {
        Self {
            tenant_id: r.tenant_id,
            event_type: EventType::ReferralAttributed,
            key: format!(
                "{}:{}:{}",
                r.id,
                r.referrer_participant_id,
                r.attributed_at.timestamp_micros()
            ),
            data: json!({ "referral": referral_fields(r) }),
        }
    }

    /// A referral went to review or was rejected; `decided_by` is `rules` or `reviewer`.
    pub fn referral_flagged(r: &referrals::Model, decided_by: &str, at: DateTime<Utc>) -> Self {
        let mut fields = referral_fields(r);
        fields["score"] = json!(r.score);
        fields["decided_by"] = json!(decided_by);
        Self {
            tenant_id: r.tenant_id,
            event_type: EventType::ReferralFlagged,
            key: format!("{}:{}:{}", r.id, r.status.as_str(), at.timestamp_micros()),
            data: json!({ "referral": fields }),
        }
    }

    /// A reward was created.
    pub fn reward_earned(r: &rewards::Model) -> Self {
        Self {
            tenant_id: r.tenant_id,
            event_type: EventType::RewardEarned,
            key: r.id.to_string(),
            data: json!({ "reward": reward_fields(r) }),
        }
    }

    /// `delta` of a reward was reversed (`r` is the reward after the reversal).
    pub fn reward_reversed(r: &rewards::Model, delta: i64, clawback: bool) -> Self {
        Self {
            tenant_id: r.tenant_id,
            event_type: EventType::RewardReversed,
            key: format!("{}:{}", r.id, r.reversed_minor),
            data: json!({
                "reward": reward_fields(r),
                "reversal": {
                    "amount_minor": delta,
                    "currency": r.currency,
                    "clawback": clawback,
                },
            }),
        }
    }

    /// A payout was paid.
    pub fn payout_paid(p: &payouts::Model) -> Self {
        Self {
            tenant_id: p.tenant_id,
            event_type: EventType::PayoutPaid,
            key: p.id.to_string(),
            data: json!({ "payout": payout_fields(p) }),
        }
    }

    /// A payout is dead after its last attempt.
    pub fn payout_failed(p: &payouts::Model) -> Self {
        Self {
            tenant_id: p.tenant_id,
            event_type: EventType::PayoutFailed,
            key: format!("{}:{}", p.id, p.attempts),
            data: json!({ "payout": payout_fields(p) }),
        }
    }

    /// A test event for one endpoint; `nonce` makes each one new.
    pub fn test(tenant_id: Uuid, endpoint_id: Uuid, nonce: Uuid) -> Self {
        Self {
            tenant_id,
            event_type: EventType::Test,
            key: nonce.to_string(),
            data: json!({
                "endpoint_id": endpoint_id,
                "message": "a test event from Grapevine: verify its signature and answer 2xx",
            }),
        }
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn referral_fields(r: &referrals::Model) -> Value {
    json!({
        "id": r.id,
        "campaign_id": r.campaign_id,
        "referrer_participant_id": r.referrer_participant_id,
        "link_id": r.link_id,
        "source": r.source.as_str(),
        "status": r.status.as_str(),
        "attributed_at": rfc3339(r.attributed_at),
    })
}

fn reward_fields(r: &rewards::Model) -> Value {
    json!({
        "id": r.id,
        "campaign_id": r.campaign_id,
        "referral_id": r.referral_id,
        "conversion_id": r.conversion_id,
        "participant_id": r.participant_id,
        "side": r.side.as_str(),
        "reward_type": r.reward_type.as_str(),
        "amount_minor": r.amount_minor,
        "reversed_minor": r.reversed_minor,
        "currency": r.currency,
        "status": r.status.as_str(),
        "release_at": rfc3339(r.release_at),
    })
}

fn payout_fields(p: &payouts::Model) -> Value {
    json!({
        "id": p.id,
        "participant_id": p.participant_id,
        "amount_minor": p.amount_minor,
        "currency": p.currency,
        "status": p.status.as_str(),
        "provider": p.provider.as_str(),
        "provider_ref": p.provider_ref,
        "attempts": p.attempts,
        "last_error": p.last_error,
        "paid_at": p.paid_at.map(rfc3339),
    })
}

/// True when `endpoint` is enabled and subscribes to `event_type`.
pub fn subscribes(endpoint: &webhook_endpoints::Model, event_type: EventType) -> bool {
    endpoint.enabled
        && endpoint
            .event_types
            .as_array()
            .is_some_and(|types| types.iter().any(|t| t == event_type.as_str()))
}

/// Store `event` for every enabled endpoint of its tenant that subscribes to it, each with its
/// delivery job, inside the caller's transaction; returns how many deliveries were created.
pub async fn emit(
    conn: &impl ConnectionTrait,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let endpoints = webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(event.tenant_id))
        .filter(webhook_endpoints::Column::Enabled.eq(true))
        .all(conn)
        .await?;
    let mut created = 0;
    for endpoint in endpoints.iter().filter(|e| subscribes(e, event.event_type)) {
        if emit_to(conn, endpoint, event, now).await?.is_some() {
            created += 1;
        }
    }
    Ok(created)
}

/// Store `event` for one endpoint with its delivery job; `None` when this event was already
/// stored for it. Returns the delivery id.
pub async fn emit_to(
    conn: &impl ConnectionTrait,
    endpoint: &webhook_endpoints::Model,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let id = Uuid::now_v7();
    let inserted = webhook_deliveries::Entity::insert(webhook_deliveries::ActiveModel {
        id: Set(id),
        tenant_id: Set(endpoint.tenant_id),
        endpoint_id: Set(endpoint.id),
        event_id: Set(event.id()),
        event_type: Set(event.event_type.as_str().to_owned()),
        body: Set(event.body(now)),
        state: Set(DeliveryState::Pending),
        sequence: Set(0),
        attempts: Set(0),
        last_status: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        delivered_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            webhook_deliveries::Column::EndpointId,
            webhook_deliveries::Column::EventId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .try_insert()
    .exec_without_returning(conn)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(None);
    }
    let job = DeliverWebhook {
        delivery_id: id,
        sequence: 0,
    };
    enqueue_once(conn, Some(endpoint.tenant_id), &job.key(), &job, now).await?;
    Ok(Some(id))
}

/// True for the referral statuses that raise `referral.flagged` (manual review, rejection).
pub fn flags(status: ReferralStatus) -> bool {
    matches!(status, ReferralStatus::Review | ReferralStatus::Rejected)
}

/// The additional data an endpoint's secret is sealed with: it binds the ciphertext to its tenant
/// and endpoint, so a ciphertext copied to another row does not decrypt.
pub fn secret_aad(tenant_id: Uuid, endpoint_id: Uuid) -> String {
    format!("{tenant_id}/webhook_endpoint/{endpoint_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribable_names_parse_back_and_the_test_event_is_not_subscribable() {
        for t in EventType::SUBSCRIBABLE {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(EventType::parse("webhook.test"), None);
        assert_eq!(EventType::parse("reward.Earned"), None);
    }

    #[test]
    fn the_same_cause_gives_the_same_event_id_and_a_body_with_it() {
        let tenant = Uuid::now_v7();
        let event = |key: &str| Event {
            tenant_id: tenant,
            event_type: EventType::RewardEarned,
            key: key.to_owned(),
            data: json!({ "reward": { "amount_minor": 1000 } }),
        };
        assert_eq!(event("a").id(), event("a").id());
        assert_ne!(event("a").id(), event("b").id());
        let at = DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let body: Value = serde_json::from_str(&event("a").body(at)).unwrap();
        assert_eq!(body["id"], json!(event("a").id()));
        assert_eq!(body["type"], "reward.earned");
        assert_eq!(body["created_at"], "2026-11-24T10:00:00.000Z");
        assert_eq!(body["data"]["reward"]["amount_minor"], 1000);
    }
}
