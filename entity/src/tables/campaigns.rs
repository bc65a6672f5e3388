//! `campaigns`: A referral campaign.

use super::enums::{AttributionModel, CampaignStatus};
use sea_orm::entity::prelude::*;

/// A referral campaign.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub status: CampaignStatus,
    #[sea_orm(column_type = "JsonBinary")]
    pub goals: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub audience: Json,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub time_zone: String,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency: String,
    pub budget_minor: Option<i64>,
    pub attribution_window_days: i32,
    pub attribution_model: AttributionModel,
    pub hold_days: i32,
    pub landing_url: Option<String>,
    pub holdout_bps: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub launched_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    /// The campaign's fraud policy (`domain::fraud::Policy`); `None` = the default.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub fraud_policy: Option<Json>,
    /// Budget reserved by rewards created so far (minor units), released when one is reversed.
    pub budget_reserved_minor: i64,
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
    #[sea_orm(has_many = "super::campaign_variants::Entity")]
    CampaignVariants,
    #[sea_orm(has_many = "super::reward_rules::Entity")]
    RewardRules,
    #[sea_orm(has_many = "super::campaign_materials::Entity")]
    CampaignMaterials,
    #[sea_orm(has_many = "super::enrolments::Entity")]
    Enrolments,
    #[sea_orm(has_many = "super::referral_links::Entity")]
    ReferralLinks,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenants.def()
    }
}

impl Related<super::campaign_variants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CampaignVariants.def()
    }
}

impl Related<super::reward_rules::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RewardRules.def()
    }
}

impl Related<super::campaign_materials::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CampaignMaterials.def()
    }
}

impl Related<super::enrolments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolments.def()
    }
}

impl Related<super::referral_links::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ReferralLinks.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
