//! Outgoing webhooks (the tenant's endpoints; Stripe's incoming ones are the api's `webhooks`):
//! registering, changing and deleting endpoints, rotating their signing secret, listing
//! deliveries with their attempts, replaying a delivery and sending a test event. Every query is
//! scoped to the tenant; another tenant's ids are not found.

use crate::ops::tenancy::find_in_tenant;
use crate::ops::{jobs::DeliverWebhook, outbox::enqueue_once};
use crate::{
    db::begin_write,
    tables::{
        webhook_attempts, webhook_deliveries, webhook_deliveries::DeliveryState, webhook_endpoints,
    },
};
use crate::{
    domain::{
        webhook_signing::{generate_secret, hint},
        webhook_target::{Policy, check_url},
    },
    ops::webhook_events::{Event, EventType, emit_to, secret_aad},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Select, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    ops::audit,
    ops::crypto::SecretBoxer,
    ops::error::{Error, Result},
    ops::principal::Principal,
};

/// Most endpoints one tenant may register.
pub const MAX_ENDPOINTS: u64 = 20;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 500;

/// What a new endpoint is made of.
#[derive(Debug, Clone)]
pub struct EndpointDraft {
    /// Where deliveries go.
    pub url: String,
    /// A note for people.
    pub description: String,
    /// Subscribed event names.
    pub event_types: Vec<String>,
    /// Receives deliveries.
    pub enabled: bool,
}

/// Changes to an endpoint; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    /// New URL.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New subscriptions.
    pub event_types: Option<Vec<String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

/// Filters of the delivery list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// One endpoint's.
    pub endpoint_id: Option<Uuid>,
    /// In this state.
    pub state: Option<DeliveryState>,
    /// Of this event type.
    pub event_type: Option<String>,
}

fn checked_url(url: &str, policy: Policy) -> Result<String> {
    check_url(url, policy)
        .map(|u| u.to_string())
        .map_err(|m| Error::invalid("url", m))
}

fn checked_description(description: &str) -> Result<String> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(Error::invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(description.to_owned())
}

/// The subscriptions as stored: known names, each once, at least one.
fn checked_event_types(names: &[String]) -> Result<serde_json::Value> {
    let known = || {
        EventType::SUBSCRIBABLE
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if names.is_empty() {
        return Err(Error::invalid(
            "eventTypes",
            format!("subscribe to at least one of {}", known()),
        ));
    }
    let mut types: Vec<&'static str> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let Some(t) = EventType::parse(name.trim()) else {
            return Err(Error::invalid(
                format!("eventTypes[{i}]"),
                format!("unknown event type {name:?}: use one of {}", known()),
            ));
        };
        if !types.contains(&t.as_str()) {
            types.push(t.as_str());
        }
    }
    Ok(json!(types))
}

