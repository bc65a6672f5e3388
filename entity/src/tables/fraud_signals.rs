//! `fraud_signals`: a rule that fired in a decision, with its score and evidence.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_signals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub decision_id: Uuid,
    pub referral_id: Uuid,
    pub rule: String,
    pub score: i32,
    pub shadow: bool,
    #[sea_orm(column_type = "JsonBinary")]
    pub evidence: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
