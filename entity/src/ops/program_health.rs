//! Programme health: the seed's metrics over a period `[from, to)`, each computed from our own
//! rows with a stated definition. Tracking accuracy compares the rows stored with what the
//! tracking endpoints tallied as received (`tracking_tallies`), a count kept apart from the rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::{
    domain::stats::viral,
    tables::{
        EmailKind, EmailState, ReferralStatus, RewardKind, RewardSide, RewardStatus, campaigns,
        clicks, conversions, emails, enrolments, referral_links, referrals, reward_rules, rewards,
        tracking_tallies,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::ops::error::{Error, Result};

/// The longest period one health report covers.
pub const MAX_HEALTH_DAYS: i64 = 3 * 366;

/// Delivery outcomes of one kind of email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailOutcomes {
    /// Handed to the SMTP server.
    pub sent: i64,
    /// Given up on.
    pub failed: i64,
    /// Interrupted mid-exchange: may or may not have left.
    pub unknown: i64,
}

/// A campaign's referrer incentive and what it drew over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignHealth {
    /// The campaign.
    pub campaign_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its first referrer reward rule: kind, fixed amount (minor units) or basis points.
    pub referrer_reward: Option<(RewardKind, Option<i64>, Option<i32>)>,
    /// Its currency.
    pub currency: String,
    /// Eligible participants enrolled before the period's end.
    pub eligible: i64,
    /// Of them, those whose links drew at least one click in the period.
    pub sharers: i64,
    /// Clicks recorded in the period.
    pub clicks: i64,
    /// Distinct referred customers with an order in the period.
    pub customers: i64,
}

/// A referrer reward level: kind, fixed amount (minor units), basis points.
pub type Level = (&'static str, Option<i64>, Option<i32>);

/// Campaigns that offer the same referrer reward, added up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelHealth {
    /// The level: kind (`fixed`, `percent`, `tiered`), amount, basis points; `None` when no
    /// referrer is rewarded.
    pub level: Option<Level>,
    /// The currency of the amount.
    pub currency: String,
    /// Campaigns at this level.
    pub campaigns: i64,
    /// Eligible participants.
    pub eligible: i64,
    /// Of them, those who drew a click.
    pub sharers: i64,
    /// Clicks.
    pub clicks: i64,
    /// Referred customers.
    pub customers: i64,
}

/// Group campaigns by referrer reward level (and currency), in ascending order of level.
pub fn by_level(campaigns: &[CampaignHealth]) -> Vec<LevelHealth> {
    let mut levels: BTreeMap<(Option<Level>, String), LevelHealth> = BTreeMap::new();
    for c in campaigns {
        let level = c.referrer_reward.map(|(k, m, b)| (k.as_str(), m, b));
        let l = levels
            .entry((level, c.currency.clone()))
            .or_insert_with(|| LevelHealth {
                level,
                currency: c.currency.clone(),
                campaigns: 0,
                eligible: 0,
                sharers: 0,
                clicks: 0,
                customers: 0,
            });
        l.campaigns += 1;
        l.eligible += c.eligible;
        l.sharers += c.sharers;
        l.clicks += c.clicks;
        l.customers += c.customers;
    }
    levels.into_values().collect()
}

/// The measured parts of programme health.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramHealth {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Campaigns created in the period.
    pub campaigns_created: i64,
    /// Of them, launched (at any time up to now).
    pub campaigns_launched: i64,
    /// Email outcomes by kind, for emails created in the period.
    pub emails: BTreeMap<&'static str, EmailOutcomes>,
    /// Per campaign that had eligible participants by the period's end.
    pub campaigns: Vec<CampaignHealth>,
    /// Referrals attributed in the period and flagged (review or rejected).
    pub flagged: i64,
    /// Of them, those none of whose rewards was paid or fulfilled.
    pub flagged_stopped: i64,
    /// Seconds from release to settlement of rewards settled in the period, ascending.
    pub settle_seconds: Vec<f64>,
    /// What the tracking endpoints received and stored.
    pub tracking: Tracking,
    /// Referrals attributed in the period that validation or review has decided.
    pub attributions_decided: i64,
    /// Of them, those approved: the attribution stood.
    pub attributions_upheld: i64,
    /// Recommendations applied in the period and the change after each.
    pub impacts: Vec<crate::ops::recommendations::Impact>,
}

