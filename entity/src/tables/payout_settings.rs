//! `payout_settings`: a tenant's payout rules: provider, schedule, minimum, approval and tax thresholds.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payout_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub provider: super::enums::PayoutProvider,
    pub schedule: super::enums::PayoutSchedule,
    pub minimum_minor: i64,
    pub approval_threshold_minor: Option<i64>,
    pub tax_threshold_minor: Option<i64>,
    pub max_attempts: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
