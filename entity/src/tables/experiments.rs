//! `experiments`: a campaign's experiment settings and the state of its sequential tests.

use sea_orm::entity::prelude::*;

/// One campaign's settings.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "experiments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    pub tenant_id: Uuid,
    /// Stop a variant the sequential test shows worse, by itself.
    pub auto_stop: bool,
    /// The tests' significance level.
    pub alpha: f64,
    /// The mixing variance τ² (the square of the difference worth detecting).
    pub tau2: f64,
    /// `{"<variant>:<variant>": SequentialTest}` between looks.
    #[sea_orm(column_type = "JsonBinary")]
    pub tests: Json,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
