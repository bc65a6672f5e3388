//! Campaign reports in GraphQL (see `ops::reports`).

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;
use grapevine_entity::domain::stats::{self, Confidence, KpiStatus as DomainStatus};
use uuid::Uuid;

use super::goals::KpiMetric;
use crate::graphql::recommendations::RecommendationDismissal;
use crate::graphql::scalars::{BigInt, Money};
use grapevine_entity::ops::reports::{self as svc, Granularity};

/// How a report's series is cut.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReportGranularity {
    /// A point per local day.
    Day,
    /// A point per ISO week, starting Monday.
    Week,
    /// A point per calendar month.
    Month,
}

impl From<ReportGranularity> for Granularity {
    fn from(g: ReportGranularity) -> Self {
        match g {
            ReportGranularity::Day => Self::Day,
            ReportGranularity::Week => Self::Week,
            ReportGranularity::Month => Self::Month,
        }
    }
}

impl From<Granularity> for ReportGranularity {
    fn from(g: Granularity) -> Self {
        match g {
            Granularity::Day => Self::Day,
            Granularity::Week => Self::Week,
            Granularity::Month => Self::Month,
        }
    }
}

/// A rate with its 95 % Wilson score interval.
#[derive(SimpleObject, Clone, Debug)]
pub struct Rate {
    /// `successes / trials`; null when there were no trials.
    pub value: Option<f64>,
    /// Lower end of the 95 % interval.
    pub low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub high: Option<f64>,
    /// The numerator.
    pub successes: BigInt,
    /// The denominator.
    pub trials: BigInt,
}

impl Rate {
    /// `successes` of `trials`.
    pub fn new(successes: i64, trials: i64) -> Self {
        let p = svc::rate(successes, trials);
        let interval = p.and_then(|p| p.wilson(Confidence::P95));
        Self {
            value: p.and_then(|p| p.rate()),
            low: interval.map(|i| i.low),
            high: interval.map(|i| i.high),
            successes: BigInt(successes),
            trials: BigInt(trials),
        }
    }
}

/// The referral funnel over the period.
#[derive(SimpleObject, Clone, Debug)]
pub struct Funnel {
    /// Counted clicks on referral links (bots and HEAD requests excluded).
    pub clicks: BigInt,
    /// Distinct visitors over the whole period (a visitor who came back on another day counts
    /// once): exact up to 128; beyond, a HyperLogLog estimate with a standard error of 1.6 %
    /// (within ±4.9 % in 99.7 % of cases). See `uniqueVisitorsExact`.
    pub unique_visitors: BigInt,
    /// Whether `uniqueVisitors` is an exact count.
    pub unique_visitors_exact: bool,
    /// Referred people tied to a referrer (by their attribution day).
    pub leads: BigInt,
    /// Of them, approved by the fraud rules or a reviewer.
    pub approved: BigInt,
    /// Of them, waiting for review or not yet decided.
    pub in_review: BigInt,
    /// Of them, rejected.
    pub rejected: BigInt,
    /// Referred people whose first purchase fell in the period: new customers.
    pub customers: BigInt,
    /// Referred orders (first and repeat).
    pub orders: BigInt,
}

/// One group of a breakdown (a channel, a variant, a period).
#[derive(SimpleObject, Clone, Debug)]
pub struct ReportRow {
    /// The channel (`email`, … or empty), variant id, or period start (`YYYY-MM-DD`).
    pub key: String,
    /// A label for people.
    pub label: String,
    /// Clicks.
    pub clicks: BigInt,
    /// Distinct visitors (see `Funnel.uniqueVisitors`).
    pub unique_visitors: BigInt,
    /// Leads.
    pub leads: BigInt,
    /// New customers.
    pub customers: BigInt,
    /// Orders.
    pub orders: BigInt,
    /// Revenue net of refunds.
    pub revenue: Money,
    /// Rewards, both sides, net of reversals.
    pub reward_cost: Money,
    /// Clicks that became new customers.
    pub conversion_rate: Rate,
}

impl ReportRow {
    fn new(key: String, label: String, t: &svc::Counts, currency: &str) -> Self {
        Self {
            key,
            label,
            clicks: BigInt(t.clicks),
            unique_visitors: BigInt(i64::try_from(t.visitors.estimate()).unwrap_or(i64::MAX)),
            leads: BigInt(t.leads),
            customers: BigInt(t.customers),
            orders: BigInt(t.orders),
            revenue: Money::new(t.revenue_minor, currency),
            reward_cost: Money::new(t.reward_cost_minor(), currency),
            conversion_rate: Rate::new(t.customers, t.clicks),
        }
    }
}

