//! Applied recommendations in GraphQL: `applyRecommendation` records that a campaign's team acted
//! on a kind of report insight; `appliedRecommendations` lists them. Their measured effect is in
//! `programHealth.optimisationImpact`.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::tables::applied_recommendations;
use uuid::Uuid;

use super::ContextExt;
use crate::services::{
    recommendations::{self, APPLIERS},
    reports::READERS,
};

/// A recommendation (a kind of report insight) applied to a campaign.
#[derive(SimpleObject, Clone, Debug)]
pub struct AppliedRecommendation {
    /// Its id.
    pub id: Uuid,
    /// The campaign.
    pub campaign_id: Uuid,
    /// The insight kind acted upon (see `Insight.kind`).
    pub kind: String,
    /// What was done, in the user's words.
    pub note: Option<String>,
    /// The staff user who recorded it.
    pub applied_by: Option<Uuid>,
    /// When it was recorded: the day of the change, in the campaign's time zone, splits the
    /// before and after windows of `programHealth.optimisationImpact`.
    pub applied_at: DateTime<Utc>,
}

impl From<applied_recommendations::Model> for AppliedRecommendation {
    fn from(m: applied_recommendations::Model) -> Self {
        Self {
            id: m.id,
            campaign_id: m.campaign_id,
            kind: m.kind,
            note: m.note,
            applied_by: m.applied_by,
            applied_at: m.applied_at,
        }
    }
}

/// Applied recommendation queries.
#[derive(Default)]
pub struct RecommendationQuery;

#[Object]
impl RecommendationQuery {
    /// The recommendations applied to a campaign, latest first (who reads reports).
    async fn applied_recommendations(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
    ) -> Result<Vec<AppliedRecommendation>> {
        let actor = ctx.principal().staff(READERS)?;
        let list = recommendations::list(&ctx.state().db, actor.tenant_id, campaign_id).await?;
        Ok(list.into_iter().map(Into::into).collect())
    }
}

/// Applied recommendation mutations.
#[derive(Default)]
pub struct RecommendationMutation;

#[Object]
impl RecommendationMutation {
    /// Record that a recommendation was applied to a campaign now (admin, marketing): `kind` is
    /// the kind of the report insight acted upon (e.g. `best_channel`; anything else is a
    /// VALIDATION error), `note` what was done (at most 2000 characters).
    async fn apply_recommendation(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        kind: String,
        note: Option<String>,
    ) -> Result<AppliedRecommendation> {
        let p = ctx.principal();
        let actor = p.staff(APPLIERS)?;
        let s = ctx.state();
        let row = recommendations::apply(
            &s.db,
            p,
            actor.tenant_id,
            actor.user_id,
            campaign_id,
            &kind,
            note,
            s.clock.now(),
        )
        .await?;
        Ok(row.into())
    }
}
