//! `reward_rules`: A reward rule of a campaign (optionally of one variant only).

use super::enums::{RewardKind, RewardSide, RewardTrigger, RewardType};
use sea_orm::entity::prelude::*;

/// A reward rule of a campaign (optionally of one variant only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub variant_id: Option<Uuid>,
    pub side: RewardSide,
    pub trigger: RewardTrigger,
    pub max_purchases: Option<i32>,
    pub min_order_minor: i64,
    pub kind: RewardKind,
    pub reward_type: RewardType,
    pub amount_minor: Option<i64>,
    pub bps: Option<i32>,
    #[sea_orm(column_type = "JsonBinary")]
    pub tiers: Json,
    pub per_referrer_cap_minor: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tenants::Entity",
        from = "Column::TenantId",
        to = "super::tenants::Column::Id",
        on_delete = "Cascade"
    )]
    Tenants,
    #[sea_orm(
        belongs_to = "super::campaigns::Entity",
        from = "Column::CampaignId",
        to = "super::campaigns::Column::Id",
        on_delete = "Cascade"
    )]
    Campaigns,
    #[sea_orm(
        belongs_to = "super::campaign_variants::Entity",
        from = "Column::VariantId",
        to = "super::campaign_variants::Column::Id",
        on_delete = "Cascade"
    )]
    CampaignVariants,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenants.def()
    }
}

impl Related<super::campaigns::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Campaigns.def()
    }
}

impl Related<super::campaign_variants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CampaignVariants.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
