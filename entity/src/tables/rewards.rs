//! `rewards`: one reward for one side of a referral, per rule and triggering event.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rewards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub referral_id: Uuid,
    pub conversion_id: Option<Uuid>,
    pub rule_id: Uuid,
    pub participant_id: Uuid,
    pub side: super::enums::RewardSide,
    pub reward_type: super::enums::RewardType,
    pub amount_minor: i64,
    pub reversed_minor: i64,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency: String,
    pub status: super::enums::RewardStatus,
    pub release_at: DateTimeUtc,
    pub payout_id: Option<Uuid>,
    pub fulfilment_ref: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub fulfilment_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub released_at: Option<DateTimeUtc>,
    pub settled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
