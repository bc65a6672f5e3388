//! Programme health in GraphQL: every metric of the seed with its definition.

use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, Utc};
use grapevine_entity::domain::stats::two_proportions::Verdict;
use uuid::Uuid;

use super::reports::{Interval95, Rate};
use crate::graphql::scalars::BigInt;
use grapevine_entity::ops::{
    program_health as svc, recommendations::Impact, reports as svc_reports,
};

/// A rate when the numerator fits in the denominator, null otherwise (never clamped).
fn bounded(successes: i64, trials: i64) -> Option<Rate> {
    (successes <= trials).then(|| Rate::new(successes, trials))
}

/// Seconds as hours.
fn hours(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| s / 3600.0)
}

/// Tracking accuracy: what the tracking endpoints stored against what they received, over the
/// whole UTC hours the period touches (`hoursFrom` to `hoursTo`): the received side is counted
/// per tenant and hour, apart from the rows, as requests arrive.
#[derive(SimpleObject, Clone, Debug)]
pub struct TrackingAccuracy {
    /// The first hour counted (the period's start, rounded down to the hour).
    pub hours_from: DateTime<Utc>,
    /// The end of the last hour counted (the period's end, rounded up to the hour).
    pub hours_to: DateTime<Utc>,
    /// Clicks the redirect counted (requests for a live code from a browser; bots and unknown
    /// codes are not clicks).
    pub clicks_received: BigInt,
    /// Click rows stored.
    pub clicks_recorded: BigInt,
    /// Clicks dropped before being stored: the click buffer was full (the database slower than
    /// the clicks), or their write failed for good.
    pub clicks_lost: BigInt,
    /// Clicks recorded / clicks received; null if more rows than receipts (a replica that
    /// crashed before adding its tally).
    pub clicks: Option<Rate>,
    /// `trackConversion` reports that passed input validation (a replayed order counts again).
    pub conversion_reports: BigInt,
    /// Of them, reports that failed on our side: nothing was stored and the caller got
    /// `INTERNAL` (reports refused for bad input are the caller's, and not counted).
    pub conversion_reports_failed: BigInt,
    /// Reports stored (or recognised as a replay) / reports received.
    pub conversions: Rate,
}

impl From<svc::Tracking> for TrackingAccuracy {
    fn from(t: svc::Tracking) -> Self {
        Self {
            hours_from: t.hours_from,
            hours_to: t.hours_to,
            clicks_received: BigInt(t.clicks_received),
            clicks_recorded: BigInt(t.clicks_recorded),
            clicks_lost: BigInt(t.clicks_lost),
            clicks: bounded(t.clicks_recorded, t.clicks_received),
            conversion_reports: BigInt(t.conversion_reports),
            conversion_reports_failed: BigInt(t.conversion_reports_failed),
            conversions: Rate::new(
                t.conversion_reports - t.conversion_reports_failed,
                t.conversion_reports,
            ),
        }
    }
}

/// Delivery of one kind of email.
#[derive(SimpleObject, Clone, Debug)]
pub struct EmailDelivery {
    /// The kind of email (`launch`, `invite`, `welcome`, `reward_earned`, `reward_paid`, `digest`).
    pub kind: String,
    /// Sent / (sent + failed + unknown), over emails of this kind created in the period. Queued,
    /// sending and suppressed emails have no delivery outcome yet and are not counted.
    pub success: Rate,
    /// Handed to the SMTP server.
    pub sent: BigInt,
    /// Given up on after retries.
    pub failed: BigInt,
    /// Interrupted mid-exchange: may or may not have left.
    pub unknown: BigInt,
}

/// One campaign's incentive and what it drew over the period.
#[derive(SimpleObject, Clone, Debug)]
pub struct CampaignHealth {
    /// The campaign.
    pub campaign_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its reward level: the first referrer reward rule's kind (`fixed`, `percent`, `tiered`);
    /// null when it rewards no referrer.
    pub referrer_reward_kind: Option<String>,
    /// That rule's fixed amount in minor units of `currency` (fixed rewards).
    pub referrer_reward_minor: Option<BigInt>,
    /// That rule's share of the order in basis points (percent rewards).
    pub referrer_reward_bps: Option<i32>,
    /// The campaign's currency.
    pub currency: String,
    /// Participation (share rate): eligible participants enrolled before the period's end whose
    /// links drew at least one click in the period / those eligible participants.
    pub participation: Rate,
    /// Conversion rate: distinct referred customers with an order in the period / clicks recorded
    /// in the period; null if customers outnumber clicks (referrals by code without a click).
    pub conversion: Option<Rate>,
    /// Clicks recorded in the period.
    pub clicks: BigInt,
    /// Distinct referred customers with an order in the period.
    pub customers: BigInt,
}

