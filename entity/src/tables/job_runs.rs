//! `job_runs`: One attempt at running an outbox job.

use super::enums::JobRunOutcome;
use sea_orm::entity::prelude::*;

/// One attempt at running an outbox job.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub job_id: Uuid,
    pub kind: String,
    pub attempt: i32,
    pub worker: String,
    pub outcome: JobRunOutcome,
    #[sea_orm(column_type = "Text")]
    pub error: Option<String>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::job_outbox::Entity",
        from = "Column::JobId",
        to = "super::job_outbox::Column::Id",
        on_delete = "Cascade"
    )]
    JobOutbox,
}

impl Related<super::job_outbox::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::JobOutbox.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
