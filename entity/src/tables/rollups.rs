//! `rollups`: per campaign, day (in the campaign's time zone), link, channel and offer variant,
//! the counters reports read instead of raw events. Rows with the nil link id are the campaign's
//! summary per channel and variant (what reports read); the others are per link (link stats, top
//! referrers). Rebuilt from the events by the `rollup.refresh` job (and
//! `grapevine rollup --rebuild`); never written by anything else.

use sea_orm::entity::prelude::*;

/// One bucket.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    /// `YYYY-MM-DD` in the campaign's time zone.
    pub day: String,
    /// The link, or nil for the campaign summary rows.
    pub link_id: Uuid,
    /// The channel (`email`, `social`, …), or empty when the event carried none.
    pub channel: String,
    /// The offer variant of the referrer's enrolment, or nil for none.
    pub variant_id: Uuid,
    /// Counted clicks.
    pub clicks: i64,
    /// The day's distinct visitors (`domain::hll::Sketch` bytes).
    pub visitors: Vec<u8>,
    /// Referred customers tied to a referrer this day (leads), by their current status:
    pub leads: i64,
    /// … approved,
    pub approved: i64,
    /// … waiting for review (or not yet decided),
    pub in_review: i64,
    /// … rejected.
    pub rejected: i64,
    /// Referred customers whose first purchase was this day.
    pub first_purchases: i64,
    /// Referred orders this day.
    pub orders: i64,
    /// Their value in the campaign's currency, net of refunds.
    pub revenue_minor: i64,
    /// Rewards created this day for referrers (net of reversals).
    pub referrer_reward_minor: i64,
    /// Rewards created this day for referees (net of reversals).
    pub referee_reward_minor: i64,
    /// Rewards paid out or delivered this day.
    pub settled_reward_minor: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
