//! Campaign reports, read from the rollups (never from raw clicks): the funnel with its rates and
//! their confidence intervals, money (revenue, reward cost, ROI, cost per acquisition, average
//! order value), K-factor, breakdowns by channel, variant and period, top referrers, progress
//! against each KPI target, and insights that compare rates only when the sample supports it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use grapevine_entity::{
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
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, IdenStatic, IsolationLevel, JoinType, PaginatorTrait, QueryFilter,
    QuerySelect, Statement, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::Role,
    error::{ApiError, ApiResult},
};

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

/// Counts added up over rollup rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Counted clicks.
    pub clicks: i64,
    /// Distinct visitors.
    pub visitors: Sketch,
    /// Referred customers tied to a referrer.
    pub leads: i64,
    /// Of them, approved.
    pub approved: i64,
    /// Of them, in review or undecided.
    pub in_review: i64,
    /// Of them, rejected.
    pub rejected: i64,
    /// Referred customers' first purchases: new customers.
    pub customers: i64,
    /// Referred orders.
    pub orders: i64,
    /// Their value, net of refunds.
    pub revenue_minor: i64,
    /// Rewards for referrers.
    pub referrer_reward_minor: i64,
    /// Rewards for referees.
    pub referee_reward_minor: i64,
}

impl Totals {
    fn add(&mut self, r: &rollups::Model) -> ApiResult<()> {
        self.clicks += r.clicks;
        self.visitors
            .merge_bytes(&r.visitors)
            .map_err(|e| ApiError::Internal(e.into()))?;
        self.leads += r.leads;
        self.approved += r.approved;
        self.in_review += r.in_review;
        self.rejected += r.rejected;
        self.customers += r.first_purchases;
        self.orders += r.orders;
        self.revenue_minor += r.revenue_minor;
        self.referrer_reward_minor += r.referrer_reward_minor;
        self.referee_reward_minor += r.referee_reward_minor;
        Ok(())
    }

    /// Reward cost, both sides.
    pub fn reward_cost_minor(&self) -> i64 {
        self.referrer_reward_minor + self.referee_reward_minor
    }