impl ProgramHealth {
    /// The `q`-quantile of release → settlement, in seconds.
    pub fn settle_quantile(&self, q: f64) -> Option<f64> {
        viral::quantile(&self.settle_seconds, q)
    }
}

/// Received against stored over the whole UTC hours the period touches, `[hours_from, hours_to)`
/// (the received side is tallied per hour).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// The first hour counted.
    pub hours_from: DateTime<Utc>,
    /// The end of the last hour counted.
    pub hours_to: DateTime<Utc>,
    /// Clicks the redirect counted.
    pub clicks_received: i64,
    /// Of them, dropped before being stored (back-pressure, or failed writes).
    pub clicks_lost: i64,
    /// Click rows stored.
    pub clicks_recorded: i64,
    /// `trackConversion` reports that passed input validation.
    pub conversion_reports: i64,
    /// Of them, reports that failed on our side (nothing stored).
    pub conversion_reports_failed: i64,
}

/// What one report covers: a tenant's whole programme, or one of its campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// The tenant.
    pub tenant: Uuid,
    /// Only this campaign (checked to be the tenant's).
    pub campaign: Option<Uuid>,
}

impl Scope {
    /// Whether a row of `campaign` is in scope.
    fn includes(self, campaign: Uuid) -> bool {
        self.campaign.is_none_or(|c| c == campaign)
    }
}

