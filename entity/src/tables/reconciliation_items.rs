//! `reconciliation_items`: each mismatch a reconciliation found.

use sea_orm::entity::prelude::*;

/// One mismatch.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reconciliation_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub reconciliation_id: Uuid,
    pub object: super::enums::ReconciledObject,
    pub issue: super::enums::ReconciliationIssue,
    pub payout_id: Option<Uuid>,
    pub reward_id: Option<Uuid>,
    pub provider_ref: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency: String,
    pub ours_minor: Option<i64>,
    pub provider_minor: Option<i64>,
    pub ours_status: Option<String>,
    pub provider_status: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