    /// Clicks that became new customers.
    pub fn click_to_customer(&self) -> Option<Proportion> {
        rate(self.customers, self.clicks)
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
    pub totals: Totals,
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

/// Totals keyed by (period start, channel).
pub type PeriodChannelTotals = BTreeMap<(NaiveDate, String), Totals>;

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
    pub totals: Totals,
    /// Participants enrolled and eligible.
    pub participants: i64,
    /// By channel (`""` = none recorded).
    pub by_channel: BTreeMap<String, Totals>,
    /// By offer variant: (id, name); nil id = no variant.
    pub by_variant: Vec<(Uuid, String, Totals)>,
    /// The reward level of each variant: the rewards its referrals earn (the campaign's rules
    /// plus the variant's own), as a label; variants with the same label offer the same level.
    pub variant_levels: BTreeMap<Uuid, String>,
    /// By period start.
    pub series: BTreeMap<NaiveDate, Totals>,
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
    pub cohorts: Vec<grapevine_entity::domain::cohorts::Cohort>,
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
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
) -> ApiResult<CampaignReport> {
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
) -> ApiResult<CampaignReport> {
    let campaign = campaigns::Entity::find_by_id(campaign_id)
        .filter(campaigns::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("campaign"))?;
    let tz = calendar::zone(&campaign.time_zone);
    let start = calendar::local_day(tz, campaign.starts_at);
    let today = calendar::local_day(tz, now);
    let to = to.unwrap_or(today);
    // By default from the start; a campaign that has not started yet reports its empty `to` day.
    let from = from.unwrap_or(start.min(to));
    if from > to {
        return Err(ApiError::invalid("to", "must not be before `from`"));
    }
    if (to - from).num_days() >= MAX_REPORT_DAYS {
        return Err(ApiError::invalid(
            "to",
            format!("a report covers at most {MAX_REPORT_DAYS} days"),
        ));
    }
    let summary = summary_rows(conn, &campaign, from, to).await?;
    let mut totals = Totals::default();
    let mut by_channel: BTreeMap<String, Totals> = BTreeMap::new();
    let mut by_variant_id: BTreeMap<Uuid, Totals> = BTreeMap::new();
    let mut series: BTreeMap<NaiveDate, Totals> = BTreeMap::new();
    let mut by_period_channel = PeriodChannelTotals::new();
    for r in &summary {
        totals.add(r)?;
        by_channel.entry(r.channel.clone()).or_default().add(r)?;
        by_variant_id.entry(r.variant_id).or_default().add(r)?;
        if let Some(day) = parse_day(&r.day) {
            let start = granularity.start_of(day);
            series.entry(start).or_default().add(r)?;
            by_period_channel
                .entry((start, r.channel.clone()))
                .or_default()
                .add(r)?;
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
    let recent = summary_rows(
        conn,
        &campaign,
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
    let cohorts = crate::services::cohorts::campaign_cohorts(conn, &campaign, from, to).await?;
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
) -> ApiResult<BTreeMap<Uuid, String>> {
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

/// The campaign summary rows (nil link) of `[from, to]`.
async fn summary_rows(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<rollups::Model>> {
    Ok(rollups::Entity::find()
        .filter(rollups::Column::CampaignId.eq(campaign.id))
        .filter(rollups::Column::LinkId.eq(Uuid::nil()))
        .filter(rollups::Column::Day.gte(day_text(from)))
        .filter(rollups::Column::Day.lte(day_text(to)))
        .all(conn)
        .await?)
}

/// The campaign's totals over the local days `[from, to]`, from the rollups.
pub async fn campaign_totals(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Totals> {
    let mut totals = Totals::default();
    for r in summary_rows(conn, campaign, from, to).await? {
        totals.add(&r)?;
    }
    Ok(totals)
}

/// Invited against held out, over the period. Reads raw orders of the campaign's participants
/// (their own, matched by customer id = participant external id) and of the customers they
/// referred: bounded by the participants of one campaign.
async fn holdout(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
    totals: &Totals,
) -> ApiResult<Option<Holdout>> {
    if campaign.holdout_bps <= 0 {
        return Ok(None);
    }
    let tz = calendar::zone(&campaign.time_zone);
    let (start, _) = calendar::day_span(tz, from);
    let (_, end) = calendar::day_span(tz, to);
    let people: Vec<(Uuid, String, String)> = enrolments::Entity::find()
        .select_only()
        .column(enrolments::Column::ParticipantId)
        .column(participants::Column::ExternalId)
        .column(enrolments::Column::Bucket)
        .join(
            JoinType::InnerJoin,
            enrolments::Entity::belongs_to(participants::Entity)
                .from(enrolments::Column::ParticipantId)
                .to(participants::Column::Id)
                .into(),
        )
        .filter(enrolments::Column::CampaignId.eq(campaign.id))
        .filter(enrolments::Column::Eligible.eq(true))
        .into_tuple()
        .all(conn)
        .await?;
    // Each participant's own purchases in the period.
    let mut value: BTreeMap<Uuid, i64> = BTreeMap::new();
    let by_external: BTreeMap<&str, Uuid> = people
        .iter()
        .map(|(id, ext, _)| (ext.as_str(), *id))
        .collect();
    let externals: Vec<String> = people.iter().map(|(_, ext, _)| ext.clone()).collect();
    for chunk in externals.chunks(500) {
        let own = conversions::Entity::find()
            .filter(conversions::Column::TenantId.eq(campaign.tenant_id))
            .filter(conversions::Column::CustomerExternalId.is_in(chunk.to_vec()))
            .filter(conversions::Column::OccurredAt.gte(start))
            .filter(conversions::Column::OccurredAt.lt(end))
            .all(conn)
            .await?;
        for order in own {
            if let Some(id) = by_external.get(order.customer_external_id.as_str()) {
                *value.entry(*id).or_default() +=
                    grapevine_worker::rollups::net_revenue(&order, &campaign.currency);
            }
        }
    }
    // The purchases of the customers they referred.
    let referred = conversions::Entity::find()
        .filter(conversions::Column::CampaignId.eq(campaign.id))
        .filter(conversions::Column::ReferralId.is_not_null())
        .filter(conversions::Column::OccurredAt.gte(start))
        .filter(conversions::Column::OccurredAt.lt(end))
        .all(conn)
        .await?;
    let referral_ids: Vec<Uuid> = referred.iter().filter_map(|o| o.referral_id).collect();
    let mut referrer_of: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    for chunk in referral_ids.chunks(500) {
        let rows: Vec<(Uuid, Uuid)> = referrals::Entity::find()
            .select_only()
            .column(referrals::Column::Id)
            .column(referrals::Column::ReferrerParticipantId)
            .filter(referrals::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        referrer_of.extend(rows);
    }
    for order in &referred {
        if let Some(referrer) = order.referral_id.and_then(|r| referrer_of.get(&r)) {
            *value.entry(*referrer).or_default() +=
                grapevine_worker::rollups::net_revenue(order, &campaign.currency);
        }
    }
    let (mut invited_value, mut held_out_value) = (Summary::new(), Summary::new());
    let (mut invited, mut held_out, mut invited_buyers, mut held_out_buyers) =
        (0u64, 0u64, 0u64, 0u64);
    for (id, _, bucket) in &people {
        let v = value.get(id).copied().unwrap_or(0);
        #[allow(clippy::cast_precision_loss)]
        let x = v as f64;
        if bucket == "holdout" {
            held_out += 1;
            held_out_value.push(x);
            held_out_buyers += u64::from(v > 0);
        } else {
            invited += 1;
            invited_value.push(x);
            invited_buyers += u64::from(v > 0);
        }
    }
    let c = Confidence::P95;
    let incremental_revenue = incremental_revenue(&invited_value, &held_out_value, c);
    #[allow(clippy::cast_precision_loss)]
    let cost = totals.reward_cost_minor() as f64;
    let incremental_cpa = match (
        Proportion::new(invited_buyers, invited),
        Proportion::new(held_out_buyers, held_out),
    ) {
        (Some(a), Some(b)) => incremental_cost_per_acquisition(cost, a, b, c),
        _ => None,
    };
    Ok(Some(Holdout {
        invited,
        held_out,
        invited_value,
        held_out_value,
        invited_buyers,
        held_out_buyers,
        incremental_revenue,
        incremental_cpa,
    }))
}

/// Hours from release to settlement of the campaign's rewards settled in `[from, to]`, sorted.
async fn settle_hours(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<f64>> {
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

/// A link's counters summed over the period by the database (all but the visitors).
#[derive(Debug, FromQueryResult)]
struct LinkSums {
    link_id: Uuid,
    clicks: i64,
    leads: i64,
    approved: i64,
    in_review: i64,
    rejected: i64,
    first_purchases: i64,
    orders: i64,
    revenue_minor: i64,
    referrer_reward_minor: i64,
    referee_reward_minor: i64,
}

/// The counters [`LinkSums`] holds, by column.
const LINK_SUMS: [rollups::Column; 10] = [
    rollups::Column::Clicks,
    rollups::Column::Leads,
    rollups::Column::Approved,
    rollups::Column::InReview,
    rollups::Column::Rejected,
    rollups::Column::FirstPurchases,
    rollups::Column::Orders,
    rollups::Column::RevenueMinor,
    rollups::Column::ReferrerRewardMinor,
    rollups::Column::RefereeRewardMinor,
];

impl From<LinkSums> for Totals {
    fn from(s: LinkSums) -> Self {
        Self {
            clicks: s.clicks,
            visitors: Sketch::new(),
            leads: s.leads,
            approved: s.approved,
            in_review: s.in_review,
            rejected: s.rejected,
            customers: s.first_purchases,
            orders: s.orders,
            revenue_minor: s.revenue_minor,
            referrer_reward_minor: s.referrer_reward_minor,
            referee_reward_minor: s.referee_reward_minor,
        }
    }
}

/// The referrers with the most new customers (then revenue, then clicks) in the period, and those
/// with many clicks and no new customer. The database sums each link's counters; only the
/// leaderboard's referrers have their links' visitor sketches read and merged.
async fn top_referrers(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<(Vec<Referrer>, Vec<Referrer>)> {
    let in_period = |q: sea_orm::Select<rollups::Entity>| {
        q.filter(rollups::Column::CampaignId.eq(campaign.id))
            .filter(rollups::Column::LinkId.ne(Uuid::nil()))
            .filter(rollups::Column::Day.gte(day_text(from)))
            .filter(rollups::Column::Day.lte(day_text(to)))
    };
    let mut sums = in_period(rollups::Entity::find())
        .select_only()
        .column(rollups::Column::LinkId)
        .group_by(rollups::Column::LinkId);
    for column in LINK_SUMS {
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both backends return an integer.
        sums = sums.column_as(
            Expr::cust(format!(
                "CAST(COALESCE(SUM({}), 0) AS BIGINT)",
                column.as_str()
            )),
            column.as_str(),
        );
    }
    let mut by_link: BTreeMap<Uuid, Totals> = sums
        .into_model::<LinkSums>()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.link_id, Totals::from(s)))
        .collect();
    let owners: Vec<(Uuid, Uuid, String)> = referral_links::Entity::find()
        .select_only()
        .column(referral_links::Column::Id)
        .column(referral_links::Column::ParticipantId)
        .column(participants::Column::ExternalId)
        .join(
            JoinType::InnerJoin,
            referral_links::Entity::belongs_to(participants::Entity)
                .from(referral_links::Column::ParticipantId)
                .to(participants::Column::Id)
                .into(),
        )
        .filter(referral_links::Column::CampaignId.eq(campaign.id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut owner_of: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    let mut by_participant: BTreeMap<Uuid, Referrer> = BTreeMap::new();
    for (link, participant_id, external_id) in owners {
        if let Some(t) = by_link.remove(&link) {
            owner_of.insert(link, participant_id);
            let entry = by_participant
                .entry(participant_id)
                .or_insert_with(|| Referrer {
                    participant_id,
                    external_id,
                    totals: Totals::default(),
                });
            absorb(&mut entry.totals, &t);
        }
    }
    let mut list: Vec<Referrer> = by_participant.into_values().collect();
    list.sort_by(|a, b| {
        (b.totals.customers, b.totals.revenue_minor, b.totals.clicks)
            .cmp(&(a.totals.customers, a.totals.revenue_minor, a.totals.clicks))
            .then(a.external_id.cmp(&b.external_id))
    });
    let mut quiet: Vec<Referrer> = list
        .iter()
        .filter(|r| r.totals.clicks >= QUIET_CLICKS && r.totals.customers == 0)
        .cloned()
        .collect();
    quiet.sort_by_key(|r| std::cmp::Reverse(r.totals.clicks));
    list.truncate(TOP_REFERRERS);

    // The distinct visitors of the leaderboard's referrers: their links' sketches, merged. (The
    // quiet referrers may be all of them, and only their clicks are used.)
    let listed: std::collections::BTreeSet<Uuid> = list.iter().map(|r| r.participant_id).collect();
    let links: Vec<Uuid> = owner_of
        .iter()
        .filter(|(_, p)| listed.contains(p))
        .map(|(&link, _)| link)
        .collect();
    let mut visitors: BTreeMap<Uuid, Sketch> = BTreeMap::new();
    for chunk in links.chunks(500) {
        let rows: Vec<(Uuid, Vec<u8>)> = in_period(rollups::Entity::find())
            .select_only()
            .column(rollups::Column::LinkId)
            .column(rollups::Column::Visitors)
            .filter(rollups::Column::LinkId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (link, bytes) in rows {
            if let Some(&participant) = owner_of.get(&link) {
                visitors
                    .entry(participant)
                    .or_default()
                    .merge_bytes(&bytes)
                    .map_err(|e| ApiError::Internal(e.into()))?;
            }
        }
    }
    for r in &mut list {
        if let Some(sketch) = visitors.remove(&r.participant_id) {
            r.totals.visitors = sketch;
        }
    }
    Ok((list, quiet))
}

fn absorb(into: &mut Totals, t: &Totals) {
    into.clicks += t.clicks;
    into.visitors.merge(&t.visitors);
    into.leads += t.leads;
    into.approved += t.approved;
    into.in_review += t.in_review;
    into.rejected += t.rejected;
    into.customers += t.customers;
    into.orders += t.orders;
    into.revenue_minor += t.revenue_minor;
    into.referrer_reward_minor += t.referrer_reward_minor;
    into.referee_reward_minor += t.referee_reward_minor;
}

/// Each KPI of the campaign's goals: its value since the campaign started, projected to its due
/// date at the recent daily run-rate.
async fn kpi_progress(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    participants: i64,
    now: DateTime<Utc>,
) -> ApiResult<Vec<KpiReport>> {
    let areas: Vec<FocusArea> = serde_json::from_value::<Goals>(campaign.goals.clone())
        .unwrap_or_default()
        .focus_areas;
    if areas
        .iter()
        .all(|a| a.objectives.iter().all(|o| o.kpis.is_empty()))
    {
        return Ok(Vec::new());
    }
    let tz = calendar::zone(&campaign.time_zone);
    let start = calendar::local_day(tz, campaign.starts_at);
    let today = calendar::local_day(tz, now).max(start);
    let rows = summary_rows(conn, campaign, start, today).await?;
    let mut whole = Totals::default();
    let mut daily: BTreeMap<NaiveDate, Totals> = BTreeMap::new();
    for r in &rows {
        whole.add(r)?;
        if let Some(d) = parse_day(&r.day) {
            daily.entry(d).or_default().add(r)?;
        }
    }
    let sharing = sharing_participants(conn, campaign).await?;
    let value_of = |metric: KpiMetric, t: &Totals| -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let f = |v: i64| v as f64;
        match metric {
            KpiMetric::Referrals => f(t.leads),
            KpiMetric::Conversions => f(t.orders),
            KpiMetric::RevenueMinor => f(t.revenue_minor),
            KpiMetric::NewCustomers => f(t.customers),
            KpiMetric::ConversionRate => {
                t.click_to_customer().and_then(|p| p.rate()).unwrap_or(0.0)
            }
            KpiMetric::KFactor => {
                if participants > 0 {
                    f(t.customers) / f(participants)
                } else {
                    0.0
                }
            }
            KpiMetric::ParticipationRate => {
                if participants > 0 {
                    f(sharing) / f(participants)
                } else {
                    0.0
                }
            }
        }
    };
    let days: Vec<NaiveDate> = calendar::days(start, today).collect();
    let mut out = Vec::new();
    for area in &areas {
        for objective in &area.objectives {
            for kpi in &objective.kpis {
                let value = value_of(kpi.metric, &whole);
                let cumulative = !kpi.metric.is_rate() && kpi.metric != KpiMetric::KFactor;
                let due_end = calendar::day_span(tz, kpi.due).1;
                let progress = KpiProgress {
                    kind: if cumulative {
                        KpiKind::Cumulative
                    } else {
                        KpiKind::Level
                    },
                    direction: Direction::HigherIsBetter,
                    target: kpi.target,
                    value,
                    elapsed: (now - campaign.starts_at).max(Duration::zero()),
                    duration: (due_end - campaign.starts_at).max(Duration::zero()),
                };
                let increments: Vec<f64> = days
                    .iter()
                    .map(|d| daily.get(d).map_or(0.0, |t| value_of(kpi.metric, t)))
                    .collect();
                out.push(KpiReport {
                    focus_area: area.name.clone(),
                    objective: objective.name.clone(),
                    metric: kpi.metric,
                    target: kpi.target,
                    due: kpi.due,
                    value,
                    projection: if cumulative {
                        progress.project_with_daily(&increments)
                    } else {
                        progress.project()
                    },
                });
            }
        }
    }
    Ok(out)
}

/// Participants with at least one click on any of their links, ever.
async fn sharing_participants(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
) -> ApiResult<i64> {
    let links: Vec<Uuid> = rollups::Entity::find()
        .select_only()
        .column(rollups::Column::LinkId)
        .distinct()
        .filter(rollups::Column::CampaignId.eq(campaign.id))
        .filter(rollups::Column::LinkId.ne(Uuid::nil()))
        .filter(rollups::Column::Clicks.gt(0))
        .into_tuple()
        .all(conn)
        .await?;
    let mut people = std::collections::BTreeSet::new();
    for chunk in links.chunks(500) {
        let owners: Vec<Uuid> = referral_links::Entity::find()
            .select_only()
            .column(referral_links::Column::ParticipantId)
            .filter(referral_links::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        people.extend(owners);
    }
    Ok(i64::try_from(people.len()).unwrap_or(i64::MAX))
}

fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// Every kind of insight [`insights`] can produce (what `applyRecommendation` accepts).
pub const INSIGHT_KINDS: &[&str] = &[
    "best_channel",
    "channels_too_close_to_call",
    "variant_winner",
    "variants_too_close_to_call",
    "reward_level_converts_better",
    "reward_levels_too_close_to_call",
    "kpi_at_risk",
    "clicks_without_customers",
    "budget_runs_out",
    "slow_payouts",
    "fraud_spike",
];

/// The rules over a report, each returning a finding with its evidence and an action; rates are
/// compared only with a test and a minimum sample (no claim from a handful of events).
pub fn insights(report: &CampaignReport) -> Vec<Insight> {
    let mut out = Vec::new();
    channel_insight(report, &mut out);
    variant_insight(report, &mut out);
    reward_level_insight(report, &mut out);
    for kpi in &report.kpis {
        if let Some(p) = &kpi.projection
            && matches!(p.status, grapevine_entity::domain::stats::KpiStatus::AtRisk)
        {
            out.push(Insight {
                kind: "kpi_at_risk",
                finding: format!(
                    "{:?} is at risk: projected {:.1} by {} against a target of {:.1}",
                    kpi.metric,
                    p.projected.unwrap_or(kpi.value),
                    kpi.due,
                    kpi.target
                ),
                evidence: format!(
                    "value so far {:.1}; run-rate {:.2} a day; {:.2} a day needed",
                    kpi.value,
                    p.run_rate_per_day.unwrap_or(0.0),
                    p.needed_per_day.unwrap_or(0.0)
                ),
                action:
                    "raise the incentive or push a reminder to participants who have not shared yet"
                        .into(),
                significant: false,
                p_value: None,
                sample: 0,
                impact: (kpi.target - p.projected.unwrap_or(kpi.value)).abs()
                    / kpi.target.abs().max(1.0),
            });
        }
    }
    quiet_referrers_insight(report, &mut out);
    budget_insight(report, &mut out);
    slow_payouts_insight(report, &mut out);
    let t = &report.totals;
    if t.leads >= 30 {
        #[allow(clippy::cast_precision_loss)]
        let rejected = t.rejected as f64 / t.leads as f64;
        if rejected >= 0.2 {
            out.push(Insight {
                kind: "fraud_spike",
                finding: format!("{} of leads were rejected as fraud", percent(rejected)),
                evidence: format!("{} rejected of {} leads", t.rejected, t.leads),
                action: "review the rejected referrals' signals and tighten the velocity or device rules".into(),
                significant: false,
                p_value: None,
                sample: t.leads,
                impact: rejected,
            });
        }
    }
    out.sort_by(|a, b| b.impact.total_cmp(&a.impact));
    out
}

/// Referrers with many clicks and no new customer — only named when, at the campaign's own
/// conversion rate, that many clicks without a customer would happen less than `ALPHA` of the time.
fn quiet_referrers_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let Some(p) = report.totals.click_to_customer().and_then(|p| p.rate()) else {
        return;
    };
    if p <= 0.0 || report.quiet_referrers.is_empty() {
        return;
    }
    #[allow(clippy::cast_precision_loss)]
    let chance = |clicks: i64| (1.0 - p).powf(clicks as f64);
    let unlikely: Vec<&Referrer> = report
        .quiet_referrers
        .iter()
        .filter(|r| chance(r.totals.clicks) < ALPHA)
        .collect();
    let Some(worst) = unlikely.first() else {
        return;
    };
    let names: Vec<String> = unlikely
        .iter()
        .take(5)
        .map(|r| format!("{} ({} clicks)", r.external_id, r.totals.clicks))
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let lost = unlikely
        .iter()
        .map(|r| r.totals.clicks as f64 * p)
        .sum::<f64>();
    out.push(Insight {
        kind: "clicks_without_customers",
        finding: format!(
            "{} referrer(s) drew many clicks and not one new customer",
            unlikely.len()
        ),
        evidence: format!(
            "{}; at the campaign's rate of {} the chance of no customer in {} clicks is {:.4}",
            names.join(", "),
            percent(p),
            worst.totals.clicks,
            chance(worst.totals.clicks)
        ),
        action: "check where they share (audience, landing page, a broken or mistyped link) and reach out to them".into(),
        significant: true,
        p_value: Some(chance(worst.totals.clicks)),
        sample: worst.totals.clicks,
        impact: lost,
    });
}

/// A budget that runs out before the campaign ends at the recent spend rate.
fn budget_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let c = &report.campaign;
    let (Some(budget), Some(ends)) = (c.budget_minor, c.ends_at) else {
        return;
    };
    if report.recent_daily_cost <= 0.0 || ends <= report.now {
        return;
    }
    #[allow(clippy::cast_precision_loss)]
    let left = (budget - c.budget_reserved_minor).max(0) as f64;
    let days_left = left / report.recent_daily_cost;
    #[allow(clippy::cast_possible_truncation)]
    let runs_out = report.now + Duration::seconds((days_left * 86_400.0) as i64);
    if runs_out >= ends {
        return;
    }
    let early = (ends - runs_out).num_days();
    out.push(Insight {
        kind: "budget_runs_out",
        finding: format!(
            "the budget runs out around {}, {early} days before the campaign ends",
            runs_out.date_naive()
        ),
        evidence: format!(
            "{} of {} reserved; {} a day over the last {SPEND_DAYS} days",
            c.budget_reserved_minor,
            budget,
            report.recent_daily_cost.round()
        ),
        action: "raise the budget, lower the reward, or end the campaign earlier".into(),
        significant: false,
        p_value: None,
        sample: 0,
        #[allow(clippy::cast_precision_loss)]
        impact: early as f64 / 30.0,
    });
}

/// Rewards that take long from release to payment.
fn slow_payouts_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let Some(p95) = grapevine_entity::domain::stats::viral::quantile(&report.settle_hours, 0.95)
    else {
        return;
    };
    if report.settle_hours.len() < 5 || p95 <= SLOW_PAYOUT_HOURS {
        return;
    }
    let p50 =
        grapevine_entity::domain::stats::viral::quantile(&report.settle_hours, 0.5).unwrap_or(p95);
    out.push(Insight {
        kind: "slow_payouts",
        finding: format!("rewards take {:.0} hours from release to payment (95th percentile)", p95),
        evidence: format!("{} rewards settled; median {p50:.0} h, p95 {p95:.0} h", report.settle_hours.len()),
        action: "check payouts waiting for approval, on hold (tax details, payout accounts) or failing at the provider".into(),
        significant: false,
        p_value: None,
        #[allow(clippy::cast_possible_wrap)]
        sample: report.settle_hours.len() as i64,
        impact: p95 / SLOW_PAYOUT_HOURS / 10.0,
    });
}

/// Best against worst channel by click-to-customer rate.
fn channel_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let named: Vec<(&String, &Totals)> = report
        .by_channel
        .iter()
        .filter(|(name, t)| !name.is_empty() && t.clicks > 0)
        .collect();
    compare_groups("channel", &named, out);
}

/// Best against worst offer variant.
fn variant_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let named: Vec<(&String, &Totals)> = report
        .by_variant
        .iter()
        .filter(|(id, _, t)| !id.is_nil() && t.clicks > 0)
        .map(|(_, name, t)| (name, t))
        .collect();
    compare_groups("variant", &named, out);
}

/// Best against worst reward level, when the variants offer different ones: variants at the
/// same level are added up, and the levels compared like channels (same test, same minimum
/// sample). The evidence adds each side's reward cost per new customer.
fn reward_level_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let mut levels: BTreeMap<&String, Totals> = BTreeMap::new();
    for (id, _, t) in &report.by_variant {
        if let Some(level) = report.variant_levels.get(id) {
            absorb(levels.entry(level).or_default(), t);
        }
    }
    let named: Vec<(&String, &Totals)> = levels
        .iter()
        .filter(|(_, t)| t.clicks > 0)
        .map(|(l, t)| (*l, t))
        .collect();
    let before = out.len();
    compare_groups("reward level", &named, out);
    let Some(insight) = out.get_mut(before) else {
        return;
    };
    let currency = &report.campaign.currency;
    let cost = |t: &Totals| {
        if t.customers > 0 {
            format!(
                "{} {currency} minor units",
                t.reward_cost_minor() / t.customers
            )
        } else {
            "none yet".into()
        }
    };
    let per_customer: Vec<String> = named
        .iter()
        .map(|(level, t)| format!("{level}: {}", cost(t)))
        .collect();
    insight.evidence = format!(
        "{}; reward cost per new customer — {}",
        insight.evidence,
        per_customer.join("; ")
    );
}

fn compare_groups(what: &'static str, groups: &[(&String, &Totals)], out: &mut Vec<Insight>) {
    if groups.len() < 2 {
        return;
    }
    let rate_of = |t: &Totals| t.click_to_customer().and_then(|p| p.rate()).unwrap_or(0.0);
    let best = groups
        .iter()
        .max_by(|a, b| rate_of(a.1).total_cmp(&rate_of(b.1)).then(b.0.cmp(a.0)));
    let worst = groups
        .iter()
        .min_by(|a, b| rate_of(a.1).total_cmp(&rate_of(b.1)).then(b.0.cmp(a.0)));
    let (Some((best_name, best)), Some((worst_name, worst))) = (best, worst) else {
        return;
    };
    let (Some(a), Some(b)) = (best.click_to_customer(), worst.click_to_customer()) else {
        return;
    };
    let Some(cmp) = ProportionComparison::new(a, b, Confidence::P95) else {
        return;
    };
    let sample = best.clicks.min(worst.clicks);
    let evidence = format!(
        "{best_name}: {} customers of {} clicks ({}); {worst_name}: {} of {} ({}); p = {:.4}",
        best.customers,
        best.clicks,
        percent(rate_of(best)),
        worst.customers,
        worst.clicks,
        percent(rate_of(worst)),
        cmp.p_value
    );
    let (kind_best, kind_small) = match what {
        "channel" => ("best_channel", "channels_too_close_to_call"),
        "reward level" => (
            "reward_level_converts_better",
            "reward_levels_too_close_to_call",
        ),
        _ => ("variant_winner", "variants_too_close_to_call"),
    };
    match cmp.verdict(ALPHA) {
        Verdict::AHigher => {
            let times = if rate_of(worst) > 0.0 {
                format!("{:.1}×", rate_of(best) / rate_of(worst))
            } else {
                "far".into()
            };
            let action = match what {
                "channel" => format!("move share prompts and budget towards {best_name}"),
                "reward level" => format!(
                    "offer {best_name} in every variant and retire {worst_name}, if its reward cost per new customer below is worth the added conversions"
                ),
                _ => format!("make {best_name} the default offer and retire {worst_name}"),
            };
            out.push(Insight {
                kind: kind_best,
                finding: format!("{best_name} converts {times} better than {worst_name}"),
                evidence,
                action,
                significant: true,
                p_value: Some(cmp.p_value),
                sample,
                impact: rate_of(best) - rate_of(worst),
            });
        }
        Verdict::TooFewEvents | Verdict::NotSignificant | Verdict::BHigher => {
            out.push(Insight {
                kind: kind_small,
                finding: format!(
                    "no {what} converts significantly better yet ({best_name} leads {worst_name})"
                ),
                evidence,
                action: format!("keep collecting data before shifting effort between {what}s"),
                significant: false,
                p_value: Some(cmp.p_value),
                sample,
                impact: 0.0,
            });
        }
    }
}

/// A campaign's experiment settings, or the defaults (off, α = 0.05, difference 0.03).
pub async fn experiment_settings(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<experiments::Model> {
    let campaign = crate::services::campaigns::get(conn, tenant_id, campaign_id).await?;
    Ok(experiments::Entity::find_by_id(campaign.id)
        .one(conn)
        .await?
        .unwrap_or(experiments::Model {
            campaign_id: campaign.id,
            tenant_id,
            auto_stop: false,
            alpha: 0.05,
            tau2: 0.03 * 0.03,
            tests: serde_json::json!({}),
            updated_at: now,
        }))
}

/// Change a campaign's experiment settings (the sequential tests start afresh).
#[allow(clippy::too_many_arguments)]
pub async fn set_experiment_settings(
    conn: &impl sea_orm::TransactionTrait,
    principal: &crate::auth::Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    auto_stop: bool,
    difference: f64,
    alpha: f64,
    now: DateTime<Utc>,
) -> ApiResult<experiments::Model> {
    let mut errors = Vec::new();
    if !(difference > 0.0 && difference < 1.0) {
        errors.push(grapevine_entity::domain::FieldError::new(
            "minimumDetectableDifference",
            "must be between 0 and 1 (a difference of rates)",
        ));
    }
    if !(alpha > 0.0 && alpha <= 0.2) {
        errors.push(grapevine_entity::domain::FieldError::new(
            "alpha",
            "must be above 0 and at most 0.2",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let txn = grapevine_entity::db::begin_write(conn).await?;
    let campaign = crate::services::campaigns::get(&txn, tenant_id, campaign_id).await?;
    experiments::Entity::delete_by_id(campaign.id)
        .exec(&txn)
        .await?;
    let row = sea_orm::ActiveModelTrait::insert(
        experiments::ActiveModel {
            campaign_id: sea_orm::ActiveValue::Set(campaign.id),
            tenant_id: sea_orm::ActiveValue::Set(tenant_id),
            auto_stop: sea_orm::ActiveValue::Set(auto_stop),
            alpha: sea_orm::ActiveValue::Set(alpha),
            tau2: sea_orm::ActiveValue::Set(difference * difference),
            tests: sea_orm::ActiveValue::Set(serde_json::json!({})),
            updated_at: sea_orm::ActiveValue::Set(now),
        },
        &txn,
    )
    .await?;
    crate::services::audit::record(
        &txn,
        tenant_id,
        principal,
        "experiment.settings",
        "campaign",
        Some(campaign.id),
        serde_json::json!({ "auto_stop": auto_stop, "alpha": alpha, "difference": difference }),
        now,
    )
    .await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(clicks: i64, customers: i64) -> Totals {
        Totals {
            clicks,
            customers,
            ..Totals::default()
        }
    }

    fn report(now: DateTime<Utc>) -> CampaignReport {
        let campaign = campaigns::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            name: "c".into(),
            description: String::new(),
            status: grapevine_entity::tables::CampaignStatus::Active,
            goals: serde_json::json!({}),
            audience: serde_json::json!({}),
            starts_at: now - Duration::days(30),
            ends_at: Some(now + Duration::days(30)),
            time_zone: "UTC".into(),
            currency: "USD".into(),
            budget_minor: None,
            attribution_window_days: 30,
            attribution_model: grapevine_entity::tables::AttributionModel::FirstTouch,
            hold_days: 0,
            landing_url: None,
            holdout_bps: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
            launched_at: None,
            ended_at: None,
            fraud_policy: None,
            budget_reserved_minor: 0,
        };
        CampaignReport {
            campaign,
            from: now.date_naive(),
            to: now.date_naive(),
            granularity: Granularity::Day,
            totals: totals(10_000, 500),
            participants: 10,
            by_channel: BTreeMap::new(),
            by_variant: Vec::new(),
            variant_levels: BTreeMap::new(),
            series: BTreeMap::new(),
            by_period_channel: BTreeMap::new(),
            top_referrers: Vec::new(),
            quiet_referrers: Vec::new(),
            recent_daily_cost: 0.0,
            settle_hours: Vec::new(),
            now,
            holdout: None,
            kpis: Vec::new(),
            insights: Vec::new(),
            cohorts: Vec::new(),
        }
    }

    fn quiet(id: &str, clicks: i64) -> Referrer {
        Referrer {
            participant_id: Uuid::nil(),
            external_id: id.into(),
            totals: totals(clicks, 0),
        }
    }

    #[test]
    fn many_clicks_and_no_customer_is_named_only_when_it_is_unlikely_by_chance() {
        // The campaign converts 5 % of clicks: 0 of 60 happens 4.6 % of the time, 0 of 50 7.7 %.
        let mut r = report(Utc::now());
        r.quiet_referrers = vec![quiet("loud", 60), quiet("unlucky", 50)];
        let found = insights(&r);
        let insight = found
            .iter()
            .find(|i| i.kind == "clicks_without_customers")
            .unwrap();
        assert!(
            insight.evidence.starts_with("loud (60 clicks);"),
            "{}",
            insight.evidence
        );
        assert!(!insight.evidence.contains("unlucky"));
        r.quiet_referrers = vec![quiet("unlucky", 50)];
        assert!(
            insights(&r)
                .iter()
                .all(|i| i.kind != "clicks_without_customers")
        );
    }

    #[test]
    fn a_budget_spent_faster_than_the_calendar_is_flagged_with_its_date() {
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
        let mut r = report(now);
        r.campaign.budget_minor = Some(100_000);
        r.campaign.budget_reserved_minor = 80_000;
        r.recent_daily_cost = 2_000.0; // 20 000 left: 10 days, the campaign runs 30 more
        let found = insights(&r);
        let b = found.iter().find(|i| i.kind == "budget_runs_out").unwrap();
        assert!(
            b.finding.contains("2026-12-04") && b.finding.contains("20 days before"),
            "{}",
            b.finding
        );
        r.recent_daily_cost = 500.0; // 40 days: enough
        assert!(insights(&r).iter().all(|i| i.kind != "budget_runs_out"));
    }

    #[test]
    fn slow_payouts_need_a_sample_and_a_slow_tail() {
        let mut r = report(Utc::now());
        r.settle_hours = vec![1.0, 2.0, 3.0, 200.0];
        assert!(
            insights(&r).iter().all(|i| i.kind != "slow_payouts"),
            "too few to say"
        );
        r.settle_hours = vec![1.0, 2.0, 3.0, 100.0, 150.0, 200.0];
        assert!(insights(&r).iter().any(|i| i.kind == "slow_payouts"));
        r.settle_hours = vec![1.0; 20];
        assert!(insights(&r).iter().all(|i| i.kind != "slow_payouts"));
    }

    #[test]
    fn periods_start_on_their_first_day() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(Granularity::Day.start_of(d), d);
        assert_eq!(Granularity::Week.start_of(d).to_string(), "2026-11-23");
        assert_eq!(Granularity::Month.start_of(d).to_string(), "2026-11-01");
    }

    #[test]
    fn a_clear_difference_names_the_better_channel_with_its_evidence() {
        let (email, social) = ("email".to_owned(), "social".to_owned());
        let (a, b) = (totals(1000, 100), totals(1000, 30));
        let mut out = Vec::new();
        compare_groups("channel", &[(&email, &a), (&social, &b)], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, "best_channel");
        assert!(out[0].significant);
        assert!(
            out[0]
                .finding
                .starts_with("email converts 3.3× better than social"),
            "{}",
            out[0].finding
        );
        assert!(
            out[0].evidence.contains("100 customers of 1000 clicks"),
            "{}",
            out[0].evidence
        );
    }

    fn level_report(levels: &[(&str, i64, i64, i64)]) -> CampaignReport {
        let mut r = report(Utc::now());
        for (i, (level, clicks, customers, cost)) in levels.iter().enumerate() {
            let id = Uuid::from_u128(i as u128 + 1);
            let mut t = totals(*clicks, *customers);
            t.referrer_reward_minor = *cost;
            r.by_variant.push((id, format!("v{i}"), t));
            r.variant_levels.insert(id, (*level).to_owned());
        }
        r
    }

    #[test]
    fn a_reward_level_that_converts_clearly_better_is_named_with_its_cost() {
        // Two variants at 10.00 (added up: 40 of 400) against one at 5.00 (10 of 400).
        let r = level_report(&[
            ("referrer 10.00 USD", 200, 20, 20_000),
            ("referrer 5.00 USD", 400, 10, 5_000),
            ("referrer 10.00 USD", 200, 20, 20_000),
        ]);
        let found = insights(&r);
        let i = found
            .iter()
            .find(|i| i.kind == "reward_level_converts_better")
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert!(i.significant);
        assert!(
            i.finding
                .starts_with("referrer 10.00 USD converts 4.0× better than referrer 5.00 USD"),
            "{}",
            i.finding
        );
        assert!(
            i.evidence.contains("40 customers of 400 clicks")
                && i.evidence.contains("10 of 400")
                && i.evidence
                    .contains("referrer 10.00 USD: 1000 USD minor units")
                && i.evidence
                    .contains("referrer 5.00 USD: 500 USD minor units"),
            "{}",
            i.evidence
        );
        assert!(
            i.action
                .contains("offer referrer 10.00 USD in every variant")
        );
        assert!(INSIGHT_KINDS.contains(&i.kind));
    }

    #[test]
    fn reward_levels_with_a_handful_of_events_claim_nothing() {
        let r = level_report(&[
            ("referrer 10.00 USD", 12, 4, 4_000),
            ("referrer 5.00 USD", 12, 0, 0),
        ]);
        let found = insights(&r);
        let i = found
            .iter()
            .find(|i| i.kind.starts_with("reward_level"))
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert_eq!(i.kind, "reward_levels_too_close_to_call");
        assert!(!i.significant);
        // Variants at one level only: nothing to compare.
        let same = level_report(&[
            ("referrer 5.00 USD", 400, 40, 0),
            ("referrer 5.00 USD", 400, 10, 0),
        ]);
        assert!(
            insights(&same)
                .iter()
                .all(|i| !i.kind.starts_with("reward_level"))
        );
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
            trigger: grapevine_entity::tables::RewardTrigger::FirstPurchase,
            max_purchases: None,
            min_order_minor: 0,
            kind,
            reward_type: grapevine_entity::tables::RewardType::Cash,
            amount_minor: amount,
            bps,
            tiers: serde_json::json!([]),
            per_referrer_cap_minor: None,
            created_at: now,
        };
        use grapevine_entity::tables::RewardSide::{Referee, Referrer};
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

    #[test]
    fn a_handful_of_events_claims_nothing() {
        let (email, social) = ("email".to_owned(), "social".to_owned());
        // 3 of 10 against 0 of 10 looks like a big difference; it is a handful of events.
        let (a, b) = (totals(10, 3), totals(10, 0));
        let mut out = Vec::new();
        compare_groups("channel", &[(&email, &a), (&social, &b)], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, "channels_too_close_to_call");
        assert!(!out[0].significant);
    }
}
