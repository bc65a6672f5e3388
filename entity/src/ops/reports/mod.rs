//! Campaign reports, read from the rollups (never from raw clicks): the funnel with its rates and
//! their confidence intervals, money (revenue, reward cost, ROI, cost per acquisition, average
//! order value), K-factor, breakdowns by channel, variant and period, top referrers, progress
//! against each KPI target, and insights that compare rates only when the sample supports it.

mod holdout;
mod insights;
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
            Confidence, CostPerAcquisition, Direction, Estimate, KpiKind, KpiProgress,
            KpiProjection, Proportion, ProportionComparison, Summary, Verdict,
            incremental_cost_per_acquisition, incremental_revenue,
        },
    },
    tables::{
        RewardKind, campaign_variants, campaigns, conversions, enrolments, experiments,
        participants, referral_links, referrals, reward_rules, rewards, rollups,
    },
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
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

pub use crate::ops::counts::Counts;
use crate::ops::counts::{self, day_text};
use holdout::holdout;
pub use insights::{INSIGHT_KINDS, insights};
use kpis::kpi_progress;
use referrers::{sharing_participants, top_referrers};
pub use settings::{experiment_settings, set_experiment_settings};

/// Who reads campaign reports (sales too: reports hold no ledger or payout detail); admins
/// always may.
pub const READERS: &[Role] = &[Role::MarketingManager, Role::Sales, Role::Finance];
/// The longest period one report covers.
pub const MAX_REPORT_DAYS: i64 = 3 * 366;
/// Significance level of the comparisons behind insights.
pub const ALPHA: f64 = 0.05;
/// Referrers listed in `top_referrers`.
pub const TOP_REFERRERS: usize = 10;
/// Clicks from which a referrer without a single new customer is worth a look.
pub const QUIET_CLICKS: i64 = 50;
/// Days of reward spend the budget projection averages.
pub const SPEND_DAYS: i64 = 14;
/// Release-to-paid time (95th percentile, hours) above which payouts count as slow.
pub const SLOW_PAYOUT_HOURS: f64 = 72.0;

/// How the time series is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// One point per local day.
    Day,
    /// One point per ISO week (starting Monday).
    Week,
    /// One point per calendar month.
    Month,
}

impl Granularity {
    /// The first day of the period `day` falls in.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Self::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

/// `successes` of `trials`, when that is a proportion.
pub fn rate(successes: i64, trials: i64) -> Option<Proportion> {
    let s = u64::try_from(successes).ok()?;
    let t = u64::try_from(trials).ok()?;
    Proportion::new(s.min(t), t)
}

/// One referrer's line in the leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// The participant.
    pub participant_id: Uuid,
    /// Their id in the merchant's system.
    pub external_id: String,
    /// Their counts over the period.
    pub totals: Counts,
}

/// A KPI of the campaign's goals, measured and projected.
#[derive(Debug, Clone)]
pub struct KpiReport {
    /// Focus area › objective it belongs to.
    pub focus_area: String,
    /// The objective.
    pub objective: String,
    /// What is measured.
    pub metric: KpiMetric,
    /// The target.
    pub target: f64,
    /// When it is due.
    pub due: NaiveDate,
    /// The value so far (from the campaign's start).
    pub value: f64,
    /// The projection and the status it gives.
    pub projection: Option<KpiProjection>,
}

/// Invited participants against the held-out ones (who got no code), per capita over the period:
/// their own purchases, plus, for the invited, the purchases of the customers they referred.
#[derive(Debug, Clone)]
pub struct Holdout {
    /// Eligible participants invited.
    pub invited: u64,
    /// Eligible participants held out.
    pub held_out: u64,
    /// Value (minor units) per invited participant.
    pub invited_value: Summary,
    /// Value per held-out participant.
    pub held_out_value: Summary,
    /// Invited participants who produced at least one purchase (own or referred).
    pub invited_buyers: u64,
    /// Held-out participants who bought.
    pub held_out_buyers: u64,
    /// `(mean invited − mean held out) × invited`, with Welch's 95 % interval.
    pub incremental_revenue: Option<Estimate>,
    /// Reward cost over incremental acquisitions (buyers), with its interval.
    pub incremental_cpa: Option<CostPerAcquisition>,
}

/// A finding, its evidence and what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Insight {
    /// Stable kind, e.g. `best_channel`.
    pub kind: &'static str,
    /// The finding, in a sentence.
    pub finding: String,
    /// The numbers behind it.
    pub evidence: String,
    /// What to do.
    pub action: String,
    /// Whether a significance test supports the claim (false: descriptive only).
    pub significant: bool,
    /// The p-value of that test, when one was run.
    pub p_value: Option<f64>,
    /// Smaller samples of the compared groups.
    pub sample: i64,
    /// Expected impact used to rank insights (higher first).
    pub impact: f64,
}

/// Counts keyed by (period start, channel).
pub type PeriodChannelTotals = BTreeMap<(NaiveDate, String), Counts>;

/// A whole report.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    /// The campaign.
    pub campaign: campaigns::Model,
    /// First local day (inclusive).
    pub from: NaiveDate,
    /// Last local day (inclusive).
    pub to: NaiveDate,
    /// The series' cut.
    pub granularity: Granularity,
    /// Everything in the period.
    pub totals: Counts,
    /// Participants enrolled and eligible.
    pub participants: i64,
    /// By channel (`""` = none recorded).
    pub by_channel: BTreeMap<String, Counts>,
    /// By offer variant: (id, name); nil id = no variant.
    pub by_variant: Vec<(Uuid, String, Counts)>,
    /// The reward level of each variant: the rewards its referrals earn (the campaign's rules
    /// plus the variant's own), as a label; variants with the same label offer the same level.
    pub variant_levels: BTreeMap<Uuid, String>,
    /// By period start.
    pub series: BTreeMap<NaiveDate, Counts>,
    /// By (period start, channel): the cells of the CSV export, which sum to `totals`.
    pub by_period_channel: PeriodChannelTotals,
    /// The leaderboard: most new customers, then revenue, then clicks.
    pub top_referrers: Vec<Referrer>,
    /// Referrers with at least [`QUIET_CLICKS`] clicks and no new customer, most clicks first
    /// (their visitors are not read: `totals.visitors` is empty).
    pub quiet_referrers: Vec<Referrer>,
    /// Reward cost per day over the last [`SPEND_DAYS`] days up to the report's time.
    pub recent_daily_cost: f64,
    /// Hours from release to payment or delivery of the rewards settled in the period, sorted.
    pub settle_hours: Vec<f64>,
    /// When the report was made.
    pub now: DateTime<Utc>,
    /// Invited against held-out participants, when the campaign holds some out.
    pub holdout: Option<Holdout>,
    /// KPI progress.
    pub kpis: Vec<KpiReport>,
    /// Insights, highest impact first.
    pub insights: Vec<Insight>,
    /// Referred against organic customers by month of first purchase.
    pub cohorts: Vec<crate::domain::cohorts::Cohort>,
}

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
    let campaign = campaigns::Entity::find_by_id(campaign_id)
        .filter(campaigns::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound("campaign"))?;
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
