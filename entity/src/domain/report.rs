//! A campaign report as data: the funnel and money over a period, its breakdowns by channel,
//! variant and period, top referrers, KPI progress, the holdout comparison and the insights drawn
//! from it. `ops::reports` reads it from the rollups; `domain::insights` reasons over it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::{
    counts::Counts,
    goals::KpiMetric,
    stats::{CostPerAcquisition, Estimate, KpiProjection, Proportion, Summary},
};
use crate::tables::campaigns;

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
