//! A campaign's purchase cohorts (referred against organic customers, by month of first
//! purchase): the purchases are read here, the maths is `domain::cohorts`.

use crate::{
    domain::{
        calendar,
        cohorts::{self, Cohort, CohortKind, Purchase},
    },
    tables::{campaigns, conversions},
};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::ops::error::Result;

/// How a purchase would place its customer, were it their first: referred by this campaign
/// (attributed to one of its referrals), organic (attributed to no referral), or neither
/// (another campaign's referral).
pub fn kind_of(order: &conversions::Model, campaign: &campaigns::Model) -> Option<CohortKind> {
    match (order.referral_id, order.campaign_id) {
        (None, _) => Some(CohortKind::Organic),
        (Some(_), Some(c)) if c == campaign.id => Some(CohortKind::Referred),
        (Some(_), _) => None,
    }
}

/// The cohorts of the tenant's customers whose first purchase fell in `[from, to]` (local days of
/// the campaign). Reads the customers with a purchase in the period, then all their purchases up
/// to the period's end (earlier ones too, to know which was first): bounded by the customers
/// active in the period.
pub async fn campaign_cohorts(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Cohort>> {
    let tz = calendar::zone(&campaign.time_zone);
    let (start, _) = calendar::day_span(tz, from);
    let (_, end) = calendar::day_span(tz, to);
    let customers: Vec<String> = conversions::Entity::find()
        .select_only()
        .column(conversions::Column::CustomerExternalId)
        .distinct()
        .filter(conversions::Column::TenantId.eq(campaign.tenant_id))
        .filter(conversions::Column::OccurredAt.gte(start))
        .filter(conversions::Column::OccurredAt.lt(end))
        .into_tuple()
        .all(conn)
        .await?;
    let mut purchases = Vec::new();
    for chunk in customers.chunks(500) {
        let orders = conversions::Entity::find()
            .filter(conversions::Column::TenantId.eq(campaign.tenant_id))
            .filter(conversions::Column::CustomerExternalId.is_in(chunk.to_vec()))
            .filter(conversions::Column::OccurredAt.lt(end))
            .all(conn)
            .await?;
        purchases.extend(orders.iter().map(|o| Purchase {
            customer: o.customer_external_id.clone(),
            at: o.occurred_at,
            order: o.id,
            value_minor: crate::ops::rollups::net_revenue(o, &campaign.currency),
            kind: kind_of(o, campaign),
        }));
    }
    Ok(cohorts::cohorts(&purchases, tz, from, to))
}