/// A value and its 95 % confidence interval.
#[derive(SimpleObject, Clone, Debug)]
pub struct Interval95 {
    /// The point estimate.
    pub value: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl From<stats::Estimate> for Interval95 {
    fn from(e: stats::Estimate) -> Self {
        Self {
            value: e.value,
            low: e.interval.low,
            high: e.interval.high,
        }
    }
}

/// The programme against its holdout: eligible participants who were invited against those held
/// out (no code), per capita over the period — their own purchases, plus for the invited the
/// purchases of the customers they referred. Amounts in minor units of the campaign currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct HoldoutComparison {
    /// Invited participants.
    pub invited: BigInt,
    /// Held-out participants.
    pub held_out: BigInt,
    /// Value per invited participant (t interval).
    pub invited_value_per_capita: Option<Interval95>,
    /// Value per held-out participant.
    pub held_out_value_per_capita: Option<Interval95>,
    /// Invited participants with at least one purchase (own or referred).
    pub invited_buyer_rate: Rate,
    /// Held-out participants with a purchase.
    pub held_out_buyer_rate: Rate,
    /// `(invited − held out) per capita × invited`: revenue the programme added, with Welch's
    /// interval. Attributed revenue counts referred purchases only; this nets out what the
    /// participants would have spent anyway.
    pub incremental_revenue: Option<Interval95>,
    /// Buyers the programme added (rate difference × invited, Newcombe's interval).
    pub incremental_conversions: Option<Interval95>,
    /// Reward cost ÷ incremental conversions.
    pub incremental_cost_per_acquisition: Option<f64>,
    /// Its lower end (cost ÷ the upper end of incremental conversions).
    pub incremental_cost_per_acquisition_low: Option<f64>,
    /// Its upper end; null when zero added buyers cannot be ruled out (unbounded).
    pub incremental_cost_per_acquisition_high: Option<f64>,
}

impl From<svc::Holdout> for HoldoutComparison {
    fn from(h: svc::Holdout) -> Self {
        let c = Confidence::P95;
        let n = |v: u64| BigInt(i64::try_from(v).unwrap_or(i64::MAX));
        let i64_of = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Self {
            invited: n(h.invited),
            held_out: n(h.held_out),
            invited_value_per_capita: h.invited_value.mean_estimate(c).map(Into::into),
            held_out_value_per_capita: h.held_out_value.mean_estimate(c).map(Into::into),
            invited_buyer_rate: Rate::new(i64_of(h.invited_buyers), i64_of(h.invited)),
            held_out_buyer_rate: Rate::new(i64_of(h.held_out_buyers), i64_of(h.held_out)),
            incremental_revenue: h.incremental_revenue.map(Into::into),
            incremental_conversions: h.incremental_cpa.map(|c| c.incremental_conversions.into()),
            incremental_cost_per_acquisition: h.incremental_cpa.and_then(|c| c.value),
            incremental_cost_per_acquisition_low: h.incremental_cpa.and_then(|c| c.low),
            incremental_cost_per_acquisition_high: h.incremental_cpa.and_then(|c| c.high),
        }
    }
}

/// A referrer on the leaderboard.
#[derive(SimpleObject, Clone, Debug)]
pub struct TopReferrer {
    /// The participant.
    pub participant_id: Uuid,
    /// Their id in your system.
    pub external_id: String,
    /// Clicks on their links.
    pub clicks: BigInt,
    /// Distinct visitors of their links (see `Funnel.uniqueVisitors`).
    pub unique_visitors: BigInt,
    /// People they referred.
    pub leads: BigInt,
    /// New customers they brought.
    pub customers: BigInt,
    /// Those customers' revenue.
    pub revenue: Money,
}

/// Where a KPI stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "DomainStatus")]
pub enum KpiStatus {
    /// Ended with the target met.
    Achieved,
    /// The projection meets the target.
    OnTrack,
    /// The projection falls short of the target.
    AtRisk,
    /// Ended short of the target.
    Missed,
    /// No time has elapsed: nothing to project from.
    TooEarly,
}