/// The tenant's endpoint, or NOT_FOUND.
pub async fn endpoint(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<webhook_endpoints::Model> {
    find_in_tenant::<webhook_endpoints::Entity>(conn, tenant_id, id).await
}

/// The tenant's endpoints, oldest first.
pub async fn endpoints(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<Vec<webhook_endpoints::Model>> {
    Ok(webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .order_by_asc(webhook_endpoints::Column::Id)
        .all(conn)
        .await?)
}

fn seal(boxer: &SecretBoxer, tenant_id: Uuid, endpoint_id: Uuid, secret: &str) -> Result<String> {
    boxer
        .seal(secret, &secret_aad(tenant_id, endpoint_id))
        .map_err(|e| Error::Internal(e.into()))
}

/// Register an endpoint; returns its signing secret (shown this once) and the endpoint.
pub async fn create(
    conn: &impl TransactionTrait,
    boxer: &SecretBoxer,
    policy: Policy,
    principal: &Principal,
    tenant_id: Uuid,
    draft: EndpointDraft,
    now: DateTime<Utc>,
) -> Result<(String, webhook_endpoints::Model)> {
    let url = checked_url(&draft.url, policy)?;
    let description = checked_description(&draft.description)?;
    let event_types = checked_event_types(&draft.event_types)?;
    let txn = begin_write(conn).await?;
    let count = webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .count(&txn)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(Error::invalid(
            "url",
            format!("a tenant may register at most {MAX_ENDPOINTS} endpoints"),
        ));
    }
    let id = Uuid::now_v7();
    let secret = generate_secret();
    let row = webhook_endpoints::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        url: Set(url.clone()),
        description: Set(description),
        event_types: Set(event_types.clone()),
        enabled: Set(draft.enabled),
        secret_ciphertext: Set(seal(boxer, tenant_id, id, &secret)?),
        secret_hint: Set(hint(&secret)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let data = json!({ "url": url, "eventTypes": event_types, "enabled": draft.enabled });
    audit::record(
        &txn,
        tenant_id,
        principal,
        "webhook_endpoint.create",
        "webhook_endpoint",
        Some(id),
        data,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((secret, row))
}

/// Change an endpoint's URL, description, subscriptions or whether it is enabled.
pub async fn update(
    conn: &impl TransactionTrait,
    policy: Policy,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    patch: EndpointPatch,
    now: DateTime<Utc>,
) -> Result<webhook_endpoints::Model> {
    let url = patch
        .url
        .as_deref()
        .map(|u| checked_url(u, policy))
        .transpose()?;
    let description = patch
        .description
        .as_deref()
        .map(checked_description)
        .transpose()?;
    let event_types = patch
        .event_types
        .as_deref()
        .map(checked_event_types)
        .transpose()?;
    let txn = begin_write(conn).await?;
    let mut m = endpoint(&txn, tenant_id, id).await?.into_active_model();
    let changes = json!({
        "url": url,
        "description": description.is_some(),
        "eventTypes": event_types,
        "enabled": patch.enabled,
    });
    if let Some(url) = url {
        m.url = Set(url);
    }
    if let Some(description) = description {
        m.description = Set(description);
    }
    if let Some(types) = event_types {
        m.event_types = Set(types);
    }
    if let Some(enabled) = patch.enabled {
        m.enabled = Set(enabled);
    }
    m.updated_at = Set(now);
    let row = m.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "webhook_endpoint.update",
        "webhook_endpoint",
        Some(id),
        changes,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Delete an endpoint with its deliveries (their pending jobs then find nothing to do).
pub async fn delete(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = begin_write(conn).await?;
    let row = endpoint(&txn, tenant_id, id).await?;
    // Children first: SQLite enforces the foreign keys only when asked to.
    let deliveries = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::EndpointId.eq(id))
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id));
    let delivery_ids: Vec<Uuid> = deliveries.all(&txn).await?.iter().map(|d| d.id).collect();
    for chunk in delivery_ids.chunks(500) {
        webhook_attempts::Entity::delete_many()
            .filter(webhook_attempts::Column::DeliveryId.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
    }
    webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::EndpointId.eq(id))
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id))
        .exec(&txn)
        .await?;
    webhook_endpoints::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "webhook_endpoint.delete",
        "webhook_endpoint",
        Some(id),
        json!({ "url": row.url }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A new signing secret for the endpoint (shown this once); the old one stops at once.
pub async fn rotate_secret(
    conn: &impl TransactionTrait,
    boxer: &SecretBoxer,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, webhook_endpoints::Model)> {
    let txn = begin_write(conn).await?;
    let mut m = endpoint(&txn, tenant_id, id).await?.into_active_model();
    let secret = generate_secret();
    m.secret_ciphertext = Set(seal(boxer, tenant_id, id, &secret)?);
    m.secret_hint = Set(hint(&secret));
    m.updated_at = Set(now);
    let row = m.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "webhook_endpoint.rotate_secret",
        "webhook_endpoint",
        Some(id),
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((secret, row))
}

/// The tenant's deliveries matching `filter` (for one page of `pagination::list`).
pub async fn deliveries(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    filter: DeliveryFilter,
) -> Result<Select<webhook_deliveries::Entity>> {
    let mut select = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id));
    if let Some(endpoint_id) = filter.endpoint_id {
        endpoint(conn, tenant_id, endpoint_id).await?;
        select = select.filter(webhook_deliveries::Column::EndpointId.eq(endpoint_id));
    }
    if let Some(state) = filter.state {
        select = select.filter(webhook_deliveries::Column::State.eq(state));
    }
    if let Some(event_type) = filter.event_type {
        select = select.filter(webhook_deliveries::Column::EventType.eq(event_type.trim()));
    }
    Ok(select)
}

