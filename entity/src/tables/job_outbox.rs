//! `job_outbox`: A job written in the same transaction as the change that needs it, then dispatched to the queue.

use super::enums::JobState;
use sea_orm::entity::prelude::*;

/// A job written in the same transaction as the change that needs it, then dispatched to the queue.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub kind: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    pub available_at: DateTimeUtc,
    pub dispatched_at: Option<DateTimeUtc>,
    pub lease_until: Option<DateTimeUtc>,
    /// Set by the relay pass that last dispatched the row, so it can find exactly its own rows.
    pub dispatch_token: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// The W3C `traceparent` of the request or job that enqueued this one: its run continues
    /// that trace.
    pub traceparent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::job_runs::Entity")]
    JobRuns,
}

impl Related<super::job_runs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::JobRuns.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
