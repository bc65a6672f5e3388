//! Outgoing webhooks in GraphQL: endpoints, deliveries and their attempts.

use async_graphql::{Enum, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::tables::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use uuid::Uuid;

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "webhook_deliveries::DeliveryState")]
pub enum WebhookDeliveryState {
    /// Waiting for its first attempt (or a replay's).
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// The last attempt failed; another is scheduled with backoff.
    Retrying,
    /// Every attempt failed; `replayWebhookDelivery` sends it again.
    Dead,
}

/// A receiver of the tenant's events (the signing secret is shown only when created or rotated).
#[derive(SimpleObject, Clone)]
pub struct WebhookEndpoint {
    /// Id.
    pub id: Uuid,
    /// Where deliveries are POSTed.
    pub url: String,
    /// A note for people.
    pub description: String,
    /// Subscribed events, e.g. `reward.earned`.
    pub event_types: Vec<String>,
    /// Disabled endpoints get no new events.
    pub enabled: bool,
    /// The signing secret's last characters, to recognise it.
    pub secret_hint: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_endpoints::Model> for WebhookEndpoint {
    fn from(m: webhook_endpoints::Model) -> Self {
        Self {
            id: m.id,
            url: m.url,
            description: m.description,
            event_types: serde_json::from_value(m.event_types).unwrap_or_default(),
            enabled: m.enabled,
            secret_hint: m.secret_hint,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// An endpoint with its signing secret: store the secret now, it is not shown again.
#[derive(SimpleObject, Clone)]
pub struct WebhookEndpointWithSecret {
    /// `whsec_…`: the HMAC key of `Grapevine-Signature`.
    pub secret: String,
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
}

/// A new endpoint.
#[derive(InputObject, Clone, Debug)]
pub struct CreateWebhookEndpointInput {
    /// `https://…` (plain `http://` only where the deployment allows it); public hosts only.
    pub url: String,
    /// A note for people.
    #[graphql(default)]
    pub description: String,
    /// At least one of `referral.attributed`, `referral.flagged`, `reward.earned`,
    /// `reward.reversed`, `payout.paid`, `payout.failed`.
    pub event_types: Vec<String>,
    /// Receive deliveries (default true).
    #[graphql(default = true)]
    pub enabled: bool,
}

/// Changes to an endpoint; fields left out stay as they are.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateWebhookEndpointInput {
    /// New URL.
    pub url: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New subscriptions (replace the old ones).
    pub event_types: Option<Vec<String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

/// One POST of a delivery and what came back.
#[derive(SimpleObject, Clone)]
pub struct WebhookAttempt {
    /// The delivery's sequence it belongs to (0, then one more per replay).
    pub sequence: i32,
    /// 1-based, over every sequence.
    pub attempt: i32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i32>,
    /// Why there is no answer (timeout, refused, blocked target).
    pub error: Option<String>,
    /// The start of the answer's body (at most 1 KiB).
    pub response_body: Option<String>,
}

impl From<webhook_attempts::Model> for WebhookAttempt {
    fn from(m: webhook_attempts::Model) -> Self {
        Self {
            sequence: m.sequence,
            attempt: m.attempt,
            started_at: m.started_at,
            duration_ms: m.duration_ms,
            status_code: m.status_code,
            error: m.error,
            response_body: m.response_body,
        }
    }
}

/// One event for one endpoint.
#[derive(SimpleObject, Clone)]
pub struct WebhookDelivery {
    /// Id (`Grapevine-Delivery-Id`).
    pub id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The event's id (`Grapevine-Event-Id`): the same for every endpoint and replay.
    pub event_id: Uuid,
    /// The event's type.
    pub event_type: String,
    /// The body sent, as JSON.
    pub payload: async_graphql::Json<serde_json::Value>,
    /// Where it stands.
    pub state: WebhookDeliveryState,
    /// 0, then one more per replay.
    pub sequence: i32,
    /// Attempts made, over every sequence.
    pub attempt_count: i32,
    /// The last answer's status.
    pub last_status: Option<i32>,
    /// The last error.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When a receiver answered 2xx.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttempt>,
}

impl WebhookDelivery {
    /// The delivery with its attempts (any attempts of other deliveries are ignored).
    pub fn new(m: webhook_deliveries::Model, attempts: &[webhook_attempts::Model]) -> Self {
        Self {
            id: m.id,
            endpoint_id: m.endpoint_id,
            event_id: m.event_id,
            event_type: m.event_type,
            payload: async_graphql::Json(serde_json::from_str(&m.body).unwrap_or_default()),
            state: m.state.into(),
            sequence: m.sequence,
            attempt_count: m.attempts,
            last_status: m.last_status,
            last_error: m.last_error,
            created_at: m.created_at,
            delivered_at: m.delivered_at,
            attempts: attempts
                .iter()
                .filter(|a| a.delivery_id == m.id)
                .cloned()
                .map(WebhookAttempt::from)
                .collect(),
        }
    }
}