/// A KPI of the campaign's goals, measured and projected.
#[derive(SimpleObject, Clone, Debug)]
pub struct KpiProgressReport {
    /// The focus area.
    pub focus_area: String,
    /// The objective.
    pub objective: String,
    /// The metric.
    pub metric: KpiMetric,
    /// The target.
    pub target: f64,
    /// When it is due.
    pub due: NaiveDate,
    /// The value since the campaign started.
    pub value: f64,
    /// On track, at risk, missed…; null when it cannot be projected.
    pub status: Option<KpiStatus>,
    /// The value the projection expects at the due date: for counts, the value so far plus the
    /// mean daily increment of the last 7 days times the days left; for rates, the rate now.
    pub projected: Option<f64>,
    /// The daily pace used.
    pub run_rate_per_day: Option<f64>,
    /// The daily pace that would reach the target.
    pub needed_per_day: Option<f64>,
}

impl From<svc::KpiReport> for KpiProgressReport {
    fn from(k: svc::KpiReport) -> Self {
        Self {
            focus_area: k.focus_area,
            objective: k.objective,
            metric: k.metric.into(),
            target: k.target,
            due: k.due,
            value: k.value,
            status: k.projection.map(|p| p.status.into()),
            projected: k.projection.and_then(|p| p.projected),
            run_rate_per_day: k.projection.and_then(|p| p.run_rate_per_day),
            needed_per_day: k.projection.and_then(|p| p.needed_per_day),
        }
    }
}

/// A finding over the report, its evidence and a concrete action. Rates are compared with a
/// two-proportion z-test at α = 0.05 and only with at least 30 trials and 5 successes and 5
/// failures per group; below that, an insight says so and claims nothing.
#[derive(SimpleObject, Clone, Debug)]
pub struct Insight {
    /// Stable kind: `best_channel`, `channels_too_close_to_call`, `variant_winner`,
    /// `variants_too_close_to_call`, `reward_level_converts_better` and
    /// `reward_levels_too_close_to_call` (when variants offer different rewards — the campaign's
    /// rules plus the variant's own — variants at the same level are added up and the best and
    /// worst levels' click-to-customer rates compared as above; the evidence adds each level's
    /// reward cost per new customer), `kpi_at_risk`, `clicks_without_customers` (named only when,
    /// at the campaign's own rate, that many clicks without a customer would happen less than
    /// 5 % of the time), `budget_runs_out` (at the last 14 days' spend), `slow_payouts` (release
    /// to payment above 72 h at the 95th percentile, from 5 rewards), `fraud_spike` (20 % of 30+
    /// leads rejected).
    pub kind: String,
    /// The finding.
    pub finding: String,
    /// The numbers behind it (counts, rates, p-value).
    pub evidence: String,
    /// What to do.
    pub action: String,
    /// Whether a significance test supports the finding.
    pub significant: bool,
    /// That test's p-value.
    pub p_value: Option<f64>,
    /// The smaller of the compared samples.
    pub sample: BigInt,
    /// Set when the campaign's team dismissed this kind of insight (`dismissRecommendation`);
    /// null otherwise. A dismissed insight is still reported, so nothing disappears unexplained.
    pub dismissal: Option<RecommendationDismissal>,
}

impl From<svc::Insight> for Insight {
    fn from(i: svc::Insight) -> Self {
        Self {
            kind: i.kind.to_owned(),
            finding: i.finding,
            evidence: i.evidence,
            action: i.action,
            significant: i.significant,
            p_value: i.p_value,
            sample: BigInt(i.sample),
            dismissal: None,
        }
    }
}

/// How a cohort's customers came to their first purchase.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "grapevine_entity::domain::cohorts::CohortKind")]
pub enum CohortKind {
    /// Their first purchase was attributed to a referral of this campaign (whatever the fraud
    /// decision on that referral).
    Referred,
    /// Their first purchase was attributed to no referral at all (`organic`: no referral and no
    /// campaign). Customers whose first purchase another campaign referred are in neither kind.
    Organic,
}

/// Where a cohort stands some months after its first purchases (cumulative).
#[derive(SimpleObject, Clone, Debug)]
pub struct CohortMonth {
    /// Months since the cohort's month: 0 is the month of the first purchase.
    pub months_since: i32,
    /// That calendar month (`YYYY-MM`, campaign time zone).
    pub month: String,
    /// Repeat-purchase value: purchases after each customer's first one, made up to the end of
    /// this month (and not after the report's last day), net of refunds, in the campaign
    /// currency. Referred purchases count at their converted amount; organic purchases in
    /// another currency have no converted amount and count 0.
    pub repeat_revenue: Money,
    /// `repeatRevenue.amountMinor / customers`, in minor units.
    pub repeat_revenue_per_customer: Option<f64>,
    /// Customers who purchased again (at least once after their first purchase) by the end of
    /// this month, out of the cohort's customers.
    pub repeat_purchase_rate: Rate,
}

