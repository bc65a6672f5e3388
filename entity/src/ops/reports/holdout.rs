//! Invited participants against the held-out ones: per-capita value and incremental lift.

use super::*;

/// Invited against held out, over the period. Reads raw orders of the campaign's participants
/// (their own, matched by customer id = participant external id) and of the customers they
/// referred: bounded by the participants of one campaign.
pub(super) async fn holdout(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
    totals: &Counts,
) -> Result<Option<Holdout>> {
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
                    crate::ops::rollups::net_revenue(&order, &campaign.currency);
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
                crate::ops::rollups::net_revenue(order, &campaign.currency);
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
