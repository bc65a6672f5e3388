//! Campaign reports, read from the rollups (never from raw clicks): the funnel with its rates and
//! their confidence intervals, money (revenue, reward cost, ROI, cost per acquisition, average
//! order value), K-factor, breakdowns by channel, variant and period, top referrers, progress
//! against each KPI target, and insights that compare rates only when the sample supports it.

mod holdout;
mod kpis;
mod referrers;
mod settings;

use std::collections::BTreeMap;

use crate::{
    domain::{
        calendar,
        goals::{FocusArea, Goals, KpiMetric},
        hll::Sketch,
        money::{Currency, Money},
        stats::{
            Confidence, Direction, KpiKind, KpiProgress, Proportion, Summary,
            incremental_cost_per_acquisition, incremental_revenue,
        },
    },
    tables::{
        RewardKind, campaign_variants, campaigns, conversions, enrolments, experiments,
        participants, referral_links, referrals, reward_rules, rewards, rollups,
    },
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, IdenStatic, IsolationLevel, JoinType, PaginatorTrait, QueryFilter,
    QuerySelect, Statement, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    ops::error::{Error, Result},
    ops::principal::Role,
};

pub use crate::domain::insights::{INSIGHT_KINDS, insights};
pub use crate::domain::report::{
    ALPHA, CampaignReport, Granularity, Holdout, Insight, KpiReport, PeriodChannelTotals,
    QUIET_CLICKS, Referrer, SLOW_PAYOUT_HOURS, SPEND_DAYS, TOP_REFERRERS, rate,
};
pub use crate::ops::counts::Counts;
use crate::ops::counts::{self, day_text};
use holdout::holdout;
use kpis::kpi_progress;
use referrers::{sharing_participants, top_referrers};
pub use settings::{experiment_settings, set_experiment_settings};

/// Who reads campaign reports (sales too: reports hold no ledger or payout detail); admins
/// always may.
pub const READERS: &[Role] = &[Role::MarketingManager, Role::Sales, Role::Finance];
/// The longest period one report covers.
pub const MAX_REPORT_DAYS: i64 = 3 * 366;
fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Build the report of a campaign of the tenant over `[from, to]` (local days; by default from
/// the campaign's start to today).
///
/// Every query of the report reads one snapshot (a read-only repeatable-read transaction), so its
/// numbers agree with each other. On PostgreSQL each statement is planned for its own values: the
/// report's range scans are prepared statements, and after five runs PostgreSQL would switch to a
/// generic plan that guesses a few thousand rows where a 90-day range has hundreds of thousands.
pub async fn campaign_report(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    campaign_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    granularity: Granularity,
    now: DateTime<Utc>,
) -> Result<CampaignReport> {
    // (A SQLite transaction reads one snapshot already, and takes no isolation settings.)
    let txn = if db.get_database_backend() == DbBackend::Postgres {
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?;
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            "SET LOCAL plan_cache_mode = force_custom_plan",
        ))
        .await?;
        txn
    } else {
        db.begin().await?
    };
    let report = report_in(&txn, tenant_id, campaign_id, from, to, granularity, now).await?;
    txn.commit().await?;
    Ok(report)
}

