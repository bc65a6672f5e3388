//! `recommendation_dismissals`: a kind of report insight a campaign's team set aside, with who,
//! when and why; one per campaign and kind while it stays dismissed (restoring deletes it).

use sea_orm::entity::prelude::*;

/// One dismissal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recommendation_dismissals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    /// The insight kind set aside, e.g. `budget_runs_out`.
    pub kind: String,
    /// Why, in the user's words.
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// The staff user who dismissed it (null for a service token).
    pub dismissed_by: Option<Uuid>,
    pub dismissed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