/// Check the period: `from < to`, at most [`MAX_HEALTH_DAYS`] long.
pub fn check_period(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
    if from >= to {
        return Err(Error::invalid("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_HEALTH_DAYS) {
        return Err(Error::invalid(
            "to",
            format!("a period covers at most {MAX_HEALTH_DAYS} days"),
        ));
    }
    Ok(())
}

/// Measure the tenant's programme over `[from, to)` as of `now`.
pub async fn program_health(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ProgramHealth> {
    check_period(from, to)?;
    if let Some(campaign) = scope.campaign {
        crate::ops::tenancy::find_in_tenant::<campaigns::Entity>(db, scope.tenant, campaign)
            .await?;
    }
    let tenant = scope.tenant;
    let (campaigns_created, campaigns_launched) = setup(db, scope, from, to).await?;
    let (flagged, flagged_stopped) = fraud(db, scope, from, to).await?;
    let (attributions_decided, attributions_upheld) = attributions(db, scope, from, to).await?;
    Ok(ProgramHealth {
        from,
        to,
        campaigns_created,
        campaigns_launched,
        emails: email_outcomes(db, scope, from, to).await?,
        campaigns: per_campaign(db, scope, from, to).await?,
        flagged,
        flagged_stopped,
        settle_seconds: settle_seconds(db, scope, from, to).await?,
        tracking: tracking(db, tenant, from, to).await?,
        attributions_decided,
        attributions_upheld,
        impacts: crate::ops::recommendations::impacts(db, tenant, from, to, now)
            .await?
            .into_iter()
            .filter(|i| scope.includes(i.recommendation.campaign_id))
            .collect(),
    })
}

/// (created in the period, of them launched).
async fn setup(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let launched: Vec<Option<DateTime<Utc>>> = campaigns::Entity::find()
        .select_only()
        .column(campaigns::Column::LaunchedAt)
        .filter(campaigns::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| q.filter(campaigns::Column::Id.eq(c)))
        .filter(campaigns::Column::CreatedAt.gte(from))
        .filter(campaigns::Column::CreatedAt.lt(to))
        .into_tuple()
        .all(db)
        .await?;
    let done = launched.iter().filter(|l| l.is_some()).count();
    Ok((count(launched.len()), count(done)))
}

/// Email outcomes by kind for emails created in the period.
async fn email_outcomes(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<BTreeMap<&'static str, EmailOutcomes>> {
    let rows: Vec<(EmailKind, EmailState)> = emails::Entity::find()
        .select_only()
        .column(emails::Column::Kind)
        .column(emails::Column::State)
        .filter(emails::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(emails::Column::CampaignId.eq(c))
        })
        .filter(emails::Column::CreatedAt.gte(from))
        .filter(emails::Column::CreatedAt.lt(to))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: BTreeMap<&'static str, EmailOutcomes> = BTreeMap::new();
    for (kind, state) in rows {
        let o = out.entry(kind.as_str()).or_default();
        match state {
            EmailState::Sent => o.sent += 1,
            EmailState::Failed => o.failed += 1,
            EmailState::Unknown => o.unknown += 1,
            // Still on its way, or never attempted (suppressed): not an outcome of delivery.
            EmailState::Queued | EmailState::Sending | EmailState::Suppressed => {}
        }
    }
    Ok(out)
}

/// (flagged referrals attributed in the period, of them never paid or fulfilled).
async fn fraud(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let flagged: Vec<Uuid> = referrals::Entity::find()
        .select_only()
        .column(referrals::Column::Id)
        .filter(referrals::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(referrals::Column::CampaignId.eq(c))
        })
        .filter(referrals::Column::AttributedAt.gte(from))
        .filter(referrals::Column::AttributedAt.lt(to))
        .filter(referrals::Column::Status.is_in([ReferralStatus::Review, ReferralStatus::Rejected]))
        .into_tuple()
        .all(db)
        .await?;
    let mut leaked: HashSet<Uuid> = HashSet::new();
    for chunk in flagged.chunks(500) {
        let paid: Vec<Uuid> = rewards::Entity::find()
            .select_only()
            .column(rewards::Column::ReferralId)
            .filter(rewards::Column::TenantId.eq(scope.tenant))
            .filter(rewards::Column::ReferralId.is_in(chunk.iter().copied()))
            .filter(rewards::Column::Status.is_in([RewardStatus::Paid, RewardStatus::Fulfilled]))
            .into_tuple()
            .all(db)
            .await?;
        leaked.extend(paid);
    }
    Ok((count(flagged.len()), count(flagged.len() - leaked.len())))
}

/// (referrals attributed in the period and decided, of them approved).
async fn attributions(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let statuses: Vec<ReferralStatus> = referrals::Entity::find()
        .select_only()
        .column(referrals::Column::Status)
        .filter(referrals::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(referrals::Column::CampaignId.eq(c))
        })
        .filter(referrals::Column::AttributedAt.gte(from))
        .filter(referrals::Column::AttributedAt.lt(to))
        .filter(
            referrals::Column::Status.is_in([ReferralStatus::Approved, ReferralStatus::Rejected]),
        )
        .into_tuple()
        .all(db)
        .await?;
    let upheld = statuses
        .iter()
        .filter(|s| **s == ReferralStatus::Approved)
        .count();
    Ok((count(statuses.len()), count(upheld)))
}

/// The hour starting at or before `at`, and the first hour starting at or after it.
fn hour_floor_ceil(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let floor = crate::domain::calendar::hour_of(at);
    let ceil = if floor == at {
        floor
    } else {
        floor + Duration::hours(1)
    };
    (floor, ceil)
}

