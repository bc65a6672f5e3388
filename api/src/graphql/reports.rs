//! Reports in GraphQL: `campaignReport` and `compareCampaigns` (marketing, sales, finance).

use async_graphql::{Context, Object, Result};
use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    ContextExt,
    recommendations::mark_dismissed,
    types::reports::{CampaignReport, ReportGranularity},
};
use crate::{auth::Role, error::ApiError};
use grapevine_entity::ops::reports::{self, READERS};

/// Most campaigns one comparison takes.
const MAX_COMPARED: usize = 10;

/// Report queries.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// A campaign's performance over `[from, to]` (local days in the campaign's time zone; by
    /// default from its start to today, or today alone for a campaign that has not started),
    /// with its series cut by `granularity`. Insights of a kind the team dismissed carry their
    /// `dismissal`.
    async fn campaign_report(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        #[graphql(default_with = "ReportGranularity::Day")] granularity: ReportGranularity,
    ) -> Result<CampaignReport> {
        let actor = ctx.principal().staff(READERS)?;
        let s = ctx.state();
        let report = reports::campaign_report(
            &s.db,
            actor.tenant_id,
            campaign_id,
            from,
            to,
            granularity.into(),
            s.clock.now(),
        )
        .await?;
        mark_dismissed(ctx, actor.tenant_id, report.into()).await
    }

    /// Several campaigns' reports over the same period, in the order asked (at most 10; the
    /// default period is each campaign's own, as in `campaignReport`).
    async fn compare_campaigns(
        &self,
        ctx: &Context<'_>,
        campaign_ids: Vec<Uuid>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<CampaignReport>> {
        let actor = ctx.principal().staff(READERS)?;
        if campaign_ids.is_empty() || campaign_ids.len() > MAX_COMPARED {
            return Err(ApiError::invalid(
                "campaignIds",
                format!("compare 1 to {MAX_COMPARED} campaigns"),
            )
            .into());
        }
        let s = ctx.state();
        let mut out = Vec::with_capacity(campaign_ids.len());
        for id in campaign_ids {
            let report = reports::campaign_report(
                &s.db,
                actor.tenant_id,
                id,
                from,
                to,
                reports::Granularity::Day,
                s.clock.now(),
            )
            .await?;
            out.push(mark_dismissed(ctx, actor.tenant_id, report.into()).await?);
        }
        Ok(out)
    }
}

/// Report mutations.
#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Email the campaign's weekly digest (the last seven local days against the seven before)
    /// to its owner now, besides the one sent at the start of each ISO week (marketing).
    /// Returns when the digest is queued; it goes out through the email pipeline.
    async fn send_campaign_digest(&self, ctx: &Context<'_>, campaign_id: Uuid) -> Result<bool> {
        use grapevine_entity::ops::jobs::CampaignDigest;
        let p = ctx.principal();
        let actor = p.staff(&[Role::MarketingManager])?;
        let s = ctx.state();
        let campaign =
            grapevine_entity::ops::campaigns::get(&s.db, actor.tenant_id, campaign_id).await?;
        if campaign.created_by.is_none() {
            return Err(
                ApiError::Conflict("the campaign has no owner to send a digest to".into()).into(),
            );
        }
        let job = CampaignDigest {
            campaign_id,
            dedupe: format!("digest:{campaign_id}:manual:{}", Uuid::now_v7()),
        };
        let now = s.clock.now();
        grapevine_entity::ops::outbox::enqueue_once(
            &s.db,
            Some(actor.tenant_id),
            &job.dedupe,
            &job,
            now,
        )
        .await
        .map_err(ApiError::from)?;
        grapevine_entity::ops::audit::record(
            &s.db,
            actor.tenant_id,
            p,
            "campaign.digest",
            "campaign",
            Some(campaign_id),
            serde_json::json!({}),
            now,
        )
        .await
        .map_err(ApiError::from)?;
        s.nudge_relay();
        Ok(true)
    }
}

/// A campaign's experiment settings.
#[derive(async_graphql::SimpleObject)]
pub struct ExperimentSettings {
    /// The campaign.
    pub campaign_id: Uuid,
    /// Stop a variant by itself once the sequential test shows it converts worse than the best
    /// one (its weight goes to 0: nobody new is assigned to it; those in it keep their offer).
    pub auto_stop_variants: bool,
    /// The test's significance level, valid however often it looks (after every rollup pass).
    pub alpha: f64,
    /// The difference in click-to-customer rate the test is tuned to find (its mixing variance is
    /// the square of it).
    pub minimum_detectable_difference: f64,
}

impl From<grapevine_entity::tables::experiments::Model> for ExperimentSettings {
    fn from(m: grapevine_entity::tables::experiments::Model) -> Self {
        Self {
            campaign_id: m.campaign_id,
            auto_stop_variants: m.auto_stop,
            alpha: m.alpha,
            minimum_detectable_difference: m.tau2.sqrt(),
        }
    }
}

/// Experiment settings (marketing).
#[derive(Default)]
pub struct ExperimentQuery;

#[Object]
impl ExperimentQuery {
    /// A campaign's experiment settings (the defaults until set).
    async fn experiment_settings(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
    ) -> Result<ExperimentSettings> {
        let actor = ctx.principal().staff(&[Role::MarketingManager])?;
        let s = ctx.state();
        Ok(
            reports::experiment_settings(&s.db, actor.tenant_id, campaign_id, s.clock.now())
                .await?
                .into(),
        )
    }
}

/// Experiment settings (marketing).
#[derive(Default)]
pub struct ExperimentMutation;

#[Object]
impl ExperimentMutation {
    /// Opt a campaign in or out of stopping a clearly worse variant by itself.
    /// `minimumDetectableDifference` (default 0.03: three points of conversion rate) tunes the
    /// sequential test; `alpha` (default 0.05) is its significance level.
    async fn set_experiment_settings(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        auto_stop_variants: bool,
        minimum_detectable_difference: Option<f64>,
        alpha: Option<f64>,
    ) -> Result<ExperimentSettings> {
        let p = ctx.principal();
        let actor = p.staff(&[Role::MarketingManager])?;
        let s = ctx.state();
        Ok(reports::set_experiment_settings(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            auto_stop_variants,
            minimum_detectable_difference.unwrap_or(0.03),
            alpha.unwrap_or(0.05),
            s.clock.now(),
        )
        .await?
        .into())
    }
}