/// Customers whose first purchase fell in one month, of one kind (referred or organic).
#[derive(SimpleObject, Clone, Debug)]
pub struct Cohort {
    /// The month of their first purchase (`YYYY-MM`, campaign time zone).
    pub month: String,
    /// How they came.
    pub kind: CohortKind,
    /// How many customers.
    pub customers: BigInt,
    /// Month 0, 1, 2, … up to the month of the report's last day.
    pub months: Vec<CohortMonth>,
}

impl Cohort {
    fn new(c: &grapevine_entity::domain::cohorts::Cohort, currency: &str) -> Self {
        let customers = i64::try_from(c.customers).unwrap_or(i64::MAX);
        let month_text =
            |m: grapevine_entity::domain::cohorts::Month| m.first_day().format("%Y-%m").to_string();
        Self {
            month: month_text(c.month),
            kind: c.kind.into(),
            customers: BigInt(customers),
            months: c
                .months
                .iter()
                .map(|m| {
                    let offset = i32::try_from(m.months_since).unwrap_or(i32::MAX);
                    CohortMonth {
                        months_since: offset,
                        month: month_text(c.month.plus(offset)),
                        repeat_revenue: Money::new(m.repeat_value_minor, currency),
                        repeat_revenue_per_customer: c.value_per_customer(m),
                        repeat_purchase_rate: Rate::new(
                            i64::try_from(m.repeat_customers).unwrap_or(i64::MAX),
                            customers,
                        ),
                    }
                })
                .collect(),
        }
    }
}

/// A campaign's performance over a period, read from the rollups (which lag the events by at
/// most `analytics.rollup_interval_secs`).
#[derive(SimpleObject, Clone, Debug)]
pub struct CampaignReport {
    /// The campaign.
    pub campaign_id: Uuid,
    /// First local day (inclusive), in the campaign's time zone.
    pub from: NaiveDate,
    /// Last local day (inclusive).
    pub to: NaiveDate,
    /// The campaign's time zone, which days are cut in.
    pub time_zone: String,
    /// The series' cut.
    pub granularity: ReportGranularity,
    /// The funnel.
    pub funnel: Funnel,
    /// Clicks that became leads.
    pub click_to_lead: Rate,
    /// Leads that became customers.
    pub lead_to_customer: Rate,
    /// Clicks that became customers.
    pub click_to_customer: Rate,
    /// Rejected leads among all leads.
    pub fraud_rejection_rate: Rate,
    /// Referred revenue, net of refunds, in the campaign currency.
    pub revenue: Money,
    /// Rewards created in the period, both sides, net of reversals.
    pub reward_cost: Money,
    /// Of which for referrers.
    pub referrer_reward_cost: Money,
    /// Of which for referees.
    pub referee_reward_cost: Money,
    /// `(revenue − rewardCost) / rewardCost`; null without reward cost.
    pub roi: Option<f64>,
    /// `rewardCost / customers`; null without customers.
    pub cost_per_acquisition: Option<Money>,
    /// `revenue / orders` of referred customers; null without orders.
    pub average_order_value: Option<Money>,
    /// Eligible participants enrolled.
    pub participants: BigInt,
    /// Viral coefficient: distinct visitors reached per participant × visitors who became
    /// customers, i.e. new customers per participant. Null without participants.
    pub k_factor: Option<f64>,
    /// By channel, best converting first.
    pub by_channel: Vec<ReportRow>,
    /// By offer variant.
    pub by_variant: Vec<ReportRow>,
    /// Over time, oldest first.
    pub series: Vec<ReportRow>,
    /// Referrers with the most new customers.
    pub top_referrers: Vec<TopReferrer>,
    /// Invited against held-out participants; null when the campaign holds nobody out.
    pub holdout: Option<HoldoutComparison>,
    /// Progress against each KPI of the campaign's goals.
    pub kpis: Vec<KpiProgressReport>,
    /// Findings with evidence and actions, highest impact first.
    pub insights: Vec<Insight>,
    /// Repeat-purchase value over time of referred against organic customers: the tenant's
    /// customers whose first purchase (their earliest order by `occurredAt`) fell in the period,
    /// grouped by the month of that purchase and by kind — referred when it was attributed to a
    /// referral of this campaign, organic when it was attributed to no referral. Read from the
    /// orders themselves (not the rollups), so it is current. Oldest month first, referred
    /// before organic; months with no new customer of a kind have no cohort.
    pub cohorts: Vec<Cohort>,
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: i64, b: i64) -> Option<f64> {
    (b != 0).then(|| a as f64 / b as f64)
}

