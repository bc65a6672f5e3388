//! `participant_imports`: one CSV import of participants into a campaign; its counters are also
//! the resume cursor (`processed_rows` data rows are committed).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an import stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// Waiting for a worker.
    #[sea_orm(string_value = "queued")]
    Queued,
    /// Rows are being read and written.
    #[sea_orm(string_value = "running")]
    Running,
    /// Every row was read: good rows are in, bad ones reported.
    #[sea_orm(string_value = "done")]
    Done,
    /// The file as a whole was refused (e.g. an unknown column); nothing was written.
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl ImportState {
    /// The stored value.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
}

/// One CSV import of participants.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    /// `upload` (GraphQL, run by a worker) or `cli`.
    pub source: String,
    pub file_name: String,
    pub state: ImportState,
    pub total_rows: Option<i64>,
    pub processed_rows: i64,
    pub imported_rows: i64,
    pub skipped_rows: i64,
    pub failed_rows: i64,
    pub failure: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tenants::Entity",
        from = "Column::TenantId",
        to = "super::tenants::Column::Id",
        on_delete = "Cascade"
    )]
    Tenants,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenants.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