/// The tenant's delivery, or NOT_FOUND.
pub async fn delivery(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<webhook_deliveries::Model> {
    find_in_tenant::<webhook_deliveries::Entity>(conn, tenant_id, id).await
}

/// The attempts of these deliveries of the tenant, in order.
pub async fn attempts(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    delivery_ids: &[Uuid],
) -> Result<Vec<webhook_attempts::Model>> {
    if delivery_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::TenantId.eq(tenant_id))
        .filter(webhook_attempts::Column::DeliveryId.is_in(delivery_ids.iter().copied()))
        .order_by_asc(webhook_attempts::Column::Attempt)
        .all(conn)
        .await?)
}

/// Send a delivery again: a new sequence of attempts of the same event (same id and body),
/// signed with the endpoint's current secret. Not while attempts are still under way.
pub async fn replay(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<webhook_deliveries::Model> {
    let txn = begin_write(conn).await?;
    let current = delivery(&txn, tenant_id, id).await?;
    if current.state.in_flight() {
        return Err(Error::Conflict(
            "this delivery is still being attempted; replay it once it is delivered or dead".into(),
        ));
    }
    if !endpoint(&txn, tenant_id, current.endpoint_id)
        .await?
        .enabled
    {
        return Err(Error::Conflict(
            "the endpoint is disabled; enable it before replaying".into(),
        ));
    }
    let sequence = current.sequence + 1;
    let mut m = current.into_active_model();
    m.sequence = Set(sequence);
    m.state = Set(DeliveryState::Pending);
    m.updated_at = Set(now);
    let row = m.update(&txn).await?;
    let job = DeliverWebhook {
        delivery_id: id,
        sequence,
    };
    enqueue_once(&txn, Some(tenant_id), &job.key(), &job, now).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "webhook_delivery.replay",
        "webhook_delivery",
        Some(id),
        json!({ "eventId": row.event_id, "sequence": sequence }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Send a `webhook.test` event to one enabled endpoint.
pub async fn send_test(
    conn: &impl TransactionTrait,
    tenant_id: Uuid,
    endpoint_id: Uuid,
    now: DateTime<Utc>,
) -> Result<webhook_deliveries::Model> {
    let txn = begin_write(conn).await?;
    let endpoint = endpoint(&txn, tenant_id, endpoint_id).await?;
    if !endpoint.enabled {
        return Err(Error::Conflict(
            "the endpoint is disabled; enable it to test it".into(),
        ));
    }
    let event = Event::test(tenant_id, endpoint_id, Uuid::now_v7());
    let id = emit_to(&txn, &endpoint, &event, now)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a fresh test event was stored before")))?;
    let row = delivery(&txn, tenant_id, id).await?;
    txn.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_must_be_known_and_are_stored_once_each() {
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            checked_event_types(&names(&["reward.earned", "payout.paid", "reward.earned"])).ok(),
            Some(json!(["reward.earned", "payout.paid"]))
        );
        let unknown = checked_event_types(&names(&["reward.earned", "reward.exploded"]));
        assert!(
            matches!(&unknown, Err(Error::Validation(f)) if f[0].field == "eventTypes[1]"),
            "{unknown:?}"
        );
        assert!(checked_event_types(&[]).is_err());
        assert!(checked_event_types(&names(&["webhook.test"])).is_err());
    }
}