impl From<svc::CampaignReport> for CampaignReport {
    fn from(r: svc::CampaignReport) -> Self {
        let c = r.campaign.currency.clone();
        let t = &r.totals;
        let money = |v: i64| Money::new(v, &c);
        let cost = t.reward_cost_minor();
        let mut by_channel: Vec<ReportRow> = r
            .by_channel
            .iter()
            .map(|(k, v)| {
                ReportRow::new(
                    k.clone(),
                    if k.is_empty() {
                        "(none)".into()
                    } else {
                        k.clone()
                    },
                    v,
                    &c,
                )
            })
            .collect();
        by_channel.sort_by(|a, b| {
            b.conversion_rate
                .value
                .unwrap_or(0.0)
                .total_cmp(&a.conversion_rate.value.unwrap_or(0.0))
        });
        let k_factor = stats::KFactor::new(
            u64::try_from(r.participants).unwrap_or(0),
            t.visitors.estimate(),
            u64::try_from(t.customers).unwrap_or(0),
        )
        .map(|k| k.value());
        Self {
            campaign_id: r.campaign.id,
            from: r.from,
            to: r.to,
            time_zone: r.campaign.time_zone.clone(),
            granularity: r.granularity.into(),
            funnel: Funnel {
                clicks: BigInt(t.clicks),
                unique_visitors: BigInt(i64::try_from(t.visitors.estimate()).unwrap_or(i64::MAX)),
                unique_visitors_exact: t.visitors.is_exact(),
                leads: BigInt(t.leads),
                approved: BigInt(t.approved),
                in_review: BigInt(t.in_review),
                rejected: BigInt(t.rejected),
                customers: BigInt(t.customers),
                orders: BigInt(t.orders),
            },
            click_to_lead: Rate::new(t.leads, t.clicks),
            lead_to_customer: Rate::new(t.customers, t.leads),
            click_to_customer: Rate::new(t.customers, t.clicks),
            fraud_rejection_rate: Rate::new(t.rejected, t.leads),
            revenue: money(t.revenue_minor),
            reward_cost: money(cost),
            referrer_reward_cost: money(t.referrer_reward_minor),
            referee_reward_cost: money(t.referee_reward_minor),
            roi: ratio(t.revenue_minor - cost, cost),
            cost_per_acquisition: (t.customers > 0).then(|| money(cost / t.customers)),
            average_order_value: (t.orders > 0).then(|| money(t.revenue_minor / t.orders)),
            participants: BigInt(r.participants),
            k_factor,
            by_channel,
            by_variant: r
                .by_variant
                .iter()
                .map(|(id, name, v)| {
                    ReportRow::new(
                        if id.is_nil() {
                            String::new()
                        } else {
                            id.to_string()
                        },
                        name.clone(),
                        v,
                        &c,
                    )
                })
                .collect(),
            series: r
                .series
                .iter()
                .map(|(d, v)| ReportRow::new(d.to_string(), d.to_string(), v, &c))
                .collect(),
            top_referrers: r
                .top_referrers
                .iter()
                .map(|p| TopReferrer {
                    participant_id: p.participant_id,
                    external_id: p.external_id.clone(),
                    clicks: BigInt(p.totals.clicks),
                    unique_visitors: BigInt(
                        i64::try_from(p.totals.visitors.estimate()).unwrap_or(i64::MAX),
                    ),
                    leads: BigInt(p.totals.leads),
                    customers: BigInt(p.totals.customers),
                    revenue: money(p.totals.revenue_minor),
                })
                .collect(),
            holdout: r.holdout.map(Into::into),
            kpis: r.kpis.into_iter().map(Into::into).collect(),
            insights: r.insights.into_iter().map(Into::into).collect(),
            cohorts: r.cohorts.iter().map(|k| Cohort::new(k, &c)).collect(),
        }
    }
}
