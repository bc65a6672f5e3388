//! The weekly digest: once per ISO week (at the scheduler's first look after the week starts, or
//! after the campaign's launch) each live campaign's owner gets an email with the last seven local
//! days against the seven before, read from the rollups' campaign summary rows.
//! `reports.digest_run` (queued with each rollup pass) fans out one `reports.digest` per campaign,
//! keyed by campaign and week, and each digest email has the same dedupe key: at most once a week.

use std::collections::HashMap;

use anyhow::anyhow;
use chrono::{DateTime, Datelike, Duration, Utc};
use grapevine_entity::{
    db::begin_write,
    domain::{
        calendar,
        template::{Escape, Template},
    },
    ops::counts,
    tables::{CampaignStatus, EmailKind, campaigns, tenants, users},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use grapevine_entity::ops::emails::{self, NewEmail};

use crate::{
    context::JobContext,
    email::notices::format_money,
    outbox::{Job, JobError, enqueue_once},
};

use grapevine_entity::ops::jobs::{CampaignDigest, DigestRun};

impl Job for DigestRun {
    #[tracing::instrument(name = "job.reports.digest_run", skip_all)]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let live = campaigns::Entity::find()
            .filter(campaigns::Column::Status.eq(CampaignStatus::Active))
            .filter(campaigns::Column::CreatedBy.is_not_null())
            .all(&ctx.db)
            .await?;
        let now = ctx.clock.now();
        for campaign in live {
            let job = CampaignDigest {
                campaign_id: campaign.id,
                dedupe: format!("digest:{}:{}", campaign.id, self.week),
            };
            enqueue_once(&ctx.db, Some(campaign.tenant_id), &job.dedupe, &job, now).await?;
        }
        Ok(())
    }
}

/// The ISO week of an instant, `2026-W48`.
pub fn iso_week(t: DateTime<Utc>) -> String {
    let w = t.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

const VARS: &[&str] = &[
    "campaign_name",
    "company_name",
    "period",
    "clicks",
    "visitors",
    "leads",
    "customers",
    "orders",
    "revenue",
    "reward_cost",
    "clicks_change",
    "customers_change",
    "revenue_change",
];

const SUBJECT: &str = "{{campaign_name}}: {{customers}} new customers this week";
const TEXT: &str = "Weekly report for {{campaign_name}} ({{company_name}}), {{period}}\n\n\
Clicks: {{clicks}} ({{clicks_change}})\nUnique visitors: {{visitors}}\nLeads: {{leads}}\n\
New customers: {{customers}} ({{customers_change}})\nOrders: {{orders}}\n\
Revenue: {{revenue}} ({{revenue_change}})\nReward cost: {{reward_cost}}\n\n\
The full report, with insights and recommendations, is campaignReport in the API.\n";
const HTML: &str = "<h2>Weekly report for {{campaign_name}}</h2><p>{{company_name}}, {{period}}</p>\
<table><tr><th></th><th>this week</th><th>vs the week before</th></tr>\
<tr><td>Clicks</td><td>{{clicks}}</td><td>{{clicks_change}}</td></tr>\
<tr><td>Unique visitors</td><td>{{visitors}}</td><td></td></tr>\
<tr><td>Leads</td><td>{{leads}}</td><td></td></tr>\
<tr><td>New customers</td><td>{{customers}}</td><td>{{customers_change}}</td></tr>\
<tr><td>Orders</td><td>{{orders}}</td><td></td></tr>\
<tr><td>Revenue</td><td>{{revenue}}</td><td>{{revenue_change}}</td></tr>\
<tr><td>Reward cost</td><td>{{reward_cost}}</td><td></td></tr></table>\
<p>The full report, with insights and recommendations, is <code>campaignReport</code> in the API.</p>";

fn change(now: i64, before: i64) -> String {
    if before == 0 {
        return if now == 0 {
            "no change".into()
        } else {
            "new".into()
        };
    }
    #[allow(clippy::cast_precision_loss)]
    let pct = (now - before) as f64 / before as f64 * 100.0;
    format!("{pct:+.0} %")
}

impl Job for CampaignDigest {
    #[tracing::instrument(name = "job.reports.digest", skip_all, fields(campaign_id = %self.campaign_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let Some(campaign) = campaigns::Entity::find_by_id(self.campaign_id)
            .one(&ctx.db)
            .await?
        else {
            return Err(JobError::Permanent(anyhow!(
                "campaign {} is gone",
                self.campaign_id
            )));
        };
        let owner = match campaign.created_by {
            Some(id) => users::Entity::find_by_id(id).one(&ctx.db).await?,
            None => None,
        };
        let Some(owner) = owner.filter(|u| u.active) else {
            tracing::info!("the campaign has no active owner: no digest");
            return Ok(());
        };
        let company = tenants::Entity::find_by_id(campaign.tenant_id)
            .one(&ctx.db)
            .await?
            .map(|t| t.name)
            .unwrap_or_default();
        let now = ctx.clock.now();
        let tz = calendar::zone(&campaign.time_zone);
        let last = calendar::local_day(tz, now) - Duration::days(1);
        let first = last - Duration::days(6);
        // A damaged rollup row fails the digest as it fails the report (never skipped).
        let this = counts::summary(&ctx.db, campaign.id, first, last).await?;
        let before = counts::summary(
            &ctx.db,
            campaign.id,
            first - Duration::days(7),
            first - Duration::days(1),
        )
        .await?;
        let money = |v: i64| format_money(v, &campaign.currency);
        let vars: HashMap<&str, String> = HashMap::from([
            ("campaign_name", campaign.name.clone()),
            ("company_name", company),
            ("period", format!("{first} to {last}")),
            ("clicks", this.clicks.to_string()),
            ("visitors", this.visitors.estimate().to_string()),
            ("leads", this.leads.to_string()),
            ("customers", this.customers.to_string()),
            ("orders", this.orders.to_string()),
            ("revenue", money(this.revenue_minor)),
            ("reward_cost", money(this.reward_cost_minor())),
            ("clicks_change", change(this.clicks, before.clicks)),
            ("customers_change", change(this.customers, before.customers)),
            (
                "revenue_change",
                change(this.revenue_minor, before.revenue_minor),
            ),
        ]);
        let render = |src: &str, escape| {
            Template::parse(src, VARS)
                .and_then(|t| t.render(&vars, escape))
                .map_err(|e| JobError::Permanent(anyhow!("digest template: {e}")))
        };
        let email = NewEmail {
            tenant_id: campaign.tenant_id,
            campaign_id: Some(campaign.id),
            participant_id: None,
            kind: EmailKind::Digest,
            dedupe_key: self.dedupe.clone(),
            to: owner.email.clone(),
            subject: render(SUBJECT, Escape::None)?,
            html: render(HTML, Escape::Html)?,
            text: render(TEXT, Escape::None)?,
        };
        let txn = begin_write(&ctx.db).await?;
        emails::create(&txn, email, now).await?;
        txn.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks_and_changes_read_as_people_say_them() {
        let t: DateTime<Utc> = "2026-11-24T10:00:00Z".parse().unwrap();
        assert_eq!(iso_week(t), "2026-W48");
        let new_year: DateTime<Utc> = "2027-01-01T10:00:00Z".parse().unwrap();
        assert_eq!(iso_week(new_year), "2026-W53");
        assert_eq!(change(150, 100), "+50 %");
        assert_eq!(change(50, 100), "-50 %");
        assert_eq!(change(3, 0), "new");
        assert_eq!(change(0, 0), "no change");
    }
}
