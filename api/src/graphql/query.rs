//! Query root.

use async_graphql::{Context, Object, Result};
use grapevine_entity::tables;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    ContextExt,
    pagination::{IdConnection, Page, list},
    types::{
        admin::{ApiKey, AuditEntry, Email, Job, QueueKindHealth, Tenant},
        campaign::{Campaign, CampaignFilter},
        people::{Participant, User},
    },
};
use crate::auth::{Role, principal::CAMPAIGN_READERS};
use grapevine_entity::ops::{self, search::Search};

/// Query root.
#[derive(Default)]
pub struct Query;

#[Object(name = "CoreQuery")]
impl Query {
    /// The logged-in staff user.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let actor = ctx.principal().staff(&[
            Role::MarketingManager,
            Role::Sales,
            Role::Finance,
            Role::Ops,
        ])?;
        let user_id = actor
            .user_id
            .ok_or(crate::error::ApiError::Unauthenticated)?;
        Ok(ops::users::get(&ctx.state().db, actor.tenant_id, user_id)
            .await?
            .into())
    }

    /// The caller's tenant.
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Tenant> {
        let tenant_id = ctx.principal().tenant_id()?;
        let t = ops::tenants::get(&ctx.state().db, tenant_id).await?;
        Ok(Tenant {
            id: t.id,
            slug: t.slug,
            name: t.name,
        })
    }

    /// Staff users of the tenant (admin).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<User>> {
        let actor = ctx.principal().staff(&[])?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let select = tables::users::Entity::find()
            .filter(tables::users::Column::TenantId.eq(actor.tenant_id));
        Ok(list(
            &state.db,
            select,
            tables::users::Column::Id,
            page,
            |r| r.id,
            User::from,
        )
        .await?)
    }

    /// Campaigns, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CampaignFilter>,
    ) -> Result<IdConnection<Campaign>> {
        let actor = ctx.principal().staff_or_secret_key(CAMPAIGN_READERS)?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let mut select = tables::campaigns::Entity::find()
            .filter(tables::campaigns::Column::TenantId.eq(actor.tenant_id));
        if let Some(status) = filter.and_then(|f| f.status) {
            select = select
                .filter(tables::campaigns::Column::Status.eq(tables::CampaignStatus::from(status)));
        }
        Ok(list(
            &state.db,
            select,
            tables::campaigns::Column::Id,
            page,
            |r| r.id,
            Campaign::from,
        )
        .await?)
    }

    /// One campaign.
    async fn campaign(&self, ctx: &Context<'_>, id: Uuid) -> Result<Campaign> {
        let actor = ctx.principal().staff_or_secret_key(CAMPAIGN_READERS)?;
        Ok(ops::campaigns::get(&ctx.state().db, actor.tenant_id, id)
            .await?
            .into())
    }

    /// Participants, newest first. `search` (at most 100 characters) keeps those whose email,
    /// external id or first name contains it (letters A–Z in any case), or who own a referral
    /// link with exactly that code.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> Result<IdConnection<Participant>> {
        let actor = ctx
            .principal()
            .staff_or_secret_key(&[Role::MarketingManager, Role::Sales])?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let mut select = tables::participants::Entity::find()
            .filter(tables::participants::Column::TenantId.eq(actor.tenant_id));
        if let Some(search) = Search::parse("search", search.as_deref())? {
            select = select.filter(
                tables::participants::Column::Id
                    .in_subquery(search.participant_ids(actor.tenant_id)),
            );
        }
        Ok(list(
            &state.db,
            select,
            tables::participants::Column::Id,
            page,
            |r| r.id,
            Participant::from,
        )
        .await?)
    }

    /// Everything held about a participant, as one JSON document (a data-access request):
    /// profile, enrolments, links, referrals made and received, purchases, rewards, ledger,
    /// payouts and emails.
    async fn participant_data(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<async_graphql::Json<serde_json::Value>> {
        let actor = ctx.principal().staff(&[Role::MarketingManager])?;
        Ok(async_graphql::Json(
            ops::privacy::export(&ctx.state().db, actor.tenant_id, id).await?,
        ))
    }

    /// One participant.
    async fn participant(&self, ctx: &Context<'_>, id: Uuid) -> Result<Participant> {
        let actor = ctx
            .principal()
            .staff_or_secret_key(&[Role::MarketingManager, Role::Sales])?;
        Ok(ops::participants::get(&ctx.state().db, actor.tenant_id, id)
            .await?
            .into())
    }

    /// The health of the tenant's background jobs, per kind (ops): waiting, running, retrying,
    /// dead, finished in the last hour, the oldest wait and the 95th-percentile run time. The
    /// same counts, for every tenant, are on `/metrics` as `grapevine_jobs{kind,state}`.
    async fn queue_health(&self, ctx: &Context<'_>) -> Result<Vec<QueueKindHealth>> {
        let actor = ctx.principal().staff(&[Role::Ops])?;
        let state = ctx.state();
        let kinds = ops::queue_health::snapshot(
            &state.db,
            actor.tenant_id,
            grapevine_entity::ops::outbox::wall_clock(),
        )
        .await
        .map_err(crate::error::ApiError::from)?;
        Ok(kinds.into_iter().map(Into::into).collect())
    }

    /// The tenant's jobs that failed for good (every attempt used), with their last error
    /// (ops). `retryJob` puts one back in line.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn dead_jobs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Job>> {
        let actor = ctx.principal().staff(&[Role::Ops])?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let select = tables::job_outbox::Entity::find()
            .filter(tables::job_outbox::Column::TenantId.eq(actor.tenant_id))
            .filter(tables::job_outbox::Column::State.eq(tables::JobState::Dead));
        Ok(list(
            &state.db,
            select,
            tables::job_outbox::Column::Id,
            page,
            |r| r.id,
            Job::from,
        )
        .await?)
    }

    /// Emails of a campaign and their delivery state, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn emails(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Email>> {
        let actor = ctx
            .principal()
            .staff(&[Role::MarketingManager, Role::Ops])?;
        let state = ctx.state();
        ops::campaigns::get(&state.db, actor.tenant_id, campaign_id).await?;
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let select = tables::emails::Entity::find()
            .filter(tables::emails::Column::TenantId.eq(actor.tenant_id))
            .filter(tables::emails::Column::CampaignId.eq(campaign_id));
        Ok(list(
            &state.db,
            select,
            tables::emails::Column::Id,
            page,
            |r| r.id,
            Email::from,
        )
        .await?)
    }

    /// API keys (admin, ops).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let actor = ctx.principal().staff(&[Role::Ops])?;
        Ok(ops::api_keys::list(&ctx.state().db, actor.tenant_id)
            .await?
            .into_iter()
            .map(ApiKey::from)
            .collect())
    }

    /// The audit log, newest first (admin).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<AuditEntry>> {
        let actor = ctx.principal().staff(&[])?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let select = tables::audit_log::Entity::find()
            .filter(tables::audit_log::Column::TenantId.eq(actor.tenant_id));
        Ok(list(
            &state.db,
            select,
            tables::audit_log::Column::Id,
            page,
            |r| r.id,
            AuditEntry::from,
        )
        .await?)
    }
}
