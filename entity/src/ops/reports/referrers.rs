//! The leaderboard: referrers with the most new customers, those with many clicks and none, and
//! participants who shared at all.

use super::*;

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
    settled_reward_minor: i64,
}

/// The counters [`LinkSums`] holds, by column.
const LINK_SUMS: [rollups::Column; 11] = [
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
    rollups::Column::SettledRewardMinor,
];

impl From<LinkSums> for Counts {
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
            settled_reward_minor: s.settled_reward_minor,
        }
    }
}

/// The referrers with the most new customers (then revenue, then clicks) in the period, and those
/// with many clicks and no new customer. The database sums each link's counters; only the
/// leaderboard's referrers have their links' visitor sketches read and merged.
pub(super) async fn top_referrers(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<Referrer>, Vec<Referrer>)> {
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
    let mut by_link: BTreeMap<Uuid, Counts> = sums
        .into_model::<LinkSums>()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.link_id, Counts::from(s)))
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
                    totals: Counts::default(),
                });
            entry.totals.absorb(&t);
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
                    .map_err(|e| Error::Internal(e.into()))?;
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

/// Participants with at least one click on any of their links, ever.
pub(super) async fn sharing_participants(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
) -> Result<i64> {
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
