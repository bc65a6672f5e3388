//! `fraud_decisions`: one fraud decision about a referral (by the rules or a reviewer), with the policy it used.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub referral_id: Uuid,
    pub conversion_id: Option<Uuid>,
    pub cause: super::enums::ValidationCause,
    pub total_score: i32,
    pub decision: super::enums::ReferralStatus,
    pub decided_by: super::enums::DecidedBy,
    pub reviewer_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub policy: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
