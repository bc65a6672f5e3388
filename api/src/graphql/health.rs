//! Programme health in GraphQL: `programHealth(from, to)`.

use async_graphql::{Context, Object, Result};
use chrono::{DateTime, Utc};

use super::{ContextExt, types::health::ProgramHealth};
use crate::auth::Role;
use grapevine_entity::ops::program_health;

/// Who reads programme health: marketing runs the programme, finance owns reward timeliness and
/// fraud losses, ops owns email delivery. (Admins always may.)
const READERS: &[Role] = &[Role::MarketingManager, Role::Finance, Role::Ops];

/// Programme health queries.
#[derive(Default)]
pub struct HealthQuery;

#[Object]
impl HealthQuery {
    /// The seed's programme metrics over `[from, to)` (at most about three years), each with its
    /// definition. With `campaignId`, every metric is that campaign's alone (`NOT_FOUND` if it is
    /// not one of yours), except tracking accuracy, which is always the whole tenant's.
    async fn program_health(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        campaign_id: Option<uuid::Uuid>,
    ) -> Result<ProgramHealth> {
        let actor = ctx.principal().staff(READERS)?;
        let s = ctx.state();
        let scope = program_health::Scope {
            tenant: actor.tenant_id,
            campaign: campaign_id,
        };
        let health = program_health::program_health(&s.db, scope, from, to, s.clock.now()).await?;
        Ok(health.into())
    }
}