/// [`campaign_report`] on an open connection or transaction.
async fn report_in(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    granularity: Granularity,
    now: DateTime<Utc>,
) -> Result<CampaignReport> {
    let campaign =
        crate::ops::tenancy::find_in_tenant::<campaigns::Entity>(conn, tenant_id, campaign_id)
            .await?;
    let tz = calendar::zone(&campaign.time_zone);
    let start = calendar::local_day(tz, campaign.starts_at);
    let today = calendar::local_day(tz, now);
    let to = to.unwrap_or(today);
    // By default from the start; a campaign that has not started yet reports its empty `to` day.
    let from = from.unwrap_or(start.min(to));
    if from > to {
        return Err(Error::invalid("to", "must not be before `from`"));
    }
    if (to - from).num_days() >= MAX_REPORT_DAYS {
        return Err(Error::invalid(
            "to",
            format!("a report covers at most {MAX_REPORT_DAYS} days"),
        ));
    }
    let summary = counts::summary_rows(conn, campaign.id, from, to).await?;
    let mut totals = Counts::default();
    let mut by_channel: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_variant_id: BTreeMap<Uuid, Counts> = BTreeMap::new();
    let mut series: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    let mut by_period_channel = PeriodChannelTotals::new();
    for r in &summary {
        totals.add_row(r)?;
        by_channel
            .entry(r.channel.clone())
            .or_default()
            .add_row(r)?;
        by_variant_id.entry(r.variant_id).or_default().add_row(r)?;
        if let Some(day) = parse_day(&r.day) {
            let start = granularity.start_of(day);
            series.entry(start).or_default().add_row(r)?;
            by_period_channel
                .entry((start, r.channel.clone()))
                .or_default()
                .add_row(r)?;
        }
    }
    let variant_levels = variant_levels(conn, &campaign).await?;
    let names: BTreeMap<Uuid, String> = campaign_variants::Entity::find()
        .filter(campaign_variants::Column::CampaignId.eq(campaign.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let by_variant = by_variant_id
        .into_iter()
        .map(|(id, t)| {
            let name = names.get(&id).cloned().unwrap_or_else(|| "(none)".into());
            (id, name, t)
        })
        .collect();
    let participants = enrolments::Entity::find()
        .filter(enrolments::Column::CampaignId.eq(campaign.id))
        .filter(enrolments::Column::Eligible.eq(true))
        .count(conn)
        .await?;
    let participants = i64::try_from(participants).unwrap_or(i64::MAX);
    let (top_referrers, quiet_referrers) = top_referrers(conn, &campaign, from, to).await?;
    let recent = counts::summary_rows(
        conn,
        campaign.id,
        today - Duration::days(SPEND_DAYS - 1),
        today,
    )
    .await?;
    #[allow(clippy::cast_precision_loss)]
    let recent_daily_cost = recent
        .iter()
        .map(|r| (r.referrer_reward_minor + r.referee_reward_minor) as f64)
        .sum::<f64>()
        / SPEND_DAYS as f64;
    let settle_hours = settle_hours(conn, &campaign, from, to).await?;
    let holdout = holdout(conn, &campaign, from, to, &totals).await?;
    let kpis = kpi_progress(conn, &campaign, participants, now).await?;
    let cohorts = crate::ops::cohorts::campaign_cohorts(conn, &campaign, from, to).await?;
    let mut report = CampaignReport {
        campaign,
        from,
        to,
        granularity,
        totals,
        participants,
        by_channel,
        by_variant,
        variant_levels,
        series,
        by_period_channel,
        top_referrers,
        quiet_referrers,
        recent_daily_cost,
        settle_hours,
        now,
        holdout,
        kpis,
        insights: Vec::new(),
        cohorts,
    };
    report.insights = insights(&report);
    Ok(report)
}

/// Each variant's reward level (see [`CampaignReport::variant_levels`]).
async fn variant_levels(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
) -> Result<BTreeMap<Uuid, String>> {
    let rules = reward_rules::Entity::find()
        .filter(reward_rules::Column::CampaignId.eq(campaign.id))
        .all(conn)
        .await?;
    let variants: Vec<Uuid> = campaign_variants::Entity::find()
        .select_only()
        .column(campaign_variants::Column::Id)
        .filter(campaign_variants::Column::CampaignId.eq(campaign.id))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(variants
        .into_iter()
        .map(|v| {
            // The same choice the reward job makes: rules of every variant plus the variant's own.
            let applying: Vec<&reward_rules::Model> = rules
                .iter()
                .filter(|r| r.variant_id.is_none() || r.variant_id == Some(v))
                .collect();
            (v, reward_level(&applying, &campaign.currency))
        })
        .collect())
}

/// A label for a set of reward rules, the same for the same rewards whatever their order:
/// e.g. `referee 10 % + referrer 5.00 USD`.
pub fn reward_level(rules: &[&reward_rules::Model], currency: &str) -> String {
    let mut parts: Vec<String> = rules
        .iter()
        .map(|r| {
            let what = match r.kind {
                RewardKind::Fixed => {
                    let minor = r.amount_minor.unwrap_or(0);
                    match Currency::parse(currency) {
                        Ok(c) => Money::new(minor, c).to_string(),
                        Err(_) => format!("{minor} {currency} (minor units)"),
                    }
                }
                RewardKind::Percent => {
                    format!("{} %", f64::from(r.bps.unwrap_or(0)) / 100.0)
                }
                RewardKind::Tiered => format!("tiers {}", r.tiers),
            };
            let floor = if r.min_order_minor > 0 {
                format!(" from orders of {}", r.min_order_minor)
            } else {
                String::new()
            };
            format!("{} {what}{floor}", r.side.as_str())
        })
        .collect();
    if parts.is_empty() {
        return "no reward".into();
    }
    parts.sort();
    parts.join(" + ")
}

/// The campaign's totals over the local days `[from, to]`, from the rollups.
pub async fn campaign_totals(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Counts> {
    Ok(counts::summary(conn, campaign.id, from, to).await?)
}

/// Hours from release to settlement of the campaign's rewards settled in `[from, to]`, sorted.
async fn settle_hours(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<f64>> {
    let tz = calendar::zone(&campaign.time_zone);
    let (start, _) = calendar::day_span(tz, from);
    let (_, end) = calendar::day_span(tz, to);
    type Times = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let rows: Vec<Times> = rewards::Entity::find()
        .select_only()
        .column(rewards::Column::ReleasedAt)
        .column(rewards::Column::SettledAt)
        .filter(rewards::Column::CampaignId.eq(campaign.id))
        .filter(rewards::Column::SettledAt.gte(start))
        .filter(rewards::Column::SettledAt.lt(end))
        .into_tuple()
        .all(conn)
        .await?;
    #[allow(clippy::cast_precision_loss)]
    let mut hours: Vec<f64> = rows
        .into_iter()
        .filter_map(|(released, settled)| {
            Some((settled? - released?).num_seconds() as f64 / 3600.0)
        })
        .map(|h| h.max(0.0))
        .collect();
    hours.sort_by(f64::total_cmp);
    Ok(hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_on_their_first_day() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(Granularity::Day.start_of(d), d);
        assert_eq!(Granularity::Week.start_of(d).to_string(), "2026-11-23");
        assert_eq!(Granularity::Month.start_of(d).to_string(), "2026-11-01");
    }

    #[test]
    fn a_reward_level_label_ignores_the_order_of_the_rules() {
        let now = Utc::now();
        let rule = |side, kind, amount, bps| reward_rules::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            campaign_id: Uuid::nil(),
            variant_id: None,
            side,
            trigger: crate::tables::RewardTrigger::FirstPurchase,
            max_purchases: None,
            min_order_minor: 0,
            kind,
            reward_type: crate::tables::RewardType::Cash,
            amount_minor: amount,
            bps,
            tiers: serde_json::json!([]),
            per_referrer_cap_minor: None,
            created_at: now,
        };
        use crate::tables::RewardSide::{Referee, Referrer};
        let a = rule(Referrer, RewardKind::Fixed, Some(500), None);
        let b = rule(Referee, RewardKind::Percent, None, Some(1000));
        assert_eq!(
            reward_level(&[&a, &b], "USD"),
            "referee 10 % + referrer 5.00 USD"
        );
        assert_eq!(
            reward_level(&[&b, &a], "USD"),
            reward_level(&[&a, &b], "USD")
        );
        assert_eq!(reward_level(&[], "USD"), "no reward");
    }
}
