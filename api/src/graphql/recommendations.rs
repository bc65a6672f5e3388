//! Recommendations in GraphQL: `applyRecommendation` records that a campaign's team acted on a
//! kind of report insight, `appliedRecommendations` lists them (their measured effect is in
//! `programHealth.optimisationImpact`); `dismissRecommendation` sets a kind aside (reports mark
//! that insight with its dismissal) until `restoreRecommendation`.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::tables::{applied_recommendations, recommendation_dismissals};
use uuid::Uuid;

use super::{ContextExt, types::reports::CampaignReport};
use grapevine_entity::ops::{
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

/// A kind of report insight a campaign's team set aside.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct RecommendationDismissal {
    /// The insight kind (see `Insight.kind`).
    pub kind: String,
    /// Why, in the user's words.
    pub note: Option<String>,
    /// The staff user who dismissed it.
    pub dismissed_by: Option<Uuid>,
    /// When.
    pub dismissed_at: DateTime<Utc>,
}

impl From<recommendation_dismissals::Model> for RecommendationDismissal {
    fn from(m: recommendation_dismissals::Model) -> Self {
        Self {
            kind: m.kind,
            note: m.note,
            dismissed_by: m.dismissed_by,
            dismissed_at: m.dismissed_at,
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

    /// Set aside a kind of report insight for a campaign (admin, marketing): the report keeps
    /// showing it, with this dismissal, until `restoreRecommendation`. Dismissing it again
    /// replaces the note. `kind` as in `applyRecommendation`; `note` at most 2000 characters.
    async fn dismiss_recommendation(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        kind: String,
        note: Option<String>,
    ) -> Result<RecommendationDismissal> {
        let p = ctx.principal();
        let actor = p.staff(APPLIERS)?;
        let s = ctx.state();
        let row = recommendations::dismiss(
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

    /// Bring back a dismissed kind of insight (admin, marketing); false when it was not
    /// dismissed.
    async fn restore_recommendation(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        kind: String,
    ) -> Result<bool> {
        let p = ctx.principal();
        let actor = p.staff(APPLIERS)?;
        let s = ctx.state();
        Ok(
            recommendations::restore(&s.db, p, actor.tenant_id, campaign_id, &kind, s.clock.now())
                .await?,
        )
    }
}

/// Marks each insight of `report` whose kind the campaign's team dismissed.
pub async fn mark_dismissed(
    ctx: &Context<'_>,
    tenant_id: Uuid,
    mut report: CampaignReport,
) -> Result<CampaignReport> {
    let dismissed =
        recommendations::dismissals(&ctx.state().db, tenant_id, report.campaign_id).await?;
    for insight in &mut report.insights {
        insight.dismissal = dismissed
            .iter()
            .find(|d| d.kind == insight.kind)
            .cloned()
            .map(Into::into);
    }
    Ok(report)
}
