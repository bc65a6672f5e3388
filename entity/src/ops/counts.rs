//! Reading the rollups' counters back over a period (the type and its rules are
//! `domain::counts`).

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::domain::counts::{Counts, day_text};
use crate::tables::rollups;

/// The campaign's summary rows (nil link: one per day, channel and variant) of the local days
/// `[first, last]`.
pub async fn summary_rows(
    conn: &impl ConnectionTrait,
    campaign_id: Uuid,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<rollups::Model>, DbErr> {
    rollups::Entity::find()
        .filter(rollups::Column::CampaignId.eq(campaign_id))
        .filter(rollups::Column::LinkId.eq(Uuid::nil()))
        .filter(rollups::Column::Day.gte(day_text(first)))
        .filter(rollups::Column::Day.lte(day_text(last)))
        .all(conn)
        .await
}

/// The campaign's counts over the local days `[first, last]`, from its summary rows.
pub async fn summary(
    conn: &impl ConnectionTrait,
    campaign_id: Uuid,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Counts, DbErr> {
    let mut counts = Counts::default();
    for r in summary_rows(conn, campaign_id, first, last).await? {
        counts.add_row(&r)?;
    }
    Ok(counts)
}