impl From<svc::CampaignHealth> for CampaignHealth {
    fn from(c: svc::CampaignHealth) -> Self {
        let (kind, minor, bps) = match c.referrer_reward {
            Some((kind, minor, bps)) => (Some(kind.as_str().to_owned()), minor.map(BigInt), bps),
            None => (None, None, None),
        };
        Self {
            campaign_id: c.campaign_id,
            name: c.name,
            referrer_reward_kind: kind,
            referrer_reward_minor: minor,
            referrer_reward_bps: bps,
            currency: c.currency,
            participation: Rate::new(c.sharers, c.eligible),
            conversion: bounded(c.customers, c.clicks),
            clicks: BigInt(c.clicks),
            customers: BigInt(c.customers),
        }
    }
}

/// Campaigns offering the same referrer reward, added up: how attractive that level is.
#[derive(SimpleObject, Clone, Debug)]
pub struct IncentiveLevel {
    /// The referrer reward rule's kind (`fixed`, `percent`, `tiered`); null: no referrer reward.
    pub referrer_reward_kind: Option<String>,
    /// The fixed amount in minor units of `currency`.
    pub referrer_reward_minor: Option<BigInt>,
    /// The share of the order in basis points.
    pub referrer_reward_bps: Option<i32>,
    /// The campaigns' currency.
    pub currency: String,
    /// Campaigns at this level.
    pub campaigns: BigInt,
    /// Share rate: eligible participants who drew a click in the period / eligible participants.
    pub participation: Rate,
    /// Referred customers with an order in the period / clicks in the period; null if customers
    /// outnumber clicks.
    pub conversion: Option<Rate>,
}

impl From<svc::LevelHealth> for IncentiveLevel {
    fn from(l: svc::LevelHealth) -> Self {
        let (kind, minor, bps) = match l.level {
            Some((kind, minor, bps)) => (Some(kind.to_owned()), minor.map(BigInt), bps),
            None => (None, None, None),
        };
        Self {
            referrer_reward_kind: kind,
            referrer_reward_minor: minor,
            referrer_reward_bps: bps,
            currency: l.currency,
            campaigns: BigInt(l.campaigns),
            participation: Rate::new(l.sharers, l.eligible),
            conversion: bounded(l.customers, l.clicks),
        }
    }
}

/// The change in a campaign's click-to-customer rate after a recommendation was applied.
#[derive(SimpleObject, Clone, Debug)]
pub struct OptimisationImpact {
    /// The applied recommendation (see `appliedRecommendations`).
    pub recommendation_id: Uuid,
    /// Its campaign.
    pub campaign_id: Uuid,
    /// The insight kind acted upon.
    pub kind: String,
    /// When it was applied.
    pub applied_at: DateTime<Utc>,
    /// First local day before (14 days before the day it was applied).
    pub before_from: NaiveDate,
    /// Last local day before (the day before it was applied).
    pub before_to: NaiveDate,
    /// First local day after (the day after it was applied).
    pub after_from: NaiveDate,
    /// Last local day after (14 days after the day it was applied).
    pub after_to: NaiveDate,
    /// New referred customers / clicks over the days before (95 % Wilson interval); null when
    /// customers outnumber clicks (referrals by code without a click: no rate, never clamped).
    pub before: Option<Rate>,
    /// The same over the days after.
    pub after: Option<Rate>,
    /// after − before, with Newcombe's 95 % hybrid score interval; null when either side has
    /// no clicks or no rate.
    pub difference: Option<Interval95>,
    /// The two-proportion z-test's two-sided p-value of the difference.
    pub p_value: Option<f64>,
    /// Whether the difference is significant at α = 0.05 — only with at least 30 clicks and 5
    /// customers and 5 non-converting clicks on each side; with fewer, no change is claimed.
    pub significant: bool,
    /// Whether all 14 days after have passed; while false, `after` covers fewer days.
    pub complete: bool,
}

impl From<Impact> for OptimisationImpact {
    fn from(i: Impact) -> Self {
        let rate = |t: &svc_reports::Counts| bounded(t.customers, t.clicks);
        Self {
            recommendation_id: i.recommendation.id,
            campaign_id: i.recommendation.campaign_id,
            kind: i.recommendation.kind.clone(),
            applied_at: i.recommendation.applied_at,
            before_from: i.windows.before.0,
            before_to: i.windows.before.1,
            after_from: i.windows.after.0,
            after_to: i.windows.after.1,
            before: rate(&i.before),
            after: rate(&i.after),
            difference: i.change.comparison.map(|c| c.difference.into()),
            p_value: i.change.comparison.map(|c| c.p_value),
            significant: i.change.significant(svc_reports::ALPHA),
            complete: i.complete,
        }
    }
}

