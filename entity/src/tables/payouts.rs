//! `payouts`: cash paid to one participant in one currency.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub participant_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency: String,
    pub amount_minor: i64,
    pub status: super::enums::PayoutStatus,
    pub provider: super::enums::PayoutProvider,
    pub provider_ref: Option<String>,
    pub hold_reason: Option<String>,
    pub attempts: i32,
    pub max_attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
