//! `participants`: A customer of a tenant who can refer or be referred.

use sea_orm::entity::prelude::*;

/// A customer of a tenant who can refer or be referred.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub external_id: String,
    pub email: String,
    pub email_normalized: String,
    pub first_name: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    pub order_count: i32,
    #[sea_orm(column_type = "String(StringLen::N(2))")]
    pub country: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The participant's Stripe Connect account, once one is created.
    pub payout_account_id: Option<String>,
    pub payout_status: super::enums::PayoutOnboarding,
    pub tax_status: super::enums::TaxStatus,
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
    #[sea_orm(has_many = "super::enrolments::Entity")]
    Enrolments,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenants.def()
    }
}

impl Related<super::enrolments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
