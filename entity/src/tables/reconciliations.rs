//! `reconciliations`: one comparison of a period's payouts and fulfilled rewards with the providers.

use sea_orm::entity::prelude::*;

/// One run.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reconciliations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Start of the period (inclusive).
    pub period_from: DateTimeUtc,
    /// End of the period (exclusive).
    pub period_to: DateTimeUtc,
    pub status: super::enums::ReconciliationStatus,
    pub requested_by: Option<Uuid>,
    /// Objects compared.
    pub checked: i32,
    /// Objects that agreed.
    pub matched: i32,
    /// Items found (one object may have more than one).
    pub mismatched: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
