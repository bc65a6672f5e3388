//! `webhook_attempts`: one POST of a delivery to its endpoint and what came back.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub delivery_id: Uuid,
    /// The delivery's sequence (0, then one more per replay).
    pub sequence: i32,
    /// 1-based within the delivery, over every sequence.
    pub attempt: i32,
    pub started_at: DateTimeUtc,
    pub duration_ms: i64,
    /// The HTTP status, when the receiver answered.
    pub status_code: Option<i32>,
    /// Why there is no answer (timeout, refused, blocked target).
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// The start of the answer's body.
    #[sea_orm(column_type = "Text", nullable)]
    pub response_body: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