/// Received (tallied) against stored, over the whole hours `[from, to)` touches.
async fn tracking(
    db: &impl ConnectionTrait,
    tenant: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Tracking> {
    let (hours_from, hours_to) = (hour_floor_ceil(from).0, hour_floor_ceil(to).1);
    let tallies = tracking_tallies::Entity::find()
        .filter(tracking_tallies::Column::TenantId.eq(tenant))
        .filter(tracking_tallies::Column::Hour.gte(hours_from))
        .filter(tracking_tallies::Column::Hour.lt(hours_to))
        .all(db)
        .await?;
    let clicks_recorded = clicks::Entity::find()
        .filter(clicks::Column::TenantId.eq(tenant))
        .filter(clicks::Column::CreatedAt.gte(hours_from))
        .filter(clicks::Column::CreatedAt.lt(hours_to))
        .count(db)
        .await?;
    let sum = |f: fn(&tracking_tallies::Model) -> i64| tallies.iter().map(f).sum::<i64>();
    Ok(Tracking {
        hours_from,
        hours_to,
        clicks_received: sum(|t| t.clicks_received),
        clicks_lost: sum(|t| t.clicks_lost),
        clicks_recorded: i64::try_from(clicks_recorded).unwrap_or(i64::MAX),
        conversion_reports: sum(|t| t.conversion_reports),
        conversion_reports_failed: sum(|t| t.conversion_reports_failed),
    })
}

/// A reward's `released_at` and `settled_at`.
type ReleaseAndSettle = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Release → settlement of rewards settled (paid or fulfilled) in the period, ascending.
async fn settle_seconds(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<f64>> {
    let rows: Vec<ReleaseAndSettle> = rewards::Entity::find()
        .select_only()
        .column(rewards::Column::ReleasedAt)
        .column(rewards::Column::SettledAt)
        .filter(rewards::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(rewards::Column::CampaignId.eq(c))
        })
        .filter(rewards::Column::Status.is_in([RewardStatus::Paid, RewardStatus::Fulfilled]))
        .filter(rewards::Column::SettledAt.gte(from))
        .filter(rewards::Column::SettledAt.lt(to))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<f64> = rows
        .into_iter()
        .filter_map(|(released, settled)| Some((settled? - released?).num_milliseconds()))
        .map(|ms| ms as f64 / 1000.0)
        .collect();
    out.sort_by(f64::total_cmp);
    Ok(out)
}

/// Per campaign with eligible participants: incentive, participation, clicks and customers.
async fn per_campaign(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CampaignHealth>> {
    let tenant = scope.tenant;
    let eligible = eligible_participants(db, scope, to).await?;
    let clicked = clicks_by_link(db, scope, from, to).await?;
    let owners = link_owners(db, tenant, clicked.keys().copied()).await?;
    let customers = referred_customers(db, scope, from, to).await?;
    let list = campaigns::Entity::find()
        .filter(campaigns::Column::TenantId.eq(tenant))
        .filter(campaigns::Column::Id.is_in(eligible.keys().copied()))
        .order_by_asc(campaigns::Column::CreatedAt)
        .all(db)
        .await?;
    // One pass over the clicked links: (clicks, participants who drew them) per campaign.
    let mut drawn: HashMap<Uuid, (i64, HashSet<Uuid>)> = HashMap::new();
    for (link, n) in &clicked {
        if let Some((campaign, participant)) = owners.get(link) {
            let d = drawn.entry(*campaign).or_default();
            d.0 += n;
            d.1.insert(*participant);
        }
    }
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let people = eligible.get(&c.id).cloned().unwrap_or_default();
        let (clicks, drew) = drawn.remove(&c.id).unwrap_or_default();
        out.push(CampaignHealth {
            referrer_reward: referrer_reward(db, tenant, c.id).await?,
            campaign_id: c.id,
            name: c.name,
            currency: c.currency,
            eligible: count(people.len()),
            sharers: count(drew.intersection(&people).count()),
            clicks,
            customers: customers.get(&c.id).map_or(0, |s| count(s.len())),
        });
    }
    Ok(out)
}

/// Eligible participants per campaign, enrolled before `to`.
async fn eligible_participants(
    db: &impl ConnectionTrait,
    scope: Scope,
    to: DateTime<Utc>,
) -> Result<HashMap<Uuid, HashSet<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = enrolments::Entity::find()
        .select_only()
        .column(enrolments::Column::CampaignId)
        .column(enrolments::Column::ParticipantId)
        .filter(enrolments::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(enrolments::Column::CampaignId.eq(c))
        })
        .filter(enrolments::Column::Eligible.eq(true))
        .filter(enrolments::Column::CreatedAt.lt(to))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for (campaign, participant) in rows {
        out.entry(campaign).or_default().insert(participant);
    }
    Ok(out)
}

