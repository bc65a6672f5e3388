//! `fx_rates`: a tenant's exchange rates, in parts per million (no floats touch money).

use sea_orm::entity::prelude::*;

/// One unit of `base` is worth `rate_ppm / 1 000 000` units of `quote`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fx_rates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub base: String,
    pub quote: String,
    pub rate_ppm: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
