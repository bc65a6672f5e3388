//! `ledger_entries`: the append-only ledger: every reward, reversal, fulfilment, payout and adjustment; a balance is a sum.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub participant_id: Uuid,
    pub account: super::enums::RewardType,
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency: String,
    pub amount_minor: i64,
    pub kind: super::enums::LedgerKind,
    pub reward_id: Option<Uuid>,
    pub payout_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub memo: String,
    pub available_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
