//! Outgoing webhooks in GraphQL (ops; admin too): endpoints, their deliveries with every attempt,
//! replays and test events. Another tenant's ids are NOT_FOUND.

use async_graphql::{Context, Object, Result};
use grapevine_entity::ops::webhook_events::EventType;
use uuid::Uuid;

use super::{
    ContextExt,
    pagination::{IdConnection, Page, connection, fetch},
    types::webhooks::{
        CreateWebhookEndpointInput, UpdateWebhookEndpointInput, WebhookDelivery,
        WebhookDeliveryState, WebhookEndpoint, WebhookEndpointWithSecret,
    },
};
use crate::{auth::Role, error::ApiResult, state::AppState};
use grapevine_entity::ops::webhooks::{
    self as hooks, DeliveryFilter, EndpointDraft, EndpointPatch,
};

/// Who manages webhooks.
const WEBHOOK_MANAGERS: &[Role] = &[Role::Ops];

/// A delivery with its attempts.
async fn with_attempts(
    state: &AppState,
    tenant_id: Uuid,
    delivery: grapevine_entity::tables::webhook_deliveries::Model,
) -> ApiResult<WebhookDelivery> {
    let attempts = hooks::attempts(&state.db, tenant_id, &[delivery.id]).await?;
    Ok(WebhookDelivery::new(delivery, &attempts))
}

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The tenant's webhook endpoints, oldest first (ops).
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> Result<Vec<WebhookEndpoint>> {
        let actor = ctx.principal().staff(WEBHOOK_MANAGERS)?;
        Ok(hooks::endpoints(&ctx.state().db, actor.tenant_id)
            .await?
            .into_iter()
            .map(WebhookEndpoint::from)
            .collect())
    }

    /// The event types an endpoint can subscribe to.
    async fn webhook_event_types(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        ctx.principal().staff(WEBHOOK_MANAGERS)?;
        Ok(EventType::SUBSCRIBABLE
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect())
    }

    /// Deliveries, newest first, with every attempt and the receiver's status codes (ops).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: Option<Uuid>,
        state: Option<WebhookDeliveryState>,
        event_type: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<WebhookDelivery>> {
        let actor = ctx.principal().staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        let page = Page::new(first, after, s.config.graphql.max_page_size)?;
        let filter = DeliveryFilter {
            endpoint_id,
            state: state.map(Into::into),
            event_type,
        };
        let select = hooks::deliveries(&s.db, actor.tenant_id, filter).await?;
        let (rows, more) = fetch(
            &s.db,
            select,
            grapevine_entity::tables::webhook_deliveries::Column::Id,
            page,
        )
        .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let attempts = hooks::attempts(&s.db, actor.tenant_id, &ids).await?;
        Ok(connection(
            rows,
            more,
            page.after.is_some(),
            |r| r.id,
            |r| WebhookDelivery::new(r, &attempts),
        ))
    }
}

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Register an endpoint (ops); its signing secret is shown this once.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> Result<WebhookEndpointWithSecret> {
        let p = ctx.principal();
        let actor = p.staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        let draft = EndpointDraft {
            url: input.url,
            description: input.description,
            event_types: input.event_types,
            enabled: input.enabled,
        };
        let policy = s.config.webhooks.policy();
        let (secret, row) = hooks::create(
            &s.db,
            &s.secrets,
            policy,
            p,
            actor.tenant_id,
            draft,
            s.clock.now(),
        )
        .await?;
        Ok(WebhookEndpointWithSecret {
            secret,
            endpoint: row.into(),
        })
    }

    /// Change an endpoint's URL, description, events or whether it is enabled (ops).
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpoint> {
        let p = ctx.principal();
        let actor = p.staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        let patch = EndpointPatch {
            url: input.url,
            description: input.description,
            event_types: input.event_types,
            enabled: input.enabled,
        };
        let policy = s.config.webhooks.policy();
        let row =
            hooks::update(&s.db, policy, p, actor.tenant_id, id, patch, s.clock.now()).await?;
        Ok(row.into())
    }

    /// Delete an endpoint and its delivery history (ops); returns its id.
    async fn delete_webhook_endpoint(&self, ctx: &Context<'_>, id: Uuid) -> Result<Uuid> {
        let p = ctx.principal();
        let actor = p.staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        hooks::delete(&s.db, p, actor.tenant_id, id, s.clock.now()).await?;
        Ok(id)
    }

    /// A new signing secret for an endpoint, shown this once; the old one stops at once (ops).
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<WebhookEndpointWithSecret> {
        let p = ctx.principal();
        let actor = p.staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        let (secret, row) =
            hooks::rotate_secret(&s.db, &s.secrets, p, actor.tenant_id, id, s.clock.now()).await?;
        Ok(WebhookEndpointWithSecret {
            secret,
            endpoint: row.into(),
        })
    }

    /// Send a delivered or dead delivery again (ops): the same event (same id and body) in a new
    /// sequence of attempts, signed with the endpoint's current secret. CONFLICT while attempts
    /// are still under way.
    async fn replay_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<WebhookDelivery> {
        let p = ctx.principal();
        let actor = p.staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        let row = hooks::replay(&s.db, p, actor.tenant_id, id, s.clock.now()).await?;
        s.nudge_relay();
        Ok(with_attempts(s, actor.tenant_id, row).await?)
    }

    /// Send a `webhook.test` event to an endpoint (ops), to check it receives and verifies.
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        endpoint_id: Uuid,
    ) -> Result<WebhookDelivery> {
        let actor = ctx.principal().staff(WEBHOOK_MANAGERS)?;
        let s = ctx.state();
        let row = hooks::send_test(&s.db, actor.tenant_id, endpoint_id, s.clock.now()).await?;
        s.nudge_relay();
        Ok(with_attempts(s, actor.tenant_id, row).await?)
    }
}