/// The seed's programme metrics over `[from, to)`, each defined here and computed from our own
/// records. Rates carry 95 % Wilson intervals.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProgramHealth {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Campaign setup success: campaigns created in the period that have been launched / campaigns
    /// created in the period. (Failed launch attempts are not recorded, so this counts campaigns,
    /// not attempts.)
    pub campaign_setup_success: Rate,
    /// Incentive attractiveness: one row per campaign with eligible participants, with its
    /// referrer reward level, share rate (`participation`) and conversion rate (`conversion`).
    pub incentives: Vec<CampaignHealth>,
    /// Incentive attractiveness by reward level: the campaigns above grouped by their referrer
    /// reward (kind, amount, basis points, currency).
    pub incentive_levels: Vec<IncentiveLevel>,
    /// Participation rate over all campaigns: eligible enrolments whose participant's links drew
    /// at least one click in the period / eligible enrolments before the period's end.
    pub participation: Rate,
    /// Tracking accuracy: clicks and conversion reports stored vs received. Always the whole
    /// tenant's, also for one campaign: a report that fails is tied to no campaign.
    pub tracking_accuracy: TrackingAccuracy,
    /// Distribution success by kind of email, created in the period.
    pub distribution: Vec<EmailDelivery>,
    /// Attribution correctness: referrals attributed in the period whose attribution stood once
    /// decided — approved / decided (approved + rejected by the fraud checks or in review).
    /// Referrals still pending or in review are not counted.
    pub attribution_correctness: Rate,
    /// Fraud prevention rate: referrals attributed in the period and flagged (in review or
    /// rejected) none of whose rewards was paid or fulfilled / flagged referrals.
    pub fraud_prevention: Rate,
    /// Reward timeliness, median hours from release to settlement (paid or fulfilled) of rewards
    /// settled in the period; null with none.
    pub reward_release_to_paid_p50_hours: Option<f64>,
    /// Reward timeliness, 95th percentile of the same (linear interpolation, Hyndman–Fan 7).
    pub reward_release_to_paid_p95_hours: Option<f64>,
    /// Rewards behind the two quantiles.
    pub rewards_settled: BigInt,
    /// Analysis quality: how often acting on our recommendations helped — applied
    /// recommendations (in the period) whose 14 days after have all passed and whose
    /// click-to-customer rate rose significantly (two-sided test at 5 %, as in
    /// `optimisationImpact`) / applied recommendations whose days after have all passed.
    pub analysis_quality: Rate,
    /// Optimisation impact: one row per recommendation applied (`applyRecommendation`) in the
    /// period, oldest first, with the campaign's click-to-customer conversion rate (new referred
    /// customers / clicks, from the rollups) over the 14 campaign-local days before the day it
    /// was applied against the 14 days after (that day itself in neither), and the difference.
    pub optimisation_impact: Vec<OptimisationImpact>,
}

/// Complete impacts that rose significantly, of complete impacts.
fn analysis_quality(impacts: &[Impact]) -> Rate {
    let complete: Vec<&Impact> = impacts.iter().filter(|i| i.complete).collect();
    let helped = complete
        .iter()
        .filter(|i| {
            i.change
                .comparison
                .is_some_and(|c| c.verdict(svc_reports::ALPHA) == Verdict::AHigher)
        })
        .count();
    Rate::new(
        i64::try_from(helped).unwrap_or(i64::MAX),
        i64::try_from(complete.len()).unwrap_or(i64::MAX),
    )
}

impl From<svc::ProgramHealth> for ProgramHealth {
    fn from(h: svc::ProgramHealth) -> Self {
        let sharers: i64 = h.campaigns.iter().map(|c| c.sharers).sum();
        let eligible: i64 = h.campaigns.iter().map(|c| c.eligible).sum();
        let distribution = h
            .emails
            .iter()
            .map(|(kind, o)| EmailDelivery {
                kind: (*kind).to_owned(),
                success: Rate::new(o.sent, o.sent + o.failed + o.unknown),
                sent: BigInt(o.sent),
                failed: BigInt(o.failed),
                unknown: BigInt(o.unknown),
            })
            .collect();
        Self {
            from: h.from,
            to: h.to,
            campaign_setup_success: Rate::new(h.campaigns_launched, h.campaigns_created),
            participation: Rate::new(sharers, eligible),
            tracking_accuracy: h.tracking.clone().into(),
            distribution,
            attribution_correctness: Rate::new(h.attributions_upheld, h.attributions_decided),
            fraud_prevention: Rate::new(h.flagged_stopped, h.flagged),
            reward_release_to_paid_p50_hours: hours(h.settle_quantile(0.5)),
            reward_release_to_paid_p95_hours: hours(h.settle_quantile(0.95)),
            rewards_settled: BigInt(i64::try_from(h.settle_seconds.len()).unwrap_or(i64::MAX)),
            analysis_quality: analysis_quality(&h.impacts),
            optimisation_impact: h.impacts.into_iter().map(Into::into).collect(),
            incentive_levels: svc::by_level(&h.campaigns)
                .into_iter()
                .map(Into::into)
                .collect(),
            incentives: h.campaigns.into_iter().map(Into::into).collect(),
        }
    }
}
