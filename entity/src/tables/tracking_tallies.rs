//! `tracking_tallies`: what the tracking endpoints received per tenant and hour, counted apart
//! from the rows they stored (tracking accuracy compares the two).

use sea_orm::entity::prelude::*;

/// One tenant's hour.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tracking_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    /// The start of the hour (UTC) the events arrived in.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: DateTimeUtc,
    /// Clicks the redirect counted (bots and unknown codes are not clicks).
    pub clicks_received: i64,
    /// Of those, clicks never stored: dropped under back-pressure or after failed writes.
    pub clicks_lost: i64,
    /// `trackConversion` reports that passed input validation (replays of an order included).
    pub conversion_reports: i64,
    /// Of those, reports that failed on our side (an internal error: nothing was stored).
    pub conversion_reports_failed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
