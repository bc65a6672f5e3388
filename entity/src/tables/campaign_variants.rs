//! `campaign_variants`: A weighted A/B variant of a campaign.

use sea_orm::entity::prelude::*;

/// A weighted A/B variant of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub name: String,
    pub weight: i32,
    pub created_at: DateTimeUtc,
    /// When the sequential test stopped it (its weight went to 0: nobody new is assigned to it).
    pub stopped_at: Option<DateTimeUtc>,
    /// Why, with the test's numbers.
    #[sea_orm(column_type = "Text", nullable)]
    pub stop_reason: Option<String>,
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
    #[sea_orm(has_many = "super::reward_rules::Entity")]
    RewardRules,
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

impl Related<super::reward_rules::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RewardRules.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
