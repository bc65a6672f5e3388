//! Finance in GraphQL: reconciliation against the providers, liability, campaign cost against
//! budget and payout totals. Finance only (and admins); the CSV exports are HTTP
//! (`/exports/payouts.csv`, `/exports/ledger.csv`).

use async_graphql::{ComplexObject, Context, Object, Result};
use chrono::{DateTime, Utc};
use grapevine_entity::tables;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    ContextExt,
    pagination::{IdConnection, Page, list},
    types::finance::{
        CampaignCost, Liability, PayoutTotal, Reconciliation, ReconciliationMismatch,
    },
};
use crate::auth::Role;
use grapevine_entity::ops::finance::{self, Period};

/// Who reads and runs finance's reports.
const FINANCE: &[Role] = &[Role::Finance];

#[ComplexObject]
impl Reconciliation {
    /// Everything it found, in the order found; empty when both sides agree.
    async fn mismatches(&self, ctx: &Context<'_>) -> Result<Vec<ReconciliationMismatch>> {
        let actor = ctx.principal().staff(FINANCE)?;
        Ok(
            finance::reconciliation_items(&ctx.state().db, actor.tenant_id, self.id)
                .await?
                .into_iter()
                .map(ReconciliationMismatch::from)
                .collect(),
        )
    }
}

/// Finance's queries.
#[derive(Default)]
pub struct FinanceQuery;

#[Object]
impl FinanceQuery {
    /// One reconciliation (finance).
    async fn reconciliation(&self, ctx: &Context<'_>, id: Uuid) -> Result<Reconciliation> {
        let actor = ctx.principal().staff(FINANCE)?;
        Ok(
            finance::reconciliation(&ctx.state().db, actor.tenant_id, id)
                .await?
                .into(),
        )
    }

    /// Reconciliations, newest first (finance).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn reconciliations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<Reconciliation>> {
        let actor = ctx.principal().staff(FINANCE)?;
        let state = ctx.state();
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let select = tables::reconciliations::Entity::find()
            .filter(tables::reconciliations::Column::TenantId.eq(actor.tenant_id));
        Ok(list(
            &state.db,
            select,
            tables::reconciliations::Column::Id,
            page,
            |r| r.id,
            <Reconciliation as From<_>>::from,
        )
        .await?)
    }

    /// What the tenant owes now: held and released-but-unpaid rewards, by currency and reward
    /// type (finance).
    async fn liability(&self, ctx: &Context<'_>) -> Result<Vec<Liability>> {
        let actor = ctx.principal().staff(FINANCE)?;
        Ok(finance::liability(&ctx.state().db, actor.tenant_id)
            .await?
            .into_iter()
            .map(Liability::from)
            .collect())
    }

    /// A campaign's cost to date against its budget (finance).
    async fn campaign_cost(&self, ctx: &Context<'_>, campaign_id: Uuid) -> Result<CampaignCost> {
        let actor = ctx.principal().staff(FINANCE)?;
        let cost = finance::campaign_cost(&ctx.state().db, actor.tenant_id, campaign_id).await?;
        Ok(CampaignCost::new(campaign_id, cost))
    }

    /// Payouts created in `[from, to)`, totalled by currency and status (finance). The same
    /// payouts are the rows of `/exports/payouts.csv?from=…&to=…`.
    async fn payout_totals(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PayoutTotal>> {
        let actor = ctx.principal().staff(FINANCE)?;
        let period = Period::new(from, to)?;
        Ok(
            finance::payout_totals(&ctx.state().db, actor.tenant_id, period)
                .await?
                .into_iter()
                .map(PayoutTotal::from)
                .collect(),
        )
    }
}

/// Finance's mutations.
#[derive(Default)]
pub struct FinanceMutation;

#[Object]
impl FinanceMutation {
    /// Compare the payouts and delivered rewards of `[from, to)` (at most 366 days) with
    /// Stripe and the gift-card provider. Runs in the background: poll `reconciliation(id)`
    /// until its status is DONE or FAILED (finance).
    async fn start_reconciliation(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Reconciliation> {
        let actor = ctx.principal().staff(FINANCE)?;
        let period = Period::new(from, to)?;
        let state = ctx.state();
        Ok(finance::start_reconciliation(
            &state.db,
            ctx.principal(),
            actor.tenant_id,
            actor.user_id,
            period,
            state.clock.now(),
        )
        .await?
        .into())
    }
}
