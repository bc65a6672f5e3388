//! `referral_links`: A referral link; `code` is globally unique because the redirect has no tenant.

use super::enums::{Channel, LinkKind};
use sea_orm::entity::prelude::*;

/// A referral link; `code` is globally unique because the redirect has no tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referral_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub enrolment_id: Uuid,
    pub participant_id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub kind: LinkKind,
    pub channel: Option<Channel>,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
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
        belongs_to = "super::enrolments::Entity",
        from = "Column::EnrolmentId",
        to = "super::enrolments::Column::Id",
        on_delete = "Cascade"
    )]
    Enrolments,
    /// The link's owner (the referrer); no foreign key of its own (the enrolment's holds it), the
    /// relation is there to join.
    #[sea_orm(
        belongs_to = "super::participants::Entity",
        from = "Column::ParticipantId",
        to = "super::participants::Column::Id"
    )]
    Participants,
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

impl Related<super::enrolments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolments.def()
    }
}

impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participants.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
