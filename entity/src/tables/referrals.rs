//! `referrals`: a referee tied to their referrer in a campaign (at most one per referee and campaign).

use sea_orm::entity::prelude::*;

/// A referral.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub referrer_participant_id: Uuid,
    pub link_id: Uuid,
    pub click_id: Option<Uuid>,
    /// The merchant's customer id of the referee.
    pub referee_external_id: String,
    pub referee_email: Option<String>,
    pub source: super::enums::AttributionSource,
    pub status: super::enums::ReferralStatus,
    pub attributed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Counted fraud score of the latest decision.
    pub score: Option<i32>,
    /// When the latest decision was made.
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
