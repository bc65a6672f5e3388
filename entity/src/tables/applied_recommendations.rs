//! `applied_recommendations`: a recommendation (a kind of report insight) a campaign's team
//! applied, with who and when, so that its effect can be measured.

use sea_orm::entity::prelude::*;

/// One applied recommendation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applied_recommendations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    /// The insight kind acted upon, e.g. `best_channel`.
    pub kind: String,
    /// What was done, in the user's words.
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// The staff user who recorded it (null when recorded by a service token).
    pub applied_by: Option<Uuid>,
    pub applied_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