/// Clicks in the period per link (counted in the database, not loaded).
async fn clicks_by_link(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = clicks::Entity::find()
        .select_only()
        .column(clicks::Column::LinkId)
        .column_as(clicks::Column::Id.count(), "n")
        .filter(clicks::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(clicks::Column::CampaignId.eq(c))
        })
        .filter(clicks::Column::CreatedAt.gte(from))
        .filter(clicks::Column::CreatedAt.lt(to))
        .group_by(clicks::Column::LinkId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// (campaign, participant) of each link.
async fn link_owners(
    db: &impl ConnectionTrait,
    tenant: Uuid,
    links: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, (Uuid, Uuid)>> {
    let links: Vec<Uuid> = links.collect();
    let mut out = HashMap::with_capacity(links.len());
    for chunk in links.chunks(500) {
        let rows: Vec<(Uuid, Uuid, Uuid)> = referral_links::Entity::find()
            .select_only()
            .column(referral_links::Column::Id)
            .column(referral_links::Column::CampaignId)
            .column(referral_links::Column::ParticipantId)
            .filter(referral_links::Column::TenantId.eq(tenant))
            .filter(referral_links::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|(id, c, p)| (id, (c, p))));
    }
    Ok(out)
}

/// Distinct referred customers with an order in the period, per campaign.
async fn referred_customers(
    db: &impl ConnectionTrait,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<Uuid, HashSet<String>>> {
    let rows: Vec<(Option<Uuid>, String)> = conversions::Entity::find()
        .select_only()
        .column(conversions::Column::CampaignId)
        .column(conversions::Column::CustomerExternalId)
        .filter(conversions::Column::TenantId.eq(scope.tenant))
        .apply_if(scope.campaign, |q, c| {
            q.filter(conversions::Column::CampaignId.eq(c))
        })
        .filter(conversions::Column::ReferralId.is_not_null())
        .filter(conversions::Column::OccurredAt.gte(from))
        .filter(conversions::Column::OccurredAt.lt(to))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for (campaign, customer) in rows {
        if let Some(campaign) = campaign {
            out.entry(campaign).or_default().insert(customer);
        }
    }
    Ok(out)
}

/// The campaign's first referrer reward rule, as its level.
async fn referrer_reward(
    db: &impl ConnectionTrait,
    tenant: Uuid,
    campaign: Uuid,
) -> Result<Option<(RewardKind, Option<i64>, Option<i32>)>> {
    let rule = reward_rules::Entity::find()
        .filter(reward_rules::Column::TenantId.eq(tenant))
        .filter(reward_rules::Column::CampaignId.eq(campaign))
        .filter(reward_rules::Column::Side.eq(RewardSide::Referrer))
        .order_by_asc(reward_rules::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(rule.map(|r| (r.kind, r.amount_minor, r.bps)))
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_must_move_forward_and_stay_bounded() {
        let t: DateTime<Utc> = DateTime::UNIX_EPOCH;
        assert!(check_period(t, t).is_err());
        assert!(check_period(t, t - Duration::days(1)).is_err());
        assert!(check_period(t, t + Duration::days(MAX_HEALTH_DAYS + 1)).is_err());
        assert!(check_period(t, t + Duration::days(30)).is_ok());
    }

    fn campaign(reward: Option<i64>, eligible: i64, clicks: i64) -> CampaignHealth {
        CampaignHealth {
            campaign_id: Uuid::nil(),
            name: String::new(),
            referrer_reward: reward.map(|m| (RewardKind::Fixed, Some(m), None)),
            currency: "USD".into(),
            eligible,
            sharers: eligible / 2,
            clicks,
            customers: clicks / 10,
        }
    }

    #[test]
    fn campaigns_with_the_same_reward_add_up_and_levels_stay_apart() {
        let levels = by_level(&[
            campaign(Some(1000), 10, 100),
            campaign(Some(500), 4, 30),
            campaign(Some(1000), 6, 50),
            campaign(None, 2, 10),
        ]);
        let got: Vec<_> = levels
            .iter()
            .map(|l| {
                (
                    l.level.and_then(|(_, m, _)| m),
                    l.campaigns,
                    l.eligible,
                    l.sharers,
                    l.clicks,
                    l.customers,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (None, 1, 2, 1, 10, 1),
                (Some(500), 1, 4, 2, 30, 3),
                (Some(1000), 2, 16, 8, 150, 15)
            ]
        );
    }
}
